// End-to-end tests of `hydraguard serve`: a real GatewayServer on loopback in
// front of the upstream stub, with the policy's clock injected.
#include "server/gateway_server.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <cstdlib>
#include <thread>
#include <utility>  // before Boost

#include "absl/strings/ascii.h"
#include "fmt/format.h"
#include "gateway/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/log.h"
#include "testing/http_client.h"
#include "testing/test_files.h"
#include "testing/upstream_stub.h"

namespace hydraguard::server {
namespace {

using ::hydraguard::testing::HeaderList;
using ::hydraguard::testing::HttpClient;
using ::hydraguard::testing::HttpReply;
using ::hydraguard::testing::UpstreamStub;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kStart = 1'790'000'000'000;  // 2026-09-21

std::string Keys() {
  return R"({"key":"k-a1","account":"a1","org":"o1","tier":"build","verified":"payment","payment":"fp1"}
{"key":"k-a2","account":"a2","org":"o2","tier":"build","verified":"payment","payment":"fp1"}
{"key":"k-a3","account":"a3","org":"o3","tier":"build","verified":"payment","payment":"fp3"}
{"key":"k-free","account":"f1","tier":"free","verified":"none"}
)";
}

std::string AnthropicBody(std::string_view prompt = "hello there", int max_tokens = 100, bool stream = false) {
  return fmt::format(
      R"({{"model":"claude-test","max_tokens":{},"stream":{},"messages":[{{"role":"user","content":"{}"}}]}})",
      max_tokens, stream, prompt);
}

std::string OpenAiBody(bool stream = false) {
  return fmt::format(
      R"({{"model":"gpt-test","max_tokens":100,"stream":{},"messages":[{{"role":"user","content":"hi"}}]}})", stream);
}

class GatewayServerTest : public ::testing::Test {
 protected:
  void SetUp() override { SetLogQuiet(true); }
  void TearDown() override { SetLogQuiet(false); }

  // Starts a gateway with `extra` YAML appended to a base config.
  void Start(std::string_view extra, bool with_upstream = true) {
    keys_path_ = hydraguard::testing::WriteTempFile(Keys());
    events_path_ = hydraguard::testing::TempPath(".jsonl");
    std::string yaml = fmt::format(
        "listen: 127.0.0.1:0\nthreads: 2\nkeys: {{file: {}}}\nevents_file: {}\nadmin_token: t0ken\n"
        "trusted_proxies: [10.9.9.9/32]\nclient_timeout: 500ms\nmax_body: 64KiB\n{}{}",
        keys_path_, events_path_,
        with_upstream ? fmt::format("upstream: {{url: \"{}\", idle_timeout: 10m}}\n", stub_.url()) : "", extra);
    absl::StatusOr<gateway::GatewayConfig> config = gateway::ParseGatewayConfig(yaml, "test.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<std::unique_ptr<GatewayServer>> server =
        GatewayServer::Create(*config, [this] { return now_ms_.load(); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    server_->Start();
  }

  HttpReply Post(std::string_view target, std::string_view body, HeaderList headers) {
    HttpClient client(server_->port());
    absl::StatusOr<HttpReply> reply = client.Post(target, body, headers);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }

  std::string Metrics() {
    HttpClient client(server_->port());
    return client.Get("/metrics").value().body;
  }

  UpstreamStub stub_;
  std::atomic<int64_t> now_ms_{kStart};
  std::string keys_path_, events_path_;
  std::unique_ptr<GatewayServer> server_;
};

constexpr std::string_view kTiers = R"(tiers:
  default: build
  levels:
    build: {requests_per_minute: 3, output_tokens_per_minute: 1000}
    free: {requests_per_minute: 1, verify_models: ["claude-opus*"]}
)";

TEST_F(GatewayServerTest, ProxiesAnthropicWithRateLimitHeadersAndRecordsTheEvent) {
  Start(kTiers);
  HttpReply reply = Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}, {"anthropic-version", "2023-06-01"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.body, HasSubstr("Hello from the stub."));
  EXPECT_THAT(reply.body, HasSubstr("thinking"));  // allowed accounts keep their reasoning
  EXPECT_EQ(reply.Header("anthropic-ratelimit-requests-limit"), "3");
  EXPECT_EQ(reply.Header("anthropic-ratelimit-requests-remaining"), "2");
  EXPECT_THAT(reply.Header("RateLimit-Policy"), HasSubstr("\"requests\";q=3;w=60"));
  ASSERT_EQ(stub_.requests().size(), 1u);
  EXPECT_EQ(stub_.requests()[0].Header("x-api-key"), "k-a1");
  EXPECT_FALSE(stub_.requests()[0].HasHeader("x-hydraguard-suspect"));
  // The event is written just after the response: wait for it.
  std::string events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline &&
         (events = hydraguard::testing::ReadWholeFile(events_path_)).find('\n') == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_THAT(events, HasSubstr(R"("account":"a1")"));
  EXPECT_THAT(events, HasSubstr(R"("status":200)"));
  EXPECT_THAT(events, HasSubstr(R"("input_tokens":25,"output_tokens":42)"));
  EXPECT_THAT(events, Not(HasSubstr("k-a1")));  // the key itself is never written
}

TEST_F(GatewayServerTest, StreamsOpenAiAndSendsOpenAiRateLimitHeaders) {
  Start(kTiers);
  HttpReply reply = Post("/v1/chat/completions", OpenAiBody(true), {{"authorization", "Bearer k-a1"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.Header("content-type"), HasSubstr("text/event-stream"));
  EXPECT_THAT(reply.body, HasSubstr("data: [DONE]"));
  EXPECT_EQ(reply.Header("x-ratelimit-limit-requests"), "3");
  EXPECT_EQ(reply.Header("x-ratelimit-remaining-requests"), "2");
}

TEST_F(GatewayServerTest, RefusesOverTheTierLimitWith429AndRetryAfter) {
  Start(kTiers);
  for (int request = 0; request < 3; ++request) {
    EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}}).status, 200);
  }
  HttpReply refused = Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}});
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.Header("retry-after"), "20");  // 3 a minute: one every 20 s
  EXPECT_THAT(refused.body, HasSubstr(R"({"type":"error","error":{"type":"rate_limit_error")"));
  EXPECT_EQ(stub_.requests().size(), 3u);
  now_ms_ += 20'000;
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}}).status, 200);

  HttpReply openai = Post("/v1/chat/completions", OpenAiBody(), {{"authorization", "Bearer k-a1"}});
  EXPECT_EQ(openai.status, 429);
  EXPECT_THAT(openai.body, HasSubstr(R"("type":"rate_limit_exceeded")"));
  EXPECT_FALSE(openai.Header("x-ratelimit-reset-requests").empty());
}

