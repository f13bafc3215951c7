#include "server/upstream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <cerrno>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

// Beast 1.74's parser trips GCC 12's -Wmaybe-uninitialized under ASan at -O3
// (a boost::optional in basic_parser.hpp): a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include "fmt/format.h"
#include "simdjson.h"
#include "testing/upstream_stub.h"

namespace hydraguard::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using hydraguard::testing::UpstreamStub;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr auto kDeadline = std::chrono::seconds(10);

std::string Str(beast::string_view text) { return std::string(text.data(), text.size()); }

template <typename Predicate>
bool PollUntil(Predicate done) {
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// The client-facing side of a gateway, reduced to the proxy: reads requests
// on each connection and hands each to Proxy(), on one thread, with a pool
// of upstream connections as the gateway has (none when `pooled` is false).
class ProxyHarness {
 public:
  explicit ProxyHarness(UpstreamTarget target, bool pooled = true) : target_(std::move(target)), acceptor_(io_) {
    // A long idle timeout: a slow machine must not expire what a test expects kept.
    if (pooled) pool_ = std::make_unique<UpstreamPool>(UpstreamPoolOptions{.idle_timeout_ms = 600'000});
    tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(io_, Accept(), net::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ProxyHarness() {
    net::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      io_.stop();
    });
    thread_.join();
  }

  uint16_t port() const { return port_; }
  void SetOptions(ProxyOptions options) {
    std::lock_guard lock(mutex_);
    options_ = std::move(options);
  }
  std::vector<ProxyResult> results() const {
    std::lock_guard lock(mutex_);
    return results_;
  }
  bool WaitForResults(size_t count) const {
    return PollUntil([&] { return results().size() >= count; });
  }
  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }
  // The pool's idle connections, read on the proxy's thread.
  size_t PoolIdle() {
    std::promise<size_t> idle;
    net::post(io_, [&] { idle.set_value(pool_ ? pool_->idle() : 0); });
    return idle.get_future().get();
  }

 private:
  net::awaitable<void> Accept() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(net::redirect_error(net::use_awaitable, ec));
      if (ec) co_return;
      {
        std::lock_guard lock(mutex_);
        ++connections_;
      }
      net::co_spawn(io_, Serve(std::move(socket)), net::detached);
    }
  }

  net::awaitable<void> Serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      boost::system::error_code ec;
      stream.expires_after(kDeadline);
      co_await http::async_read(stream, buffer, request, net::redirect_error(net::use_awaitable, ec));
      if (ec) break;
      ProxyOptions options;
      {
        std::lock_guard lock(mutex_);
        options = options_;
      }
      std::string_view target(request.target().data(), request.target().size());
      options.api = gateway::ApiOfPath(target).value_or(ApiKind::kAnthropic);
      ProxyResult result = co_await Proxy(stream, std::move(request), target_, options, pool_.get());
      bool keep_alive = result.keep_alive;
      {
        std::lock_guard lock(mutex_);
        results_.push_back(std::move(result));
      }
      if (!keep_alive) break;
    }
    boost::system::error_code ignored;
    stream.socket().close(ignored);
  }

  UpstreamTarget target_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::unique_ptr<UpstreamPool> pool_;  // used on thread_ only; destroyed before io_
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  ProxyOptions options_;
  std::vector<ProxyResult> results_;
  int connections_ = 0;
};

// A blocking HTTP client over Beast; every operation gives up after kDeadline.
class TestClient {
 public:
  explicit TestClient(uint16_t port) : stream_(io_) { Run(DoConnect(port)); }

