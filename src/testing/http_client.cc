#include "testing/http_client.h"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <functional>
#include <optional>
#include <utility>  // before Boost (asio/awaitable.hpp needs std::exchange)

#include "absl/strings/ascii.h"

namespace hydraguard::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string HttpReply::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::AsciiStrToLower(key) == absl::AsciiStrToLower(std::string(name))) return value;
  }
  return "";
}

struct HttpClient::Impl {
  uint16_t port;
  int timeout_ms;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(uint16_t port, int timeout_ms) : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->timeout_ms = timeout_ms;
}

HttpClient::~HttpClient() = default;

absl::StatusOr<HttpReply> HttpClient::Send(std::string_view method, std::string_view target, std::string_view body,
                                           const HeaderList& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    beast::error_code error;
    bool fresh = false;
    if (!impl_->stream) {
      impl_->stream.emplace(impl_->io);
      impl_->buffer.clear();
      impl_->stream->expires_after(std::chrono::milliseconds(impl_->timeout_ms));
      impl_->stream->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), error);
      if (error) {
        impl_->stream.reset();
        return absl::UnavailableError("connect: " + error.message());
      }
      fresh = true;
    }
    http::request<http::string_body> request{http::string_to_verb(beast::string_view(method.data(), method.size())),
                                             beast::string_view(target.data(), target.size()), 11};
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::string(body);
    if (!body.empty() && request.find(http::field::content_type) == request.end()) {
      request.set(http::field::content_type, "application/json");
    }
    request.prepare_payload();
    impl_->stream->expires_after(std::chrono::milliseconds(impl_->timeout_ms));
    http::write(*impl_->stream, request, error);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (!error) http::read(*impl_->stream, impl_->buffer, parser, error);
    if (error) {
      impl_->stream.reset();
      // A kept-alive connection the server closed meanwhile: retry once anew.
      if (!fresh) continue;
      return absl::UnavailableError(std::string(method) + " " + std::string(target) + ": " + error.message());
    }
    http::response<http::string_body> response = parser.release();
    HttpReply reply;
    reply.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    reply.body = std::move(response.body());
    reply.keep_alive = response.keep_alive();
    if (!reply.keep_alive) impl_->stream.reset();
    return reply;
  }
  return absl::UnavailableError("unreachable");
}

std::vector<int> RawReply::Statuses() const {
  // Responses one after another, each sized by its Content-Length.
  std::vector<int> statuses;
  size_t at = 0;
  while (at + 12 <= bytes.size() && bytes.compare(at, 7, "HTTP/1.") == 0) {
    statuses.push_back(std::atoi(bytes.substr(at + 9, 3).c_str()));
    size_t head_end = bytes.find("\r\n\r\n", at);
    if (head_end == std::string::npos) break;
    std::string head = absl::AsciiStrToLower(bytes.substr(at, head_end - at));
    size_t length_at = head.find("\r\ncontent-length:");
    size_t length = length_at == std::string::npos ? 0 : std::atoi(head.c_str() + length_at + 17);
    at = head_end + 4 + length;
  }
  return statuses;
}

std::string RawReply::Header(std::string_view name) const {
  std::string head = bytes.substr(0, bytes.find("\r\n\r\n"));
  std::string wanted = "\r\n" + absl::AsciiStrToLower(std::string(name)) + ":";
  size_t at = absl::AsciiStrToLower(head).find(wanted);
  if (at == std::string::npos) return "";
  size_t start = at + wanted.size(), end = head.find("\r\n", start);
  std::string value = head.substr(start, end == std::string::npos ? std::string::npos : end - start);
  absl::StripAsciiWhitespace(&value);
  return value;
}

absl::StatusOr<RawReply> SendRaw(uint16_t port, std::string_view bytes, int timeout_ms) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code error;
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), error);
  if (error) return absl::UnavailableError("connect: " + error.message());
  RawReply reply;
  asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), [](beast::error_code, size_t) {});
  std::array<char, 4096> chunk;
  std::function<void()> read = [&] {
    stream.async_read_some(asio::buffer(chunk), [&](beast::error_code read_error, size_t size) {
      reply.bytes.append(chunk.data(), size);
      if (read_error == beast::error::timeout) return;
      if (read_error) {
        reply.closed = true;
        return;
      }
      read();
    });
  };
  read();
  io.run();
  return reply;
}

}  // namespace hydraguard::testing