TEST_F(GatewayServerTest, SharedPaymentLimitSpansAccounts) {
  Start(std::string(kTiers) + "shared:\n  payment: {requests_per_minute: 4}\n");
  // a1 and a2 share payment fingerprint fp1; a3 does not.
  for (int request = 0; request < 3; ++request)
    EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}}).status, 200);
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a2"}}).status, 200);
  HttpReply refused = Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a2"}});
  EXPECT_EQ(refused.status, 429);
  EXPECT_THAT(refused.body, HasSubstr("payment"));
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a3"}}).status, 200);
}

TEST_F(GatewayServerTest, ClientAddressFromForwardedForOnlyViaTrustedProxies) {
  Start(std::string(kTiers) + "shared:\n  ip_prefix: {requests_per_minute: 2}\n", false);
  HttpClient client(server_->port());
  // The socket peer is 127.0.0.1, not a trusted proxy: X-Forwarded-For is
  // ignored, so spoofed addresses all count against 127.0.0.0/24.
  for (int request = 0; request < 2; ++request) {
    absl::StatusOr<HttpReply> reply = client.Post(
        "/check.json", AnthropicBody(),
        {{"x-api-key", "k-a" + std::to_string(request + 1)}, {"x-forwarded-for", fmt::format("198.51.{}.7", request)}});
    ASSERT_TRUE(reply.ok());
    EXPECT_THAT(reply->body, HasSubstr(R"("allowed":true)"));
  }
  absl::StatusOr<HttpReply> third =
      client.Post("/check.json", AnthropicBody(), {{"x-api-key", "k-a3"}, {"x-forwarded-for", "203.0.113.9"}});
  ASSERT_TRUE(third.ok());
  EXPECT_THAT(third->body, HasSubstr(R"("limiter":"ip_prefix:rpm")"));
}

TEST_F(GatewayServerTest, MalformedRequestsGetApiShapedErrors) {
  Start(kTiers);
  HttpReply no_key = Post("/v1/messages", AnthropicBody(), {});
  EXPECT_EQ(no_key.status, 401);
  EXPECT_THAT(no_key.body, HasSubstr("authentication_error"));
  HttpReply bad_key = Post("/v1/chat/completions", OpenAiBody(), {{"authorization", "Bearer nope"}});
  EXPECT_EQ(bad_key.status, 401);
  EXPECT_THAT(bad_key.body, HasSubstr("Incorrect API key"));
  HttpReply bad_json = Post("/v1/messages", "{not json", {{"x-api-key", "k-a1"}});
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_THAT(bad_json.body, HasSubstr("invalid_request_error"));
  HttpReply no_max =
      Post("/v1/messages", R"({"model":"m","messages":[{"role":"user","content":"x"}]})", {{"x-api-key", "k-a1"}});
  EXPECT_EQ(no_max.status, 400);
  EXPECT_THAT(no_max.body, HasSubstr("max_tokens"));
  HttpReply huge = Post("/v1/messages", std::string(100 * 1024, 'x'), {{"x-api-key", "k-a1"}});
  EXPECT_EQ(huge.status, 413);
  EXPECT_THAT(huge.body, HasSubstr("maximum allowed size"));
  HttpReply get = [&] {
    HttpClient client(server_->port());
    return client.Get("/v1/messages", {{"x-api-key", "k-a1"}}).value();
  }();
  EXPECT_EQ(get.status, 405);
  EXPECT_TRUE(stub_.requests().empty());
}