  void Send(http::request<http::string_body> request) { Run(DoWrite(std::move(request))); }
  void ReadHeader() { Run(DoReadHeader()); }
  // Reads the body until it contains `needle`; false if it ended first.
  bool ReadBodyUntil(std::string needle) { return Run(DoReadUntil(std::move(needle))); }
  std::string body_so_far() const { return parser_->get().body(); }
  http::response<http::string_body> ReadRest() {
    Run(DoReadRest());
    return parser_->release();
  }
  // Reads to the end of the response or an error, which it returns.
  beast::error_code TryReadRest() { return Run(DoTryReadRest()); }
  http::response<http::string_body> RoundTrip(http::request<http::string_body> request) {
    Send(std::move(request));
    ReadHeader();
    return ReadRest();
  }
  // Whether the server closed the connection (EOF, nothing more to read)
  // before kDeadline. Polls the socket: Asio's reactor would not report an
  // end of file a second time.
  bool ServerClosed() {
    return PollUntil([&] {
      char byte;
      ssize_t n = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      return n == 0 || (n < 0 && errno == ECONNRESET);
    });
  }
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

 private:
  template <typename T>
  T Run(net::awaitable<T> operation) {
    std::future<T> result = net::co_spawn(io_, std::move(operation), net::use_future);
    io_.restart();
    io_.run();
    return result.get();
  }

  net::awaitable<void> DoConnect(uint16_t port) {
    stream_.expires_after(kDeadline);
    co_await stream_.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), net::use_awaitable);
  }
  net::awaitable<void> DoWrite(http::request<http::string_body> request) {
    stream_.expires_after(kDeadline);
    co_await http::async_write(stream_, request, net::use_awaitable);
  }
  net::awaitable<void> DoReadHeader() {
    parser_.emplace();
    stream_.expires_after(kDeadline);
    co_await http::async_read_header(stream_, buffer_, *parser_, net::use_awaitable);
  }
  net::awaitable<bool> DoReadUntil(std::string needle) {
    while (parser_->get().body().find(needle) == std::string::npos) {
      if (parser_->is_done()) co_return false;
      stream_.expires_after(kDeadline);
      co_await http::async_read_some(stream_, buffer_, *parser_, net::use_awaitable);
    }
    co_return true;
  }
  net::awaitable<void> DoReadRest() {
    stream_.expires_after(kDeadline);
    co_await http::async_read(stream_, buffer_, *parser_, net::use_awaitable);
  }
  net::awaitable<beast::error_code> DoTryReadRest() {
    beast::error_code ec;
    stream_.expires_after(kDeadline);
    co_await http::async_read(stream_, buffer_, *parser_, net::redirect_error(net::use_awaitable, ec));
    co_return ec;
  }
  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

http::request<http::string_body> MakeRequest(std::string_view target, bool stream, bool keep_alive = true) {
  http::request<http::string_body> request{http::verb::post, std::string(target), 11};
  request.set(http::field::host, "gateway.test");
  request.set(http::field::content_type, "application/json");
  request.set("x-api-key", "sk-client-1");
  request.set("anthropic-version", "2023-06-01");
  request.body() = stream ? R"({"model":"m","max_tokens":64,"stream":true,"messages":[]})"
                          : R"({"model":"m","max_tokens":64,"messages":[]})";
  request.keep_alive(keep_alive);
  request.prepare_payload();
  return request;
}

std::string_view PathOf(ApiKind api) {
  return api == ApiKind::kAnthropic ? gateway::kAnthropicMessagesPath : gateway::kOpenAiChatPath;
}

std::string Join(const std::vector<std::string>& events) {
  std::string out;
  for (const std::string& event : events) out += event;
  return out;
}

std::string ExpectedBody(ApiKind api, bool stream, bool with_thinking, UpstreamStub::Options options = {}) {
  options.with_thinking = with_thinking;
  if (api == ApiKind::kAnthropic) {
    return stream ? Join(UpstreamStub::AnthropicEvents(options)) : UpstreamStub::AnthropicBody(options);
  }
  return stream ? Join(UpstreamStub::OpenAiEvents(options)) : UpstreamStub::OpenAiBody(options);
}

UpstreamTarget TargetFor(const std::string& url, int response_timeout_ms = 600000) {
  absl::StatusOr<UpstreamTarget> target = ParseUpstream({.url = url, .response_timeout_ms = response_timeout_ms});
  EXPECT_TRUE(target.ok()) << target.status();
  return *target;
}

