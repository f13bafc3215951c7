#include "server/request_reader.h"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "fmt/format.h"

namespace hydraguard::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

ReadResult Refuse(int status, std::string code, std::string message, std::string target = "") {
  ReadResult result;
  result.kind = ReadResult::kRefused;
  result.status = status;
  result.code = std::move(code);
  result.message = std::move(message);
  result.target = std::move(target);
  return result;
}

ReadResult Closed() { return ReadResult{}; }

std::string_view View(const beast::flat_buffer& buffer) {
  return {static_cast<const char*>(buffer.data().data()), buffer.data().size()};
}

// RFC 9112 6.1-6.3: what the Transfer-Encoding and Content-Length fields
// say, refused unless the body is plainly chunked or plainly sized.
std::optional<ReadResult> CheckFraming(const http::request_header<>& header, std::string_view target) {
  std::vector<std::string> codings;
  bool has_transfer_encoding = false;
  bool has_content_length = false;
  for (const auto& field : header) {
    if (field.name() == http::field::content_length) has_content_length = true;
    if (field.name() != http::field::transfer_encoding) continue;
    has_transfer_encoding = true;
    std::string_view value(field.value().data(), field.value().size());
    for (;;) {
      size_t comma = value.find(',');
      std::string coding(value.substr(0, std::min(comma, value.find(';'))));  // without transfer parameters
      absl::StripAsciiWhitespace(&coding);
      codings.push_back(absl::AsciiStrToLower(coding));
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  if (!has_transfer_encoding) return std::nullopt;
  std::string where(target);
  if (has_content_length) {
    return Refuse(400, "bad_framing", "Content-Length and Transfer-Encoding together are not allowed.", where);
  }
  if (codings.empty() || codings.back() != "chunked") {
    return Refuse(400, "bad_framing", "The final Transfer-Encoding must be chunked.", where);
  }
  codings.pop_back();
  if (codings.empty()) return std::nullopt;
  if (std::find(codings.begin(), codings.end(), "chunked") != codings.end()) {
    return Refuse(400, "bad_framing", "Transfer-Encoding chunked may be applied only once.", where);
  }
  return Refuse(501, "unsupported_transfer_encoding",
                fmt::format("Transfer-Encoding \"{}\" is not supported; send the body chunked or with "
                            "Content-Length.",
                            codings.front()),
                where);
}

// Shared between the read and its deadline, which may fire after the read
// has returned.
struct Deadline {
  bool done = false;
  bool fired = false;
};

}  // namespace

asio::awaitable<ReadResult> ReadRequest(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                        const ReadLimits& limits) {
  auto deadline_state = std::make_shared<Deadline>();
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  asio::steady_timer deadline(executor);
  deadline.expires_after(std::chrono::milliseconds(limits.timeout_ms));
  deadline.async_wait([deadline_state, socket = &stream.socket()](const boost::system::error_code& error) {
    if (error || deadline_state->done) return;
    deadline_state->fired = true;
    boost::system::error_code ignored;
    socket->cancel(ignored);
  });
  struct Finish {  // the read is over whichever way it returns
    std::shared_ptr<Deadline> state;
    asio::steady_timer& timer;
    ~Finish() {
      state->done = true;
      timer.cancel();
    }
  } finish{deadline_state, deadline};
  stream.expires_never();
  auto timed_out = [&] {
    return Refuse(408, "request_timeout", fmt::format("The request was not received within {} ms.", limits.timeout_ms));
  };

  // 1. The header section, whole, before any parsing: its raw bytes are
  //    checked for what the parser would accept silently.
  size_t header_bytes = 0;
  for (;;) {
    std::string_view data = View(buffer);
    size_t blank = 0;
    while (blank < data.size() && (data[blank] == '\r' || data[blank] == '\n')) ++blank;  // RFC 9112 2.2
    if (blank > 0) {
      buffer.consume(blank);
      data = View(buffer);
    }
    size_t end = data.find("\r\n\r\n");
    if (end != std::string_view::npos) {
      header_bytes = end + 4;
      break;
    }
    size_t line_end = data.find("\r\n");
    if (static_cast<int64_t>(line_end == std::string_view::npos ? data.size() : line_end) > limits.max_uri_bytes) {
      co_return Refuse(414, "uri_too_long", fmt::format("The request line exceeds {} bytes.", limits.max_uri_bytes));
    }
    if (static_cast<int64_t>(data.size()) > limits.max_header_bytes) {
      co_return Refuse(431, "headers_too_large",
                       fmt::format("The request's header section exceeds {} bytes.", limits.max_header_bytes));
    }
    boost::system::error_code error;
    size_t got =
        co_await stream.async_read_some(buffer.prepare(8192), asio::redirect_error(asio::use_awaitable, error));
    buffer.commit(got);
    if (error) {
      if (deadline_state->fired && buffer.size() > 0) co_return timed_out();
      co_return Closed();  // gone (or idle) before a whole request: nothing to answer
    }
  }
  std::string_view head = View(buffer).substr(0, header_bytes);
  size_t line_end = head.find("\r\n");
  std::string target;
  if (size_t first_space = head.find(' '); first_space < line_end) {
    size_t second_space = head.find(' ', first_space + 1);
    if (second_space < line_end) target = std::string(head.substr(first_space + 1, second_space - first_space - 1));
  }
  if (static_cast<int64_t>(line_end) > limits.max_uri_bytes) {
    co_return Refuse(414, "uri_too_long", fmt::format("The request line exceeds {} bytes.", limits.max_uri_bytes));
  }
  if (static_cast<int64_t>(header_bytes) > limits.max_header_bytes) {
    co_return Refuse(431, "headers_too_large",
                     fmt::format("The request's header section exceeds {} bytes.", limits.max_header_bytes), target);
  }
  std::string_view fields = head.substr(line_end, header_bytes - line_end - 2);
  if (fields.find("\r\n ") != std::string_view::npos || fields.find("\r\n\t") != std::string_view::npos) {
    co_return Refuse(400, "bad_request", "Header lines continued on the next line (obs-fold) are not allowed.", target);
  }

  // 2. The parser, on bytes already here.
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(limits.max_header_bytes + 1));
  parser.body_limit(static_cast<uint64_t>(limits.max_body_bytes));
  boost::system::error_code error;
  auto too_large = [&] {
    return Refuse(413, "request_too_large",
                  fmt::format("Request exceeds the maximum allowed size of {} bytes.", limits.max_body_bytes), target);
  };
  co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
  if (error == http::error::body_limit) co_return too_large();  // Content-Length says so already
  if (error) co_return Refuse(400, "bad_request", "Malformed HTTP request: " + error.message(), target);
  if (std::optional<ReadResult> refused = CheckFraming(parser.get().base(), target)) co_return *std::move(refused);
  // Trailer fields are merged into the fields by the parser (next to those
  // of the same name): keep the header's to put back.
  std::vector<std::pair<std::string, std::string>> header_fields;
  for (const auto& field : parser.get()) header_fields.emplace_back(field.name_string(), field.value());

  // 3. The body.
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, error));
  if (error) {
    if (error == http::error::body_limit) co_return too_large();
    if (deadline_state->fired) co_return timed_out();
    if (error == http::error::partial_message || error == asio::error::eof || error == asio::error::connection_reset ||
        error == asio::error::operation_aborted) {
      co_return Closed();
    }
    co_return Refuse(400, "bad_request", "Malformed HTTP request: " + error.message(), target);
  }
  ReadResult result;
  result.kind = ReadResult::kRequest;
  result.target = std::move(target);
  result.request = parser.release();
  size_t fields_now = 0;
  for (auto it = result.request.begin(); it != result.request.end(); ++it) ++fields_now;
  if (fields_now != header_fields.size()) {
    result.dropped_trailers = static_cast<int>(fields_now - header_fields.size());
    result.request.clear();
    for (const auto& [name, value] : header_fields) result.request.insert(name, value);
  }
  co_return result;
}

}  // namespace hydraguard::server