TEST_F(GatewayServerTest, SlowClientGets408AndIsDisconnected) {
  Start(kTiers);
  // client_timeout is 500 ms.
  hydraguard::testing::RawReply reply =
      hydraguard::testing::SendRaw(
          server_->port(), "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"model\"", 5'000)
          .value();
  EXPECT_THAT(reply.Statuses(), ElementsAre(408));
  EXPECT_THAT(reply.bytes, HasSubstr("invalid_request_error"));
  EXPECT_TRUE(reply.closed);
  EXPECT_THAT(Metrics(), HasSubstr(R"(hydraguard_decisions_total{action="allow",reason="timeout"} 1)"));
  // A connection that never sent a byte is closed without an answer, and is no decision.
  hydraguard::testing::RawReply idle = hydraguard::testing::SendRaw(server_->port(), "", 5'000).value();
  EXPECT_TRUE(idle.bytes.empty());
  EXPECT_TRUE(idle.closed);
  EXPECT_THAT(Metrics(), HasSubstr(R"(hydraguard_decisions_total{action="allow",reason="timeout"} 1)"));
}

// RFC 9112 framing through the whole gateway: the body of a refused request
// is never read as the next request, and nothing reaches the upstream.
TEST_F(GatewayServerTest, AmbiguousFramingIsRefusedAndTheConnectionClosed) {
  Start(kTiers);
  std::string body = AnthropicBody();
  std::string smuggled = fmt::format(
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: k-a1\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\n\r\n{}",
      body.size(), body);
  std::string chunk = fmt::format("{:x}\r\n{}\r\n0\r\n\r\n", smuggled.size(), smuggled);
  struct Case {
    std::string head;
    int status;
  };
  for (const Case& test_case :
       {Case{"Transfer-Encoding: chunked, identity\r\n", 400}, Case{"Transfer-Encoding: identity\r\n", 400},
        Case{"Transfer-Encoding: x-custom, chunked\r\n", 501},
        Case{"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", 400},
        Case{"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n", 400},
        Case{"X-Folded: a\r\n b\r\nTransfer-Encoding: chunked\r\n", 400}}) {
    hydraguard::testing::RawReply reply =
        hydraguard::testing::SendRaw(
            server_->port(),
            "POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: k-a1\r\n" + test_case.head + "\r\n" + chunk, 5'000)
            .value();
    EXPECT_THAT(reply.Statuses(), ElementsAre(test_case.status)) << test_case.head << reply.bytes;
    EXPECT_TRUE(reply.closed) << test_case.head;
    EXPECT_FALSE(reply.Header("request-id").empty()) << test_case.head;
  }
  EXPECT_TRUE(stub_.requests().empty());
  hydraguard::testing::RawReply long_uri =
      hydraguard::testing::SendRaw(server_->port(), "GET /" + std::string(20'000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
                                   5'000)
          .value();
  EXPECT_THAT(long_uri.Statuses(), ElementsAre(414));
  hydraguard::testing::RawReply big_headers =
      hydraguard::testing::SendRaw(
          server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70'000, 'b') + "\r\n\r\n", 5'000)
          .value();
  EXPECT_THAT(big_headers.Statuses(), ElementsAre(431));
}

// Two credentials, one judged: refused, whatever the fields; and the
// upstream gets exactly the credential that was judged.
TEST_F(GatewayServerTest, MoreThanOneCredentialIsRefused) {
  Start(std::string(kTiers) + "verdicts: {file: " +
        hydraguard::testing::WriteTempFile(
            R"({"account":"a3","action":"block","score":0.9,"campaign":"c1","since":0,"reasons":["r"]})"
            "\n") +
        "}\n");
  std::string body = AnthropicBody();
  auto send = [&](std::string_view path, std::string_view credentials) {
    return hydraguard::testing::SendRaw(
               server_->port(),
               fmt::format("POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{}Content-Length: "
                           "{}\r\nConnection: close\r\n\r\n{}",
                           path, credentials, body.size(), body),
               5'000)
        .value();
  };
  for (std::string_view credentials :
       {"x-api-key: k-a1\r\nx-api-key: k-a3\r\n", "Authorization: Bearer k-a1\r\nAuthorization: Bearer k-a3\r\n",
        "x-api-key: k-a1\r\nAuthorization: Bearer k-a3\r\n"}) {
    hydraguard::testing::RawReply reply = send("/v1/messages", credentials);
    EXPECT_THAT(reply.Statuses(), ElementsAre(400)) << credentials;
    EXPECT_THAT(reply.bytes, HasSubstr("more than one")) << credentials;
  }
  // A key in a chunked trailer is dropped, never merged: judged and sent
  // upstream is the header's alone.
  std::string chunked = fmt::format(
      "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nx-api-key: k-a1\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{}\r\n0\r\nx-api-key: k-a3\r\n\r\n",
      body.size(), body);
  EXPECT_THAT(hydraguard::testing::SendRaw(server_->port(), chunked, 5'000).value().Statuses(), ElementsAre(200));
  // The same key twice is one credential; the upstream gets it once, in the
  // form it came in.
  EXPECT_THAT(send("/v1/chat/completions", "Authorization: Bearer k-a2\r\nx-api-key: k-a2\r\n").Statuses(),
              ElementsAre(200));
  std::vector<hydraguard::testing::StubRequest> sent = stub_.requests();
  ASSERT_EQ(sent.size(), 2u);
  for (const hydraguard::testing::StubRequest& upstream : sent) {
    int credentials = 0;
    for (const auto& [name, value] : upstream.headers) {
      std::string lower = absl::AsciiStrToLower(name);
      credentials += lower == "x-api-key" || lower == "authorization";
    }
    EXPECT_EQ(credentials, 1);
  }
  EXPECT_EQ(stub_.requests()[0].Header("x-api-key"), "k-a1");
  EXPECT_EQ(stub_.requests()[1].Header("authorization"), "Bearer k-a2");
}

// Events carry prompt text: the file is the gateway user's alone, and the
// operator chooses how much text it keeps.
TEST_F(GatewayServerTest, EventsFileIsPrivateAndKeepsWhatTheOperatorChose) {
  Start(std::string(kTiers) + "events: {prompts: hash}\n");
  struct stat info;
  ASSERT_EQ(::stat(events_path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  EXPECT_EQ(Post("/v1/messages", AnthropicBody("my secret plan"), {{"x-api-key", "k-a1"}}).status, 200);
  std::string events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline &&
         (events = hydraguard::testing::ReadWholeFile(events_path_)).find('\n') == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_THAT(events, HasSubstr(R"("prompt":"h:)"));
  EXPECT_THAT(events, Not(HasSubstr("secret")));
}

TEST_F(GatewayServerTest, ClientGatewayHeadersNeverReachTheUpstream) {
  Start(kTiers);
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(),
                 {{"x-api-key", "k-a1"},
                  {"x-hydraguard-strip-thinking", "1"},
                  {"X-HydraGuard-Suspect", "allow"},
                  {"x-hydraguard-anything", "x"}})
                .status,
            200);
  std::vector<hydraguard::testing::StubRequest> upstream = stub_.requests();
  ASSERT_EQ(upstream.size(), 1u);
  for (const auto& [name, value] : upstream[0].headers) {
    EXPECT_FALSE(absl::AsciiStrToLower(name).starts_with("x-hydraguard-")) << name << ": " << value;
  }
}

TEST_F(GatewayServerTest, AClientThatLeavesBeforeARequestIsNoDecision) {
  Start(kTiers);
  for (std::string_view partial : {"", "POST /v1/mess", "POST /v1/messages HTTP/1.1\r\nHost: x\r\n",
                                   "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"mo"}) {
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(socket, asio::buffer(partial.data(), partial.size()));
    socket.close();
  }
  // The metrics request itself is the only request, and is not a decision.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::string metrics = Metrics();
  EXPECT_THAT(metrics, Not(HasSubstr(R"(reason="bad_request"} 1)")));
  EXPECT_THAT(metrics, Not(HasSubstr(R"(reason="timeout"} 1)")));
  EXPECT_THAT(metrics, Not(HasSubstr(R"(action="allow",reason="ok"} 1)")));
}

// The endpoints a harvester would use instead of /v1/messages.
TEST_F(GatewayServerTest, ResponsesAndEmbeddingsAreAdmittedLimitedAndRecorded) {
  Start(kTiers);  // build: 3 requests a minute
  std::string responses =
      R"({"model":"gpt-test","input":"Write a sort.","instructions":"You are a teacher.","max_output_tokens":100})";
  HttpReply whole = Post("/v1/responses", responses, {{"authorization", "Bearer k-a1"}});
  EXPECT_EQ(whole.status, 200) << whole.body;
  EXPECT_EQ(whole.Header("x-ratelimit-remaining-requests"), "2");
  HttpReply streamed =
      Post("/v1/responses",
           R"({"model":"gpt-test","input":[{"role":"user","content":"hi"}],"stream":true,"max_output_tokens":100})",
           {{"authorization", "Bearer k-a1"}});
  EXPECT_EQ(streamed.status, 200);
  EXPECT_THAT(streamed.body, HasSubstr("response.completed"));
  HttpReply embeddings =
      Post("/v1/embeddings", R"({"model":"e","input":["a","b"]})", {{"authorization", "Bearer k-a1"}});
  EXPECT_EQ(embeddings.status, 200);
  HttpReply limited = Post("/v1/embeddings", R"({"model":"e","input":"c"})", {{"authorization", "Bearer k-a1"}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_THAT(limited.body, HasSubstr("rate_limit_exceeded"));
  EXPECT_EQ(Post("/v1/responses", R"({"model":"gpt-test"})", {{"authorization", "Bearer k-a2"}}).status, 400);
  EXPECT_EQ(Post("/v1/responses", responses, {}).status, 401);
  // Every one is an event the engine reads, with the endpoint and text.
  std::string events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    events = hydraguard::testing::ReadWholeFile(events_path_);
    if (std::count(events.begin(), events.end(), '\n') >= 5 || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_THAT(events, HasSubstr(R"("endpoint":"/v1/responses")"));
  EXPECT_THAT(events, HasSubstr(R"("system":"You are a teacher.","prompt":"Write a sort.")"));
  EXPECT_THAT(events, HasSubstr(R"("endpoint":"/v1/embeddings")"));
  EXPECT_THAT(events, HasSubstr(R"("output_tokens":42)"));  // the streamed response's usage was read
  EXPECT_THAT(Metrics(), HasSubstr(R"(hydraguard_requests_total{endpoint="responses"} 4)"));
}

TEST_F(GatewayServerTest, MessageBatchIsJudgedRequestByRequestAndLimitedAsAWhole) {
  Start(kTiers);  // build: 3 requests and 1000 output tokens a minute
  auto batch = [](int requests, int max_tokens) {
    std::string body = R"({"requests":[)";
    for (int index = 0; index < requests; ++index) {
      if (index > 0) body += ",";
      body += fmt::format(
          R"({{"custom_id":"r{}","params":{{"model":"claude-test","max_tokens":{},"messages":[{{"role":"user","content":"task {}"}}]}}}})",
          index, max_tokens, index);
    }
    return body + "]}";
  };
  // Two single requests leave one of three: a batch of two is refused whole.
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}}).status, 200);
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}}).status, 200);
  HttpReply too_many = Post("/v1/messages/batches", batch(2, 10), {{"x-api-key", "k-a1"}});
  EXPECT_EQ(too_many.status, 429) << too_many.body;
  EXPECT_THAT(too_many.body, HasSubstr("This batch of 2 requests"));
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}}).status, 200);  // nothing was kept
  // More than a whole limit can ever hold: not retryable, naming the limit.
  HttpReply never = Post("/v1/messages/batches", batch(4, 10), {{"x-api-key", "k-a3"}});
  EXPECT_EQ(never.status, 400) << never.body;
  EXPECT_THAT(never.body, HasSubstr("account:rpm"));
  HttpReply too_big = Post("/v1/messages/batches", batch(2, 600), {{"x-api-key", "k-a3"}});
  EXPECT_EQ(too_big.status, 400) << too_big.body;  // 1200 output tokens can never fit 1000 a minute
  EXPECT_THAT(too_big.body, HasSubstr("account:otpm"));
  EXPECT_EQ(too_big.Header("x-should-retry"), "false");
  HttpReply fits = Post("/v1/messages/batches", batch(2, 100), {{"x-api-key", "k-a3"}});
  EXPECT_EQ(fits.status, 200) << fits.body;
  EXPECT_THAT(fits.body, HasSubstr("msgbatch_stub"));
  // The batch used 2 of 3 requests: one single request left.
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a3"}}).status, 200);
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a3"}}).status, 429);
  HttpReply bad = Post("/v1/messages/batches", R"({"requests":[{"custom_id":"x","params":{"model":"m"}}]})",
                       {{"x-api-key", "k-a2"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("requests[0] (x): max_tokens"));
  // Each request inside is an event.
  std::string events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline &&
         (events = hydraguard::testing::ReadWholeFile(events_path_))
                 .find(R"("prompt":"task 1","turn":1,"tools":0,"max_tokens":100)") == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_THAT(events, HasSubstr(R"("prompt":"task 1","turn":1,"tools":0,"max_tokens":100)"));
  EXPECT_THAT(events, HasSubstr(R"("endpoint":"/v1/messages/batches")"));
}

TEST_F(GatewayServerTest, ModelsCountTokensAndBatchResultsPassThroughAfterAuthentication) {
  Start(kTiers);
  HttpClient client(server_->port());
  EXPECT_EQ(client.Get("/v1/models").value().status, 401);
  HttpReply openai_models = client.Get("/v1/models", {{"authorization", "Bearer nope"}}).value();
  EXPECT_EQ(openai_models.status, 401);
  EXPECT_THAT(openai_models.body, HasSubstr("Incorrect API key"));  // OpenAI's shape for a Bearer caller
  EXPECT_EQ(client.Get("/v1/models", {{"x-api-key", "k-a1"}}).value().status, 200);
  EXPECT_EQ(client.Get("/v1/models/claude-x", {{"authorization", "Bearer k-a1"}}).value().status, 200);
  EXPECT_EQ(client.Post("/v1/messages/count_tokens", AnthropicBody(), {{"x-api-key", "k-a1"}}).value().status, 200);
  EXPECT_EQ(client.Get("/v1/messages/batches/msgbatch_stub", {{"x-api-key", "k-a1"}}).value().status, 200);
  // None of them is charged: the 3 requests a minute are all still there.
  HttpReply first = Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}});
  EXPECT_EQ(first.Header("anthropic-ratelimit-requests-remaining"), "2");
  EXPECT_EQ(client.Send("PUT", "/v1/embeddings", "{}", {{"authorization", "Bearer k-a1"}}).value().status, 405);
}