// A loopback port nothing listens on.
uint16_t ClosedPort() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

TEST(ParseUpstreamTest, AcceptsHttpAndHttps) {
  absl::StatusOr<UpstreamTarget> plain = ParseUpstream({.url = "http://127.0.0.1:8080"});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_FALSE(plain->tls);
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 8080);
  EXPECT_EQ(plain->base_path, "");
  EXPECT_EQ(plain->host_header, "127.0.0.1:8080");
  EXPECT_EQ(plain->tls_context, nullptr);

  absl::StatusOr<UpstreamTarget> secure = ParseUpstream({.url = "HTTPS://api.example.com/llm/v2/"});
  ASSERT_TRUE(secure.ok()) << secure.status();
  EXPECT_TRUE(secure->tls);
  EXPECT_EQ(secure->port, 443);
  EXPECT_EQ(secure->base_path, "/llm/v2");
  EXPECT_EQ(secure->host_header, "api.example.com");
  EXPECT_NE(secure->tls_context, nullptr);

  absl::StatusOr<UpstreamTarget> v6 = ParseUpstream({.url = "http://[::1]:9000/"});
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(v6->host_header, "[::1]:9000");
  EXPECT_EQ(ParseUpstream({.url = "http://example.com"})->port, 80);
}

TEST(ParseUpstreamTest, RejectsBadUrls) {
  for (const char* url : {"", "example.com", "ftp://example.com", "http://", "http://:80",
                          "http://host:", "http://host:0", "http://host:65536", "http://host:8x", "http://user@host",
                          "http://host/path?q=1", "http://host/#f", "http://[::1", "http://[::1]x"}) {
    absl::StatusOr<UpstreamTarget> target = ParseUpstream({.url = url});
    EXPECT_FALSE(target.ok()) << url;
    if (!target.ok()) {
      EXPECT_THAT(std::string(target.status().message()), HasSubstr("upstream"));
    }
  }
  EXPECT_FALSE(ParseUpstream({.url = "http://host", .connect_timeout_ms = 0}).ok());
}

class ProxyTest : public ::testing::Test {
 protected:
  void StartProxy(int response_timeout_ms = 600000, bool pooled = true) {
    harness_ = std::make_unique<ProxyHarness>(TargetFor(stub_.url(), response_timeout_ms), pooled);
  }
  UpstreamStub stub_;
  std::unique_ptr<ProxyHarness> harness_;
};

TEST_F(ProxyTest, EveryApiStreamedOrNotStrippedOnlyWhenAsked) {
  StartProxy();
  TestClient client(harness_->port());
  size_t exchanges = 0;
  for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
    for (bool stream : {false, true}) {
      for (bool strip : {false, true}) {
        SCOPED_TRACE(::testing::Message() << gateway::ApiName(api) << " stream=" << stream << " strip=" << strip);
        harness_->SetOptions({.strip_thinking = strip});
        http::response<http::string_body> response = client.RoundTrip(MakeRequest(PathOf(api), stream));
        EXPECT_EQ(response.result_int(), 200);
        EXPECT_EQ(response.body(), ExpectedBody(api, stream, /*with_thinking=*/!strip));
        if (stream) {
          EXPECT_THAT(Str(response[http::field::content_type]), HasSubstr("text/event-stream"));
          EXPECT_TRUE(response.chunked());
        } else {
          EXPECT_EQ(Str(response[http::field::content_length]), std::to_string(response.body().size()));
        }
        ASSERT_TRUE(harness_->WaitForResults(++exchanges));
        ProxyResult result = harness_->results().back();
        EXPECT_EQ(result.status, 200);
        EXPECT_EQ(result.streamed, stream);
        EXPECT_TRUE(result.usage.known);
        EXPECT_EQ(result.usage.input_tokens, 25);
        EXPECT_EQ(result.usage.output_tokens, 42);
        EXPECT_EQ(result.bytes_to_client, static_cast<int64_t>(response.body().size()));
        EXPECT_EQ(result.stripped_blocks > 0, strip);
        EXPECT_FALSE(result.upstream_failed);
        EXPECT_FALSE(result.client_gone);
        EXPECT_TRUE(result.keep_alive);
      }
    }
  }
  // All of it on one client connection.
  EXPECT_EQ(harness_->connections(), 1);
}

