// nginx auth_request in front of `hydraguard serve` (check-only), with the
// nginx config we ship (deploy/nginx/hydraguard-auth.conf, placeholders
// substituted): a real nginx, a real GatewayServer with its clock injected,
// and the upstream stub standing in for the API. Everything on loopback.
#include <memory>
#include <string>

#include "fmt/format.h"
#include "gateway/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/gateway_server.h"
#include "server/log.h"
#include "simdjson.h"
#include "testing/http_client.h"
#include "testing/nginx_server.h"
#include "testing/test_files.h"
#include "testing/upstream_stub.h"

namespace hydraguard::server {
namespace {

using ::hydraguard::testing::HeaderList;
using ::hydraguard::testing::HttpClient;
using ::hydraguard::testing::HttpReply;
using ::hydraguard::testing::NginxServer;
using ::hydraguard::testing::UpstreamStub;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr int64_t kNow = 1'795'000'000'000;  // 2026-11-18; fixed: one minute's limit never refills
constexpr char kAdminToken[] = "nginx-test-admin-token";

constexpr char kKeys[] = R"({"key":"k-ok","account":"a-ok","tier":"test","verified":"payment"}
{"key":"k-limit","account":"a-limit","tier":"test","verified":"payment"}
{"key":"k-openai","account":"a-openai","tier":"test","verified":"payment"}
{"key":"k-block","account":"a-block","tier":"test","verified":"payment"}
{"key":"k-monitor","account":"a-monitor","tier":"test","verified":"payment"}
)";

constexpr char kAnthropicBody[] =
    R"({"model":"claude-test","max_tokens":64,"messages":[{"role":"user","content":"hello"}]})";
constexpr char kOpenAiBody[] = R"({"model":"gpt-test","max_tokens":64,"messages":[{"role":"user","content":"hello"}]})";

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The "type" of an Anthropic error body / of an OpenAI one's "error", or a
// description of why the body is not such JSON.
std::string ErrorType(const std::string& body, bool openai) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) return "not JSON: " + body;
  std::string_view type;
  if (!openai) {
    std::string_view outer;
    if (root["type"].get(outer) != simdjson::SUCCESS || outer != "error") return "no type:error in " + body;
  }
  if (root["error"]["type"].get(type) != simdjson::SUCCESS) return "no error.type in " + body;
  return std::string(type);
}

class NginxAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    std::string keys_path = hydraguard::testing::WriteTempFile(kKeys);
    std::string yaml = fmt::format(
        "listen: 127.0.0.1:0\n"
        "threads: 2\n"
        "admin_token: {}\n"
        "keys: {{file: {}}}\n"
        "trusted_proxies: [127.0.0.1/32]\n"
        "state: memory\n"
        "tiers:\n"
        "  default: test\n"
        "  levels:\n"
        "    test: {{requests_per_minute: 3}}\n",
        kAdminToken, keys_path);
    absl::StatusOr<gateway::GatewayConfig> config = gateway::ParseGatewayConfig(yaml, "nginx_auth_test.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    ASSERT_TRUE(config->upstream_url.empty());  // check-only: nginx proxies
    absl::StatusOr<std::unique_ptr<GatewayServer>> gateway = GatewayServer::Create(*config, [] { return kNow; });
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *std::move(gateway);
    gateway_->Start();

    const std::string shipped = std::string(HG_SOURCE_DIR) + "/deploy/nginx/hydraguard-auth.conf";
    std::string snippet = hydraguard::testing::ReadWholeFile(shipped);
    ASSERT_THAT(snippet, HasSubstr("auth_request /_hydraguard;")) << "cannot read " << shipped;
    snippet = ReplaceAll(snippet, "{{GATEWAY}}", fmt::format("127.0.0.1:{}", gateway_->port()));
    snippet = ReplaceAll(snippet, "{{UPSTREAM}}", fmt::format("127.0.0.1:{}", stub_.port()));
    absl::StatusOr<std::unique_ptr<NginxServer>> nginx = NginxServer::Start(snippet);
    ASSERT_TRUE(nginx.ok()) << nginx.status() << "\n(nginx with auth_request is needed: run `make deps`)";
    nginx_ = *std::move(nginx);
  }

  void TearDown() override {
    if (HasFailure() && nginx_ != nullptr) ADD_FAILURE() << "nginx logs:\n" << nginx_->LogTail();
    nginx_.reset();
    gateway_.reset();
    SetLogQuiet(false);
  }

  HttpReply ViaNginx(std::string_view target, std::string_view body, const HeaderList& headers) {
    HttpClient client(static_cast<uint16_t>(nginx_->port()));
    absl::StatusOr<HttpReply> reply = client.Post(target, body, headers);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }
  HttpReply Messages(std::string_view key, const HeaderList& extra = {}) {
    HeaderList headers = extra;
    if (!key.empty()) headers.emplace_back("x-api-key", std::string(key));
    headers.emplace_back("anthropic-version", "2023-06-01");
    return ViaNginx("/v1/messages", kAnthropicBody, headers);
  }

  // PUT /admin/verdicts/account/ACCOUNT on the gateway itself.
  void SetAccountVerdict(std::string_view account, std::string_view action) {
    HttpClient client(gateway_->port());
    absl::StatusOr<HttpReply> reply = client.Send("PUT", fmt::format("/admin/verdicts/account/{}", account),
                                                  fmt::format(R"({{"action":"{}"}})", action),
                                                  {{"Authorization", fmt::format("Bearer {}", kAdminToken)}});
    ASSERT_TRUE(reply.ok()) << reply.status();
    ASSERT_EQ(reply->status, 200) << reply->body;
  }

  UpstreamStub stub_;
  std::unique_ptr<GatewayServer> gateway_;
  std::unique_ptr<NginxServer> nginx_;
};