TEST_F(GatewayServerTest, VerificationRequiredForGatedModels) {
  Start(kTiers);
  HttpReply gated =
      Post("/v1/messages", R"({"model":"claude-opus-9","max_tokens":10,"messages":[{"role":"user","content":"x"}]})",
           {{"x-api-key", "k-free"}});
  EXPECT_EQ(gated.status, 403);
  EXPECT_THAT(gated.body, HasSubstr("permission_error"));
  EXPECT_EQ(gated.Header("x-hydraguard-code"), "verification_required");
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-free"}}).status, 200);
}

TEST_F(GatewayServerTest, MonitorVerdictStripsThinkingAndMarksTheRequestSuspect) {
  std::string verdicts = hydraguard::testing::WriteTempFile(
      R"({"account":"a1","action":"monitor","score":0.6,"campaign":"c9","since":0,"reasons":["r"]})"
      "\n"
      R"({"account":"a2","action":"block","score":0.9,"campaign":"c9","since":0,"reasons":["r"]})"
      "\n");
  Start(std::string(kTiers) + "verdicts: {file: " + verdicts + "}\n");
  HttpReply streamed = Post("/v1/messages", AnthropicBody("hi", 100, true), {{"x-api-key", "k-a1"}});
  EXPECT_EQ(streamed.status, 200);
  EXPECT_THAT(streamed.body, HasSubstr("Hello"));
  EXPECT_THAT(streamed.body, Not(HasSubstr("thinking")));
  HttpReply plain = Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}});
  EXPECT_THAT(plain.body, Not(HasSubstr("thinking")));
  ASSERT_EQ(stub_.requests().size(), 2u);
  EXPECT_EQ(stub_.requests()[0].Header("x-hydraguard-suspect"), "monitor; campaign=c9");
  HttpReply blocked = Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a2"}});
  EXPECT_EQ(blocked.status, 403);
  EXPECT_EQ(stub_.requests().size(), 2u);
}