TEST_F(ProxyTest, HeadersBothWays) {
  stub_.SetOptions({.response_headers = {{"Keep-Alive", "timeout=5"},
                                         {"Proxy-Thing", "x"},
                                         {"X-Hop", "named in Connection"},
                                         {"Connection", "X-Hop"},
                                         {"anthropic-ratelimit-tokens-remaining", "999"}}});
  StartProxy();
  harness_->SetOptions(
      {.upstream_headers = {{"x-hydraguard-suspect", "1"}, {"x-api-key", "sk-gateway"}},
       .response_headers = {{"x-ratelimit-remaining", "7"}, {"anthropic-ratelimit-tokens-remaining", "5"}}});
  TestClient client(harness_->port());
  http::request<http::string_body> request = MakeRequest(gateway::kAnthropicMessagesPath, false);
  request.set(http::field::connection, "keep-alive, X-Drop-Me");
  request.set("X-Drop-Me", "1");
  request.set("Keep-Alive", "timeout=5");
  request.set("Proxy-Authorization", "Basic eA==");
  request.set("TE", "trailers");
  request.set("Upgrade", "websocket");
  request.set("Accept-Encoding", "gzip");
  request.set("Authorization", "Bearer sk-client-1");
  request.set("X-Custom", "kept");
  http::response<http::string_body> response = client.RoundTrip(std::move(request));
  EXPECT_EQ(response.result_int(), 200);

  ASSERT_TRUE(stub_.WaitForRequests(1, kDeadline));
  testing::StubRequest seen = stub_.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v1/messages");
  EXPECT_EQ(seen.Header("host"), "127.0.0.1:" + std::to_string(stub_.port()));
  EXPECT_EQ(seen.Header("x-hydraguard-suspect"), "1");
  EXPECT_EQ(seen.Header("x-api-key"), "sk-gateway");  // the gateway's value wins
  EXPECT_EQ(seen.Header("anthropic-version"), "2023-06-01");
  EXPECT_EQ(seen.Header("authorization"), "Bearer sk-client-1");
  EXPECT_EQ(seen.Header("x-custom"), "kept");
  EXPECT_EQ(seen.body, MakeRequest(gateway::kAnthropicMessagesPath, false).body());
  for (const char* dropped : {"x-drop-me", "keep-alive", "proxy-authorization", "te", "upgrade", "accept-encoding"}) {
    EXPECT_FALSE(seen.HasHeader(dropped)) << dropped;
  }

  EXPECT_EQ(Str(response["x-ratelimit-remaining"]), "7");
  EXPECT_EQ(Str(response["anthropic-ratelimit-tokens-remaining"]), "5");
  EXPECT_THAT(Str(response["request-id"]), HasSubstr("req_stub_"));
  for (const char* dropped : {"keep-alive", "proxy-thing", "x-hop"}) {
    EXPECT_EQ(response.find(dropped), response.end()) << dropped;
  }
}

TEST_F(ProxyTest, BasePathIsPrefixed) {
  harness_ = std::make_unique<ProxyHarness>(TargetFor(stub_.url() + "/prefix/"));
  TestClient client(harness_->port());
  http::response<http::string_body> response = client.RoundTrip(MakeRequest("/v1/messages?beta=true", false));
  EXPECT_EQ(response.result_int(), 404);  // the stub serves only the bare paths
  ASSERT_TRUE(stub_.WaitForRequests(1, kDeadline));
  EXPECT_EQ(stub_.requests()[0].target, "/prefix/v1/messages?beta=true");
}