TEST_F(NginxAuthTest, AllowedRequestReachesTheUpstreamWithTheGatewaysLimits) {
  HttpReply reply = Messages("k-ok");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, UpstreamStub::AnthropicBody(stub_.options()));
  EXPECT_EQ(reply.Header("anthropic-ratelimit-requests-limit"), "3");
  EXPECT_EQ(reply.Header("anthropic-ratelimit-requests-remaining"), "2");
  EXPECT_THAT(reply.Header("RateLimit-Policy"), HasSubstr("\"requests\";q=3;w=60"));
  EXPECT_EQ(reply.Header("retry-after"), "");
  EXPECT_EQ(reply.Header("x-hydraguard-code"), "");

  std::vector<hydraguard::testing::StubRequest> seen = stub_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/v1/messages");
  EXPECT_EQ(seen[0].Header("x-api-key"), "k-ok");
  EXPECT_EQ(seen[0].body, kAnthropicBody);
  EXPECT_FALSE(seen[0].HasHeader("x-hydraguard-suspect"));
  EXPECT_FALSE(seen[0].HasHeader("x-hydraguard-strip-thinking"));
}

TEST_F(NginxAuthTest, FourthRequestInTheMinuteIs429WithRetryAfterAndNeverReachesTheUpstream) {
  for (int i = 0; i < 3; ++i) {
    HttpReply reply = Messages("k-limit");
    ASSERT_EQ(reply.status, 200) << "request " << i + 1 << ": " << reply.body;
    EXPECT_EQ(reply.Header("anthropic-ratelimit-requests-remaining"), std::to_string(2 - i));
  }
  HttpReply refused = Messages("k-limit");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_THAT(refused.Header("content-type"), HasSubstr("application/json"));
  EXPECT_EQ(ErrorType(refused.body, false), "rate_limit_error");
  const std::string retry_after = refused.Header("retry-after");
  ASSERT_THAT(retry_after, Not(IsEmpty()));
  EXPECT_GT(std::stoi(retry_after), 0);
  EXPECT_LE(std::stoi(retry_after), 60);
  EXPECT_THAT(refused.body, HasSubstr(fmt::format("retry after {} seconds", retry_after)));
  EXPECT_EQ(refused.Header("anthropic-ratelimit-requests-limit"), "3");
  EXPECT_EQ(refused.Header("anthropic-ratelimit-requests-remaining"), "0");
  EXPECT_THAT(refused.Header("anthropic-ratelimit-requests-reset"), Not(IsEmpty()));
  EXPECT_EQ(refused.Header("x-hydraguard-code"), "rate_limited");
  EXPECT_EQ(stub_.requests().size(), 3u);
}