TEST_F(GatewayServerTest, TemplateAndPaymentIndicatorsRefuseAnUnscoredAccount) {
  // The engine lists a campaign's indicators; the gateway computes the same
  // values from a request. Find this template's values via /check.json of a
  // gateway that has none, then load them as a campaign's indicators.
  const std::string frame =
      "You are generating training data. Task: write a {} function that merges two sorted lists, explain the "
      "time complexity, list three edge cases, and give unit tests in the same language. Answer in JSON.";
  std::string campaigns_path = hydraguard::testing::TempPath(".json");
  std::string campaigns;
  {
    gateway::GatewayConfig config;
    gateway::Identity identity{.account = "x", .payment = "fp1"};
    gateway::RequestContext context{.identity = &identity, .ip = *ingest::IpAddress::Parse("192.0.2.1")};
    context.request.prompt = fmt::format(fmt::runtime(frame), "Go");
    gateway::Policy policy(config);
    std::string indicators;
    for (const auto& [kind, value] : policy.Facts(context).values) {
      if (kind != "prompt_template" && kind != "payment") continue;
      if (!indicators.empty()) indicators += ",";
      indicators += fmt::format(R"({{"type":"{}","value":"{}","campaign_accounts":9,"all_accounts":9}})", kind, value);
    }
    campaigns =
        fmt::format(R"({{"campaigns":[{{"id":"c1","indicators":[{}],"accounts":[]}}],"events":1}})", indicators);
  }
  std::string path = hydraguard::testing::WriteTempFile(campaigns, ".json");
  Start(std::string(kTiers) + "verdicts: {campaigns: " + path + "}\n");
  // a1 pays with fp1 and sends the same template with another slot value:
  // two indicator kinds → challenge (403).
  HttpReply hydra =
      Post("/v1/messages", AnthropicBody(fmt::format(fmt::runtime(frame), "Rust")), {{"x-api-key", "k-a1"}});
  EXPECT_EQ(hydra.status, 403);
  EXPECT_EQ(hydra.Header("x-hydraguard-code"), "verification_required");
  // The template alone (a3 pays otherwise): one kind → monitor, served.
  HttpReply popular =
      Post("/v1/messages", AnthropicBody(fmt::format(fmt::runtime(frame), "Java")), {{"x-api-key", "k-a3"}});
  EXPECT_EQ(popular.status, 200);
  // fp1 alone with an unrelated prompt: monitor, served.
  EXPECT_EQ(Post("/v1/messages", AnthropicBody("what is the capital of France"), {{"x-api-key", "k-a2"}}).status, 200);
  EXPECT_EQ(stub_.requests().back().Header("x-hydraguard-suspect"), "monitor; campaign=c1");
}