TEST_F(ProxyTest, FirstEventReachesTheClientWhileTheRestIsHeld) {
  stub_.SetOptions({.hold = UpstreamStub::Hold::kAfterFirstEvent});
  StartProxy();
  harness_->SetOptions({.strip_thinking = true});
  TestClient client(harness_->port());
  client.Send(MakeRequest(gateway::kAnthropicMessagesPath, true));
  client.ReadHeader();
  ASSERT_TRUE(client.ReadBodyUntil("\n\n"));
  // The stub holds every event after the first (it counts itself as holding
  // only after its write returns, so wait for that rather than read it once):
  // the proxy relayed the first event without waiting for the response to end.
  ASSERT_TRUE(stub_.WaitUntilHolding(1, kDeadline));
  EXPECT_THAT(client.body_so_far(), HasSubstr("message_start"));
  EXPECT_THAT(client.body_so_far(), Not(HasSubstr("message_stop")));
  stub_.Release();
  http::response<http::string_body> response = client.ReadRest();
  EXPECT_EQ(response.body(), ExpectedBody(ApiKind::kAnthropic, true, false));
}

TEST_F(ProxyTest, OpenAiFirstChunkIsRelayedAtOnceToo) {
  stub_.SetOptions({.hold = UpstreamStub::Hold::kAfterFirstEvent});
  StartProxy();
  TestClient client(harness_->port());
  client.Send(MakeRequest(gateway::kOpenAiChatPath, true));
  client.ReadHeader();
  ASSERT_TRUE(client.ReadBodyUntil("\n\n"));
  ASSERT_TRUE(stub_.WaitUntilHolding(1, kDeadline));
  EXPECT_THAT(client.body_so_far(), Not(HasSubstr("[DONE]")));
  stub_.Release();
  EXPECT_EQ(client.ReadRest().body(), ExpectedBody(ApiKind::kOpenAi, true, true));
}

TEST_F(ProxyTest, EventsSpreadOverTimeAndUnchunkedUpstream) {
  stub_.SetOptions({.event_delay_ms = 2, .chunked = false});
  StartProxy();
  harness_->SetOptions({.strip_thinking = true});
  TestClient client(harness_->port());
  http::response<http::string_body> response = client.RoundTrip(MakeRequest(gateway::kOpenAiChatPath, true));
  EXPECT_EQ(response.body(), ExpectedBody(ApiKind::kOpenAi, true, false));
  EXPECT_TRUE(response.chunked());  // the client still gets a delimited body
  ASSERT_TRUE(harness_->WaitForResults(1));
  EXPECT_TRUE(harness_->results()[0].keep_alive);
}

TEST_F(ProxyTest, UpstreamDownIs502InTheApisShape) {
  harness_ = std::make_unique<ProxyHarness>(TargetFor("http://127.0.0.1:" + std::to_string(ClosedPort())));
  harness_->SetOptions({.response_headers = {{"x-ratelimit-remaining", "3"}}});
  TestClient client(harness_->port());
  for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
    http::response<http::string_body> response = client.RoundTrip(MakeRequest(PathOf(api), true));
    EXPECT_EQ(response.result_int(), 502);
    EXPECT_EQ(Str(response[http::field::content_type]), "application/json");
    EXPECT_EQ(Str(response["x-ratelimit-remaining"]), "3");
    simdjson::dom::parser parser;
    simdjson::dom::element body;
    ASSERT_FALSE(parser.parse(response.body()).get(body)) << response.body();
    std::string_view type;
    if (api == ApiKind::kAnthropic) {
      EXPECT_EQ(body["type"].get_string().value_unsafe(), "error");
      EXPECT_FALSE(body["error"]["type"].get_string().get(type));
      EXPECT_EQ(type, "api_error");
    } else {
      EXPECT_FALSE(body["error"]["type"].get_string().get(type));
      EXPECT_EQ(type, "server_error");
    }
  }
  ASSERT_TRUE(harness_->WaitForResults(2));
  for (const ProxyResult& result : harness_->results()) {
    EXPECT_EQ(result.status, 502);
    EXPECT_TRUE(result.upstream_failed);
    EXPECT_THAT(result.error, HasSubstr("connecting"));
    EXPECT_TRUE(result.keep_alive);  // the second request came on the same connection
  }
  EXPECT_EQ(harness_->connections(), 1);
}

