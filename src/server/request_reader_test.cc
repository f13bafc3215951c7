#include "server/request_reader.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <thread>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/http_client.h"

namespace hydraguard::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using hydraguard::testing::RawReply;
using hydraguard::testing::SendRaw;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A server that reads requests with ReadRequest and answers each with what
// it read: 200 and "<method> <target> key=<x-api-key values> body=<body>
// trailers=<n>", or the refusal's status and code, then closes.
class ReaderServer {
 public:
  explicit ReaderServer(ReadLimits limits) : limits_(limits) {
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ReaderServer() {
    io_.stop();
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      asio::ip::tcp::socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
      asio::co_spawn(io_, Serve(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }
  asio::awaitable<void> Serve(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    for (;;) {
      ReadResult read = co_await ReadRequest(stream, buffer, limits_);
      if (read.kind == ReadResult::kClosed) break;
      http::response<http::string_body> response;
      if (read.kind == ReadResult::kRefused) {
        response.result(read.status);
        response.body() = read.code + ": " + read.message;
        response.keep_alive(false);
      } else {
        std::string keys;
        for (const auto& field : read.request) {
          if (beast::iequals(field.name_string(), "x-api-key")) keys += std::string(field.value()) + ";";
        }
        response.result(200);
        response.body() =
            fmt::format("{} {} key={} body={} trailers={}", std::string(read.request.method_string()),
                        std::string(read.request.target()), keys, read.request.body(), read.dropped_trailers);
        response.keep_alive(read.request.keep_alive());
      }
      response.prepare_payload();
      boost::system::error_code error;
      co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, error));
      if (error || !response.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }

  ReadLimits limits_;
  asio::io_context io_{1};
  asio::ip::tcp::acceptor acceptor_{io_};
  std::thread thread_;
};

class RequestReaderTest : public ::testing::Test {
 protected:
  RawReply Send(std::string_view bytes) {
    absl::StatusOr<RawReply> reply = SendRaw(server_.port(), bytes, 2'000);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : RawReply{};
  }
  ReaderServer server_{
      ReadLimits{.max_uri_bytes = 1024, .max_header_bytes = 4096, .max_body_bytes = 1000, .timeout_ms = 300}};
};

constexpr std::string_view kChunkedBody = "5\r\nhello\r\n0\r\n\r\n";

TEST_F(RequestReaderTest, PlainAndChunkedRequestsAreRead) {
  RawReply reply = Send(
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
      "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
      std::string(kChunkedBody));
  EXPECT_THAT(reply.Statuses(), ElementsAre(200, 200)) << reply.bytes;
  EXPECT_THAT(reply.bytes, HasSubstr("POST /a key= body=hello"));
  EXPECT_THAT(reply.bytes, HasSubstr("POST /b key= body=hello trailers=0"));
  EXPECT_TRUE(reply.closed);
}

TEST_F(RequestReaderTest, FinalCodingNotChunkedIsRefusedAndTheConnectionClosed) {
  // Were the body read as the next request, a second status would follow.
  RawReply reply = Send(
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
      "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(reply.Statuses(), ElementsAre(400));
  EXPECT_THAT(reply.bytes, HasSubstr("final Transfer-Encoding must be chunked"));
  EXPECT_THAT(reply.bytes, Not(HasSubstr("smuggled")));
  EXPECT_TRUE(reply.closed);
  EXPECT_THAT(Send("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nxxxx").Statuses(), ElementsAre(400));
}

TEST_F(RequestReaderTest, UnknownCodingIs501) {
  RawReply reply =
      Send("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: foo, chunked\r\n\r\n" + std::string(kChunkedBody));
  EXPECT_THAT(reply.Statuses(), ElementsAre(501));
  EXPECT_THAT(reply.bytes, HasSubstr("\"foo\" is not supported"));
  EXPECT_TRUE(reply.closed);
  // Two Transfer-Encoding fields add up to one list.
  EXPECT_THAT(Send("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" +
                   std::string(kChunkedBody))
                  .Statuses(),
              ElementsAre(501));
  EXPECT_THAT(
      Send("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n" + std::string(kChunkedBody))
          .Statuses(),
      ElementsAre(400));
}

TEST_F(RequestReaderTest, ContentLengthWithTransferEncodingIsRefusedAndClosed) {
  for (std::string_view head :
       {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
        "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n"}) {
    RawReply reply = Send("POST /a HTTP/1.1\r\nHost: x\r\n" + std::string(head) + "\r\n" + std::string(kChunkedBody));
    EXPECT_THAT(reply.Statuses(), ElementsAre(400)) << head;
    EXPECT_TRUE(reply.closed) << head;
  }
}

TEST_F(RequestReaderTest, ObsFoldIsRefused) {
  RawReply reply = Send("POST /a HTTP/1.1\r\nHost: x\r\nX-Api-Key: sk-good\r\n sk-other\r\nContent-Length: 0\r\n\r\n");
  EXPECT_THAT(reply.Statuses(), ElementsAre(400));
  EXPECT_THAT(reply.bytes, HasSubstr("obs-fold"));
  EXPECT_TRUE(reply.closed);
  EXPECT_THAT(Send("POST /a HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\tcontinued\r\nContent-Length: 0\r\n\r\n").Statuses(),
              ElementsAre(400));
}

TEST_F(RequestReaderTest, OversizedUriHeadersAndBody) {
  EXPECT_THAT(Send("GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n").Statuses(), ElementsAre(414));
  // A long request line still arriving (no CRLF yet) is refused as soon as it is too long.
  EXPECT_THAT(Send("GET /" + std::string(2000, 'a')).Statuses(), ElementsAre(414));
  EXPECT_THAT(Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(5000, 'b') + "\r\n\r\n").Statuses(),
              ElementsAre(431));
  EXPECT_THAT(Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + std::string(2000, 'c')).Statuses(),
              ElementsAre(413));
}

TEST_F(RequestReaderTest, TrailersAreDroppedNeverMerged) {
  RawReply reply = Send(
      "POST /a HTTP/1.1\r\nHost: x\r\nX-Api-Key: sk-good\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
      "5\r\nhello\r\n0\r\nX-Api-Key: sk-blocked\r\nX-Other: 1\r\n\r\n");
  EXPECT_THAT(reply.Statuses(), ElementsAre(200));
  EXPECT_THAT(reply.bytes, HasSubstr("key=sk-good; body=hello trailers=2"));
  EXPECT_THAT(reply.bytes, Not(HasSubstr("sk-blocked")));
}

TEST_F(RequestReaderTest, SlowClientGets408AndIdleConnectionIsJustClosed) {
  RawReply slow = Send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"model\"");
  EXPECT_THAT(slow.Statuses(), ElementsAre(408));
  EXPECT_TRUE(slow.closed);
  RawReply slow_header = Send("POST /a HTTP/1.1\r\nHost: x\r\n");
  EXPECT_THAT(slow_header.Statuses(), ElementsAre(408));
  RawReply idle = Send("");
  EXPECT_TRUE(idle.Statuses().empty());
  EXPECT_TRUE(idle.closed);
}

}  // namespace
}  // namespace hydraguard::server
