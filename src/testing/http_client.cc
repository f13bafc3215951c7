#include "testing/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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

}  // namespace hydraguard::testing