TEST_F(ProxyTest, HttpsUpstreamThatFailsTheHandshakeIs502) {
  // The stub speaks plain HTTP: the TLS handshake cannot succeed.
  harness_ = std::make_unique<ProxyHarness>(TargetFor("https://127.0.0.1:" + std::to_string(stub_.port())));
  TestClient client(harness_->port());
  http::response<http::string_body> response = client.RoundTrip(MakeRequest(gateway::kOpenAiChatPath, false));
  EXPECT_EQ(response.result_int(), 502);
  EXPECT_THAT(response.body(), HasSubstr("server_error"));
  ASSERT_TRUE(harness_->WaitForResults(1));
  EXPECT_THAT(harness_->results()[0].error, HasSubstr("TLS"));
}

TEST_F(ProxyTest, SilentUpstreamIs504) {
  stub_.SetOptions({.hold = UpstreamStub::Hold::kBeforeResponse});
  StartProxy(/*response_timeout_ms=*/50);
  TestClient client(harness_->port());
  http::response<http::string_body> response = client.RoundTrip(MakeRequest(gateway::kAnthropicMessagesPath, false));
  EXPECT_EQ(response.result_int(), 504);
  EXPECT_THAT(response.body(), HasSubstr("api_error"));
  ASSERT_TRUE(harness_->WaitForResults(1));
  EXPECT_TRUE(harness_->results()[0].upstream_failed);
  stub_.Release();
}

TEST_F(ProxyTest, UpstreamErrorStatusPassesThrough) {
  StartProxy();
  harness_->SetOptions({.strip_thinking = true});
  TestClient client(harness_->port());
  for (int status : {529, 500, 429}) {
    stub_.SetOptions({.status = status});
    for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
      http::response<http::string_body> response = client.RoundTrip(MakeRequest(PathOf(api), true));
      EXPECT_EQ(response.result_int(), status);
      EXPECT_EQ(response.body(), UpstreamStub::ErrorBodyFor(api == ApiKind::kAnthropic, status));
    }
  }
  ASSERT_TRUE(harness_->WaitForResults(6));
  for (const ProxyResult& result : harness_->results()) {
    EXPECT_FALSE(result.upstream_failed);
    EXPECT_FALSE(result.streamed);
    EXPECT_TRUE(result.keep_alive);
  }
}

TEST_F(ProxyTest, ClientLeavingMidStreamStopsTheUpstream) {
  stub_.SetOptions({.hold = UpstreamStub::Hold::kAfterFirstEvent});
  StartProxy();
  TestClient client(harness_->port());
  client.Send(MakeRequest(gateway::kAnthropicMessagesPath, true));
  client.ReadHeader();
  ASSERT_TRUE(client.ReadBodyUntil("\n\n"));
  client.Close();
  // The proxy notices although the upstream is silent, and hangs up on it.
  ASSERT_TRUE(harness_->WaitForResults(1));
  ProxyResult result = harness_->results()[0];
  EXPECT_TRUE(result.client_gone);
  EXPECT_TRUE(result.streamed);
  EXPECT_FALSE(result.keep_alive);
  EXPECT_FALSE(result.upstream_failed);
  EXPECT_TRUE(result.usage.known);  // message_start was seen
  EXPECT_TRUE(stub_.WaitForPeerDisconnects(1, kDeadline));
  // That upstream connection was not kept: the next request opens another.
  stub_.Release();
  TestClient next(harness_->port());
  EXPECT_EQ(next.RoundTrip(MakeRequest(gateway::kAnthropicMessagesPath, false)).result_int(), 200);
  ASSERT_TRUE(harness_->WaitForResults(2));
  EXPECT_FALSE(harness_->results()[1].reused_connection);
  EXPECT_EQ(stub_.connections(), 2);
}