TEST_F(GatewayServerTest, TokenReservationsHoldUnderConcurrencyAndSettleOnRealUsage) {
  // 1000 output tokens a minute; each request reserves max_tokens = 400.
  stub_.SetOptions({.output_tokens = 42, .hold = UpstreamStub::Hold::kBeforeResponse});
  Start(R"(tiers:
  default: build
  levels:
    build: {requests_per_minute: 100, output_tokens_per_minute: 1000}
)");
  std::vector<std::thread> clients;
  std::vector<int> statuses(2);
  for (int index = 0; index < 2; ++index) {
    clients.emplace_back([&, index] {
      statuses[index] = Post("/v1/messages", AnthropicBody("x", 400), {{"x-api-key", "k-a1"}}).status;
    });
  }
  ASSERT_TRUE(stub_.WaitUntilHolding(2, std::chrono::seconds(10)));
  // 800 reserved while both are in flight: a third 400 does not fit.
  EXPECT_EQ(Post("/v1/messages", AnthropicBody("x", 400), {{"x-api-key", "k-a1"}}).status, 429);
  stub_.Release();
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(statuses, (std::vector<int>{200, 200}));
  // Settled at 42 each: 84 used, so two more 400s fit now at the same instant.
  stub_.SetOptions({.output_tokens = 42});
  EXPECT_EQ(Post("/v1/messages", AnthropicBody("x", 400), {{"x-api-key", "k-a1"}}).status, 200);
  EXPECT_EQ(Post("/v1/messages", AnthropicBody("x", 400), {{"x-api-key", "k-a1"}}).status, 200);
}

TEST_F(GatewayServerTest, OpenAiStreamsAskForUsageAndSettleOnIt) {
  // Like the real API, the stub streams the usage only when asked; the
  // client did not ask, so it never sees the usage chunk.
  stub_.SetOptions({.output_tokens = 42, .openai_usage_only_when_asked = true});
  Start(R"(tiers:
  default: build
  levels:
    build: {requests_per_minute: 100, output_tokens_per_minute: 1000}
)");
  HttpReply first = Post("/v1/chat/completions", OpenAiBody(true), {{"authorization", "Bearer k-a1"}});
  EXPECT_EQ(first.status, 200);
  ASSERT_EQ(stub_.requests().size(), 1u);
  EXPECT_THAT(stub_.requests()[0].body, HasSubstr(R"("stream_options":{"include_usage":true})"));
  UpstreamStub::Options options = stub_.options();
  std::vector<std::string> events = UpstreamStub::OpenAiEvents(options);
  events.erase(events.end() - 2);
  std::string expected;
  for (const std::string& event : events) expected += event;
  EXPECT_EQ(first.body, expected);
  // Settled at 42 (not the 100 reserved): the next request's headers show
  // 1000 - 42 - 100 (its own reservation) remaining.
  HttpReply second = Post("/v1/chat/completions", OpenAiBody(true), {{"authorization", "Bearer k-a1"}});
  EXPECT_EQ(second.status, 200);
  EXPECT_THAT(second.Header("ratelimit"), HasSubstr(fmt::format(R"("output-tokens";r={};)", 1000 - 42 - 100)));
}

TEST_F(GatewayServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  Start(std::string(kTiers));
  HttpClient client(server_->port());
  for (int request = 0; request < 3; ++request) {
    absl::StatusOr<HttpReply> reply = client.Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}});
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 200);
    EXPECT_TRUE(reply->keep_alive);
  }
  absl::StatusOr<HttpReply> health = client.Get("/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
}

TEST_F(GatewayServerTest, AdminApiNeedsTheTokenAndSetsVerdicts) {
  Start(kTiers);
  HttpClient client(server_->port());
  EXPECT_EQ(client.Get("/admin/verdicts").value().status, 401);
  EXPECT_EQ(client.Get("/admin/verdicts", {{"authorization", "Bearer wrong"}}).value().status, 401);
  HeaderList admin = {{"authorization", "Bearer t0ken"}};
  HttpReply set =
      client
          .Send("PUT", "/admin/verdicts/ip_prefix/127.0.0.0%2F24", R"({"action":"block","reason":"proxy pool"})", admin)
          .value();
  EXPECT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(client.Send("PUT", "/admin/verdicts/planet/mars", R"({"action":"block"})", admin).value().status, 400);
  EXPECT_EQ(client.Send("PUT", "/admin/verdicts/account/a1", R"({"action":"explode"})", admin).value().status, 400);
  HttpReply list = client.Get("/admin/verdicts", admin).value();
  EXPECT_THAT(list.body, HasSubstr(R"({"kind":"ip_prefix","value":"127.0.0.0/24","action":"block")"));
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}}).status, 403);
  EXPECT_EQ(client.Send("DELETE", "/admin/verdicts/ip_prefix/127.0.0.0%2F24", "", admin).value().status, 200);
  EXPECT_EQ(client.Send("DELETE", "/admin/verdicts/ip_prefix/127.0.0.0%2F24", "", admin).value().status, 404);
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}}).status, 200);
}

