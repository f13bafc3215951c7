#include "server/internal/proxy_headers.h"

#include <gtest/gtest.h>

namespace hydraguard::server::internal {
namespace {

namespace http = boost::beast::http;

std::string Str(boost::beast::string_view text) { return std::string(text.data(), text.size()); }

TEST(ProxyHeadersTest, HopByHop) {
  for (const char* name : {"Connection", "keep-alive", "Proxy-Authorization", "proxy-connection", "PROXY-X", "TE",
                           "Trailer", "Transfer-Encoding", "upgrade"}) {
    EXPECT_TRUE(IsHopByHop(name)) << name;
  }
  for (const char* name : {"x-api-key", "Authorization", "Host", "Content-Type", "tee", "proxy"}) {
    EXPECT_FALSE(IsHopByHop(name)) << name;
  }
}

TEST(ProxyHeadersTest, EventStream) {
  EXPECT_TRUE(IsEventStream("text/event-stream"));
  EXPECT_TRUE(IsEventStream("Text/Event-Stream; charset=utf-8"));
  EXPECT_TRUE(IsEventStream(" text/event-stream ;x=y"));
  EXPECT_FALSE(IsEventStream("application/json"));
  EXPECT_FALSE(IsEventStream(""));
}

TEST(ProxyHeadersTest, UpstreamRequest) {
  http::request<http::string_body> request{http::verb::post, "/v1/messages?x=1", 10};
  request.set(http::field::host, "gateway");
  request.set(http::field::connection, "keep-alive, X-Secret");
  request.set("X-Secret", "s");
  request.set(http::field::expect, "100-continue");
  request.set(http::field::accept_encoding, "gzip");
  request.set(http::field::content_length, "999");
  request.set("x-api-key", "k");
  request.set("x-suspect", "client-sent");
  request.body() = "{}";
  http::request<http::string_body> out =
      MakeUpstreamRequest(std::move(request), "api.example:8443", "/base", {{"x-suspect", "1"}});
  EXPECT_EQ(out.method(), http::verb::post);
  EXPECT_EQ(Str(out.target()), "/base/v1/messages?x=1");
  EXPECT_EQ(out.version(), 11);
  EXPECT_EQ(Str(out[http::field::host]), "api.example:8443");
  EXPECT_EQ(Str(out["x-api-key"]), "k");
  EXPECT_EQ(Str(out["x-suspect"]), "1");
  EXPECT_EQ(out.count("x-suspect"), 1u);
  EXPECT_EQ(Str(out[http::field::content_length]), "2");
  EXPECT_EQ(out.count(http::field::connection), 0u);  // keep-alive: the proxy pools its upstream connections
  for (const char* dropped : {"X-Secret", "Expect", "Accept-Encoding"}) {
    EXPECT_EQ(out.count(dropped), 0u) << dropped;
  }
  EXPECT_EQ(out.body(), "{}");
}

TEST(ProxyHeadersTest, UnknownMethodIsKept) {
  http::request<http::string_body> request;
  request.method_string("PURGE");
  request.target("/");
  http::request<http::string_body> out = MakeUpstreamRequest(std::move(request), "h", "", {});
  EXPECT_EQ(Str(out.method_string()), "PURGE");
}

TEST(ProxyHeadersTest, ResponseHeaders) {
  http::fields upstream;
  upstream.set(http::field::content_type, "text/event-stream");
  upstream.set(http::field::content_length, "10");
  upstream.set(http::field::transfer_encoding, "chunked");
  upstream.insert(http::field::connection, "keep-alive");
  upstream.insert(http::field::connection, "X-Hop");
  upstream.set("X-Hop", "1");
  upstream.set("request-id", "r1");
  upstream.set("x-limit", "upstream");
  upstream.insert("set-cookie", "a=1");
  upstream.insert("set-cookie", "b=2");
  http::fields out;
  CopyResponseHeaders(upstream, {{"x-limit", "gateway"}}, &out);
  EXPECT_EQ(Str(out[http::field::content_type]), "text/event-stream");
  EXPECT_EQ(Str(out["request-id"]), "r1");
  EXPECT_EQ(Str(out["x-limit"]), "gateway");
  EXPECT_EQ(out.count("set-cookie"), 2u);
  for (const char* dropped : {"Content-Length", "Transfer-Encoding", "Connection", "X-Hop"}) {
    EXPECT_EQ(out.count(dropped), 0u) << dropped;
  }
}

}  // namespace
}  // namespace hydraguard::server::internal