TEST_F(ProxyTest, ClientGoneBeforeTheStreamStartsIsNoticed) {
  stub_.SetOptions({.hold = UpstreamStub::Hold::kAfterFirstEvent});
  StartProxy();
  TestClient client(harness_->port());
  client.Send(MakeRequest(gateway::kAnthropicMessagesPath, true));
  client.Close();  // before anything came back
  ASSERT_TRUE(harness_->WaitForResults(1));
  EXPECT_TRUE(harness_->results()[0].client_gone);
  EXPECT_FALSE(harness_->results()[0].keep_alive);
  EXPECT_TRUE(stub_.WaitForPeerDisconnects(1, kDeadline));
}

TEST_F(ProxyTest, UpstreamCutMidStreamEndsWithAnErrorEvent) {
  auto stub = std::make_unique<UpstreamStub>(UpstreamStub::Options{.hold = UpstreamStub::Hold::kAfterFirstEvent});
  harness_ = std::make_unique<ProxyHarness>(TargetFor(stub->url()));
  TestClient client(harness_->port());
  client.Send(MakeRequest(gateway::kAnthropicMessagesPath, true));
  client.ReadHeader();
  ASSERT_TRUE(client.ReadBodyUntil("\n\n"));
  stub.reset();                                                   // closes the upstream connection mid-response
  EXPECT_EQ(client.TryReadRest(), http::error::partial_message);  // the body never ends properly
  EXPECT_THAT(client.body_so_far(), HasSubstr("event: error\ndata: {\"type\":\"error\""));
  ASSERT_TRUE(harness_->WaitForResults(1));
  ProxyResult result = harness_->results()[0];
  EXPECT_TRUE(result.upstream_failed);
  EXPECT_FALSE(result.keep_alive);
  EXPECT_TRUE(client.ServerClosed());
}

TEST_F(ProxyTest, ConnectionCloseIsHonoured) {
  StartProxy();
  TestClient client(harness_->port());
  http::response<http::string_body> response =
      client.RoundTrip(MakeRequest(gateway::kAnthropicMessagesPath, true, /*keep_alive=*/false));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(client.ServerClosed());
  ASSERT_TRUE(harness_->WaitForResults(1));
  EXPECT_FALSE(harness_->results()[0].keep_alive);
}

TEST_F(ProxyTest, Http10ClientGetsTheStreamUntilClose) {
  StartProxy();
  TestClient client(harness_->port());
  http::request<http::string_body> request = MakeRequest(gateway::kOpenAiChatPath, true);
  request.version(10);
  http::response<http::string_body> response = client.RoundTrip(std::move(request));
  EXPECT_EQ(response.version(), 10);
  EXPECT_FALSE(response.chunked());
  EXPECT_EQ(response.body(), ExpectedBody(ApiKind::kOpenAi, true, true));
}

TEST_F(ProxyTest, KeptAliveUpstreamConnectionCarriesTheNextRequests) {
  StartProxy();
  size_t exchanges = 0;
  for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
    for (bool stream : {false, true}) {
      TestClient client(harness_->port());  // a new client each time: the upstream side is what is kept
      http::response<http::string_body> response = client.RoundTrip(MakeRequest(PathOf(api), stream));
      EXPECT_EQ(response.result_int(), 200);
      EXPECT_EQ(response.body(), ExpectedBody(api, stream, true));
      ++exchanges;
    }
  }
  ASSERT_TRUE(harness_->WaitForResults(exchanges));
  std::vector<ProxyResult> results = harness_->results();
  EXPECT_FALSE(results[0].reused_connection);
  for (size_t index = 1; index < results.size(); ++index) EXPECT_TRUE(results[index].reused_connection) << index;
  EXPECT_EQ(stub_.connections(), 1);
  EXPECT_EQ(harness_->PoolIdle(), 1u);
  // Without a pool, one connection per request, and the upstream is asked to close it.
  StartProxy(600000, /*pooled=*/false);
  for (int request = 0; request < 2; ++request) {
    TestClient client(harness_->port());
    EXPECT_EQ(client.RoundTrip(MakeRequest(gateway::kAnthropicMessagesPath, false)).result_int(), 200);
  }
  ASSERT_TRUE(harness_->WaitForResults(2));
  EXPECT_FALSE(harness_->results()[1].reused_connection);
  EXPECT_EQ(stub_.connections(), 3);
  EXPECT_EQ(stub_.requests().back().Header("connection"), "close");
}