TEST_F(NginxAuthTest, OpenAiRequestsGetOpenAiHeadersAndErrorShapes) {
  const HeaderList headers = {{"Authorization", "Bearer k-openai"}};
  for (int i = 0; i < 3; ++i) {
    HttpReply reply = ViaNginx("/v1/chat/completions", kOpenAiBody, headers);
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.Header("x-ratelimit-limit-requests"), "3");
    EXPECT_EQ(reply.Header("anthropic-ratelimit-requests-limit"), "");
  }
  HttpReply refused = ViaNginx("/v1/chat/completions", kOpenAiBody, headers);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(ErrorType(refused.body, true), "rate_limit_exceeded");
  EXPECT_EQ(refused.Header("x-ratelimit-remaining-requests"), "0");
  EXPECT_THAT(refused.Header("retry-after"), Not(IsEmpty()));
  ASSERT_EQ(stub_.requests().size(), 3u);
  EXPECT_EQ(stub_.requests()[0].target, "/v1/chat/completions");
  EXPECT_EQ(stub_.requests()[0].Header("authorization"), "Bearer k-openai");
}

TEST_F(NginxAuthTest, MissingKeyIs401) {
  HttpReply reply = Messages("");
  EXPECT_EQ(reply.status, 401) << reply.body;
  EXPECT_EQ(ErrorType(reply.body, false), "authentication_error");
  EXPECT_EQ(reply.Header("x-hydraguard-code"), "missing_api_key");
  EXPECT_THAT(stub_.requests(), IsEmpty());
}

TEST_F(NginxAuthTest, UnknownKeyIs401) {
  HttpReply reply = Messages("k-nobody");
  EXPECT_EQ(reply.status, 401) << reply.body;
  EXPECT_EQ(ErrorType(reply.body, false), "authentication_error");
  EXPECT_EQ(reply.Header("x-hydraguard-code"), "invalid_api_key");
  EXPECT_THAT(stub_.requests(), IsEmpty());
}

TEST_F(NginxAuthTest, BlockedAccountIs403WithAJsonBody) {
  ASSERT_EQ(Messages("k-block").status, 200);
  SetAccountVerdict("a-block", "block");
  HttpReply reply = Messages("k-block");
  EXPECT_EQ(reply.status, 403) << reply.body;
  EXPECT_THAT(reply.Header("content-type"), HasSubstr("application/json"));
  EXPECT_EQ(ErrorType(reply.body, false), "permission_error");
  EXPECT_THAT(reply.body, HasSubstr("blocked"));
  EXPECT_EQ(reply.Header("x-hydraguard-code"), "blocked");
  EXPECT_EQ(reply.Header("retry-after"), "");
  EXPECT_EQ(stub_.requests().size(), 1u);  // only the one before the verdict
  // Other accounts are untouched.
  EXPECT_EQ(Messages("k-ok").status, 200);
}

TEST_F(NginxAuthTest, MonitorVerdictReachesTheUpstreamWithTheSuspectHeader) {
  SetAccountVerdict("a-monitor", "monitor");
  HttpReply reply = Messages("k-monitor");
  EXPECT_EQ(reply.status, 200) << reply.body;
  std::vector<hydraguard::testing::StubRequest> seen = stub_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].Header("x-hydraguard-suspect"), "monitor");
  EXPECT_EQ(seen[0].Header("x-hydraguard-strip-thinking"), "1");
}

TEST_F(NginxAuthTest, ClientsCannotForgeTheSuspectHeaders) {
  HttpReply reply = Messages("k-ok", {{"x-hydraguard-suspect", "none"}, {"x-hydraguard-strip-thinking", "0"}});
  EXPECT_EQ(reply.status, 200) << reply.body;
  std::vector<hydraguard::testing::StubRequest> seen = stub_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].HasHeader("x-hydraguard-suspect"));
  EXPECT_FALSE(seen[0].HasHeader("x-hydraguard-strip-thinking"));
}

TEST_F(NginxAuthTest, GatewayDownFailsClosedWith503) {
  // Gone, not just stopped: GatewayServer::Stop() may leave the listening
  // socket open until destruction, and nginx would then wait for its
  // proxy_read_timeout (5 s) before failing.
  gateway_.reset();
  HttpReply reply = Messages("k-ok");
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_EQ(ErrorType(reply.body, false), "overloaded_error");
  EXPECT_THAT(stub_.requests(), IsEmpty());
}

}  // namespace
}  // namespace hydraguard::server