// A block that could never match is refused, naming the problem; values are
// stored in the one spelling requests are matched on.
TEST_F(GatewayServerTest, AdminApiRefusesVerdictsThatCanNeverMatch) {
  Start(kTiers);
  HttpClient client(server_->port());
  HeaderList admin = {{"authorization", "Bearer t0ken"}};
  auto put = [&](std::string_view path) { return client.Send("PUT", path, R"({"action":"block"})", admin).value(); };
  struct Case {
    std::string_view path, says;
  };
  for (const Case& test_case :
       {Case{"/admin/verdicts/ip_prefix/10.0.0.0%2F33", "not ADDRESS/LENGTH"},
        Case{"/admin/verdicts/ip_prefix/127.0.0.5%2F24", "host bits set; its network is 127.0.0.0/24"},
        Case{"/admin/verdicts/ip_prefix/127.0.0.0%2F8", "a /8 would never match"},
        Case{"/admin/verdicts/ip_prefix/2001%3Adb8%3A%3A%2F64", "a /64 would never match"},
        Case{"/admin/verdicts/ip_prefix/127.0.0.0", "not ADDRESS/LENGTH"},
        Case{"/admin/verdicts/ip/not-an-ip", "not an IPv4 or IPv6 address"},
        Case{"/admin/verdicts/ip/127.000.000.001", "not an IPv4 or IPv6 address"},
        Case{"/admin/verdicts/asn/ASX1", "not an AS number"}}) {
    HttpReply reply = put(test_case.path);
    EXPECT_EQ(reply.status, 400) << test_case.path;
    EXPECT_THAT(reply.body, HasSubstr(test_case.says)) << test_case.path;
  }
  EXPECT_THAT(client.Get("/admin/verdicts", admin).value().body, HasSubstr(R"({"verdicts":[]})"));
  // Canonical spellings: an IPv6 /48 written long, an ASN without "AS".
  EXPECT_EQ(put("/admin/verdicts/ip_prefix/2001%3A0DB8%3A0000%3A%3A%2F48").status, 200);
  EXPECT_EQ(put("/admin/verdicts/asn/64500").status, 200);
  std::string list = client.Get("/admin/verdicts", admin).value().body;
  EXPECT_THAT(list, HasSubstr(R"("value":"2001:db8::/48")"));
  EXPECT_THAT(list, HasSubstr(R"("value":"AS64500")"));
  EXPECT_EQ(client.Send("DELETE", "/admin/verdicts/asn/AS64500", "", admin).value().status, 200);
  // Wrong methods: 405 with Allow.
  HttpReply get_reload = client.Get("/admin/reload", admin).value();
  EXPECT_EQ(get_reload.status, 405);
  EXPECT_EQ(get_reload.Header("allow"), "POST");
  EXPECT_EQ(client.Send("DELETE", "/admin/verdicts", "", admin).value().status, 405);
  EXPECT_EQ(client.Send("PATCH", "/admin/verdicts/account/a1", "{}", admin).value().status, 405);
}

TEST_F(GatewayServerTest, MetricsCountDecisionsByActionAndReason) {
  Start(kTiers);
  for (int request = 0; request < 4; ++request) Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a1"}});
  Post("/v1/messages", AnthropicBody(), {});
  HttpClient client(server_->port());
  HttpReply metrics = client.Get("/metrics").value();
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr(R"(hydraguard_decisions_total{action="allow",reason="ok"} 3)"));
  EXPECT_THAT(metrics.body, HasSubstr(R"(hydraguard_decisions_total{action="allow",reason="rate_limited"} 1)"));
  EXPECT_THAT(metrics.body, HasSubstr(R"(hydraguard_decisions_total{action="allow",reason="unauthenticated"} 1)"));
  EXPECT_THAT(metrics.body, HasSubstr("hydraguard_limiter_seconds_count 4"));
  EXPECT_THAT(metrics.body, HasSubstr("# TYPE hydraguard_limiter_seconds histogram"));
  // The 3 proxied requests: each event loop (2) opens one upstream
  // connection and keeps it for its next request.
  auto value = [&](std::string_view series) {
    size_t at = metrics.body.find(series);
    return at == std::string::npos ? -1 : std::atoi(metrics.body.c_str() + at + series.size());
  };
  int opened = value(R"(hydraguard_upstream_requests_total{connection="new"} )");
  int reused = value(R"(hydraguard_upstream_requests_total{connection="reused"} )");
  EXPECT_EQ(opened + reused, 3) << metrics.body;
  EXPECT_GE(opened, 1);
  EXPECT_LE(opened, 2);
}

TEST_F(GatewayServerTest, UpstreamDownGives502AndReleasesTheReservation) {
  Start(R"(tiers:
  default: build
  levels:
    build: {output_tokens_per_minute: 500}
)");
  stub_.Stop();
  HttpReply reply = Post("/v1/messages", AnthropicBody("x", 400), {{"x-api-key", "k-a1"}});
  EXPECT_EQ(reply.status, 502);
  EXPECT_THAT(reply.body, HasSubstr("api_error"));
  // Nothing was generated: the 400 reserved tokens were given back.
  HttpClient client(server_->port());
  HttpReply check = client.Post("/check.json", AnthropicBody("x", 400), {{"x-api-key", "k-a1"}}).value();
  EXPECT_THAT(check.body, HasSubstr(R"("allowed":true)"));
}