TEST_F(ProxyTest, InterimResponsesAreDroppedAndTheFinalOneRelayed) {
  // A raw upstream: "103 Early Hints" first, then the real answer.
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  std::thread upstream([&] {
    tcp::socket socket = acceptor.accept();
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request);
    net::write(socket, net::buffer(std::string_view(
                           "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")));
    char byte;
    boost::system::error_code ignored;
    socket.read_some(net::buffer(&byte, 1), ignored);  // until the proxy closes or sends more
  });
  harness_ =
      std::make_unique<ProxyHarness>(TargetFor(fmt::format("http://127.0.0.1:{}", acceptor.local_endpoint().port())));
  {
    TestClient client(harness_->port());
    http::response<http::string_body> response = client.RoundTrip(MakeRequest(gateway::kAnthropicMessagesPath, false));
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(response.body(), "{}");
  }
  ASSERT_TRUE(harness_->WaitForResults(1));
  EXPECT_EQ(harness_->results()[0].status, 200);
  EXPECT_EQ(harness_->PoolIdle(), 1u);  // clean after the final response
  harness_.reset();                     // closes the kept connection: the upstream thread ends
  upstream.join();
}

TEST_F(ProxyTest, UpstreamThatEndsTheConnectionIsNotReused) {
  stub_.SetOptions({.chunked = false});  // a streamed body that ends at close
  StartProxy();
  for (int request = 0; request < 2; ++request) {
    TestClient client(harness_->port());
    http::response<http::string_body> response = client.RoundTrip(MakeRequest(gateway::kOpenAiChatPath, true));
    EXPECT_EQ(response.body(), ExpectedBody(ApiKind::kOpenAi, true, true));
  }
  ASSERT_TRUE(harness_->WaitForResults(2));
  EXPECT_FALSE(harness_->results()[1].reused_connection);
  EXPECT_EQ(stub_.connections(), 2);
  EXPECT_EQ(harness_->PoolIdle(), 0u);  // never given back, not only skipped later
}

TEST_F(ProxyTest, KeptConnectionTheUpstreamClosedIsReplaced) {
  auto first = std::make_unique<UpstreamStub>();
  const uint16_t port = first->port();
  harness_ = std::make_unique<ProxyHarness>(TargetFor(first->url()));
  {
    TestClient client(harness_->port());
    EXPECT_EQ(client.RoundTrip(MakeRequest(gateway::kAnthropicMessagesPath, false)).result_int(), 200);
  }
  ASSERT_TRUE(harness_->WaitForResults(1));
  // The upstream restarts: the kept connection is closed from its side.
  first.reset();
  UpstreamStub second({}, port);
  TestClient client(harness_->port());
  http::response<http::string_body> response = client.RoundTrip(MakeRequest(gateway::kAnthropicMessagesPath, false));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), ExpectedBody(ApiKind::kAnthropic, false, true));
  ASSERT_TRUE(harness_->WaitForResults(2));
  EXPECT_FALSE(harness_->results()[1].reused_connection);
  EXPECT_FALSE(harness_->results()[1].upstream_failed);
  EXPECT_EQ(second.connections(), 1);
}

}  // namespace
}  // namespace hydraguard::server