// Check mode cannot see the response: the caller reports the real usage,
// and the reservation (max_tokens) is settled by request id.
TEST_F(GatewayServerTest, UsageReportSettlesACheckModeReservation) {
  Start(kTiers, false);  // build: 1000 output tokens a minute
  HttpClient client(server_->port());
  HeaderList caller = {{"x-api-key", "k-a1"}, {"x-original-uri", "/v1/messages"}, {"x-hydraguard-report-usage", "1"}};
  // Without asking for it, no reservation is kept.
  HttpReply plain =
      client.Post("/check", AnthropicBody("x", 10), {{"x-api-key", "k-a2"}, {"x-original-uri", "/v1/messages"}})
          .value();
  EXPECT_EQ(plain.Header("x-hydraguard-request-id"), "");
  HttpReply first = client.Post("/check", AnthropicBody("x", 600), caller).value();
  EXPECT_EQ(first.status, 204);
  std::string request_id = first.Header("x-hydraguard-request-id");
  EXPECT_THAT(request_id, ::testing::MatchesRegex("req_[0-9a-f]{24}"));
  // Unsettled, a second 600 does not fit.
  EXPECT_EQ(client.Post("/check", AnthropicBody("x", 600), caller).value().Header("x-hydraguard-status"), "429");
  std::string report = fmt::format(R"({{"request_id":"{}","input_tokens":3,"output_tokens":50}})", request_id);
  EXPECT_EQ(client.Post("/usage", report).value().status, 401);  // the admin token is needed
  HeaderList admin = {{"authorization", "Bearer t0ken"}};
  HttpReply settled = client.Post("/usage", report, admin).value();
  EXPECT_EQ(settled.status, 200) << settled.body;
  EXPECT_EQ(client.Post("/usage", report, admin).value().status, 404);  // once
  EXPECT_EQ(client.Post("/usage", R"({"request_id":"x","output_tokens":-1})", admin).value().status, 400);
  EXPECT_EQ(client.Post("/usage", "nope", admin).value().status, 400);
  // 50 of 1000 used: 600 fits again.
  HttpReply again = client.Post("/check.json", AnthropicBody("x", 600), caller).value();
  EXPECT_THAT(again.body, HasSubstr(R"("allowed":true)"));
  EXPECT_THAT(again.body, HasSubstr(R"("request_id":"req_)"));
}

TEST_F(GatewayServerTest, CheckOnlyModeAnswersNginxStyle) {
  Start(kTiers, false);
  HttpClient client(server_->port());
  HttpReply allowed = client.Get("/check", {{"x-api-key", "k-a1"}, {"x-original-uri", "/v1/messages"}}).value();
  EXPECT_EQ(allowed.status, 204);
  EXPECT_EQ(allowed.Header("x-hydraguard-status"), "200");
  EXPECT_EQ(allowed.Header("anthropic-ratelimit-requests-remaining"), "2");
  HttpReply missing = client.Get("/check", {{"x-original-uri", "/v1/messages"}}).value();
  EXPECT_EQ(missing.status, 401);
  for (int request = 0; request < 2; ++request) ASSERT_TRUE(client.Get("/check", {{"x-api-key", "k-a1"}}).ok());
  HttpReply limited = client.Get("/check", {{"x-api-key", "k-a1"}, {"x-original-uri", "/v1/chat/completions"}}).value();
  EXPECT_EQ(limited.status, 403);
  EXPECT_EQ(limited.Header("x-hydraguard-status"), "429");
  EXPECT_EQ(limited.Header("retry-after"), "20");
  EXPECT_FALSE(limited.Header("x-ratelimit-limit-requests").empty());
  // Without an upstream, the API paths say so.
  EXPECT_EQ(Post("/v1/messages", AnthropicBody(), {{"x-api-key", "k-a3"}}).status, 404);
}

}  // namespace
}  // namespace hydraguard::server

namespace hydraguard::server {
namespace {

TEST_F(GatewayServerTest, TwoDifferentKeysInOneRequestAreRefused) {
  Start(kTiers);
  // A blocked key in Authorization must not ride along with a clean x-api-key
  // to an upstream that authenticates with Authorization.
  HttpReply both =
      Post("/v1/chat/completions", OpenAiBody(), {{"x-api-key", "k-a1"}, {"authorization", "Bearer k-a2"}});
  EXPECT_EQ(both.status, 400);
  EXPECT_TRUE(stub_.requests().empty());
  EXPECT_EQ(
      Post("/v1/chat/completions", OpenAiBody(), {{"x-api-key", "k-a1"}, {"authorization", "Bearer k-a1"}}).status,
      200);
}

TEST_F(GatewayServerTest, AClientLeavingMidStreamKeepsItsOutputReservation) {
  // 1000 output tokens a minute, max_tokens 600: the client reads the first
  // event (message_start says 1 output token) and leaves.
  stub_.SetOptions({.output_tokens = 500, .hold = UpstreamStub::Hold::kAfterFirstEvent});
  Start(R"(tiers:
  default: build
  levels:
    build: {output_tokens_per_minute: 1000}
)");
  {
    namespace asio = boost::asio;
    asio::io_context io;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    std::string body = AnthropicBody("x", 600, true);
    std::string request = fmt::format(
        "POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: k-a1\r\nContent-Type: application/json\r\n"
        "Content-Length: {}\r\n\r\n{}",
        body.size(), body);
    asio::write(socket, asio::buffer(request));
    ASSERT_TRUE(stub_.WaitUntilHolding(1, std::chrono::seconds(10)));
  }  // the client closes
  ASSERT_TRUE(stub_.WaitForPeerDisconnects(1, std::chrono::seconds(10)));
  stub_.SetOptions({.output_tokens = 42});
  // 600 stay reserved: another 600 does not fit this minute. (Settling on
  // message_start's usage would have refunded 599.)
  HttpClient client(server_->port());
  HttpReply check = client.Post("/check.json", AnthropicBody("x", 600), {{"x-api-key", "k-a1"}}).value();
  EXPECT_THAT(check.body, HasSubstr(R"("allowed":false)"));
  EXPECT_THAT(check.body, HasSubstr(R"("limiter":"account:otpm")"));
}

}  // namespace
}  // namespace hydraguard::server
