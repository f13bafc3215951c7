#include "server/upstream.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <exception>
#include <limits>
#include <optional>
#include <utility>

// Beast 1.74's parser trips GCC 12's -Wmaybe-uninitialized under ASan at -O3
// (a boost::optional in basic_parser.hpp): a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include "fmt/format.h"
#include "server/internal/proxy_headers.h"

namespace hydraguard::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using gateway::ErrorBody;
using gateway::ErrorKind;

constexpr size_t kMaxBodyBytes = size_t{64} << 20;  // a whole (non-streamed) response
constexpr size_t kReadChunk = size_t{16} << 10;
constexpr uint32_t kHeaderLimit = 64 << 10;

std::chrono::milliseconds Ms(int ms) { return std::chrono::milliseconds(ms); }

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

// The state of one proxied exchange.
struct Exchange {
  beast::tcp_stream& client;
  const UpstreamTarget& target;
  const ProxyOptions& options;
  unsigned version;  // the client's HTTP version
  bool keep_alive;   // the client's wish
  bool head;
  bool response_started = false;        // a byte of the response reached the client
  int64_t upstream_idle_limit_ms = -1;  // from the upstream's Keep-Alive: timeout=N; -1: none given
  ProxyResult result;
};

auto Redirect(beast::error_code& ec) { return net::redirect_error(net::use_awaitable, ec); }

void ClientGone(Exchange& x, const beast::error_code& ec) {
  x.result.client_gone = true;
  if (x.result.error.empty()) x.result.error = fmt::format("client write failed: {}", ec.message());
}

// Sends a gateway-made error response (only before any of the upstream's).
net::awaitable<void> Fail(Exchange& x, http::status status, std::string_view public_message, std::string detail) {
  x.result.upstream_failed = true;
  x.result.error = std::move(detail);
  x.result.status = static_cast<int>(status);
  if (x.response_started) co_return;
  x.response_started = true;
  // The upstream answered nothing the client will see: settle before the
  // client has the error and can send its next request.
  if (x.options.on_complete) x.options.on_complete(x.result.status, gateway::Usage{}, x.result.reused_connection);
  http::response<http::string_body> response{status, x.version};
  response.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : x.options.response_headers) response.set(name, value);
  std::string request_id = gateway::NewRequestId();
  response.set(gateway::RequestIdHeader(x.options.api), request_id);
  response.body() = ErrorBody(x.options.api, ErrorKind::kApiError, public_message, {}, request_id);
  response.keep_alive(x.keep_alive);
  response.prepare_payload();
  beast::error_code ec;
  x.client.expires_after(Ms(x.options.client_write_timeout_ms));
  co_await http::async_write(x.client, response, Redirect(ec));
  if (ec) {
    ClientGone(x, ec);
    co_return;
  }
  x.result.bytes_to_client += static_cast<int64_t>(response.body().size());
}

http::status TimeoutOr502(const beast::error_code& ec) {
  return ec == beast::error::timeout ? http::status::gateway_timeout : http::status::bad_gateway;
}

std::string_view PublicMessage(const beast::error_code& ec) {
  return ec == beast::error::timeout ? "upstream timed out" : "upstream unavailable";
}

// Writes body bytes to the client, as one chunk when `chunked`. False if the
// client is gone.
net::awaitable<bool> WriteBody(Exchange& x, std::string_view data, bool chunked) {
  if (data.empty()) co_return true;
  beast::error_code ec;
  x.client.expires_after(Ms(x.options.client_write_timeout_ms));
  if (chunked) {
    co_await net::async_write(x.client, http::make_chunk(net::const_buffer(data.data(), data.size())), Redirect(ec));
  } else {
    co_await net::async_write(x.client, net::const_buffer(data.data(), data.size()), Redirect(ec));
  }
  if (ec) {
    ClientGone(x, ec);
    co_return false;
  }
  x.result.bytes_to_client += static_cast<int64_t>(data.size());
  co_return true;
}

// Watches a client socket during a streamed response: a client that closes
// its connection makes the socket readable with nothing to read. Then the
// upstream read in progress is cancelled. A client that only half-closes
// (shuts down its sending side) counts as gone too.
struct ClientWatch {
  bool active = true;  // false once Proxy is done with the exchange
  bool gone = false;
  beast::tcp_stream* upstream = nullptr;  // valid while active
};

enum class ClientState { kSentMore, kClosed, kQuiet };

ClientState PeekClient(tcp::socket& socket) {
  char byte;
  ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return ClientState::kSentMore;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return ClientState::kQuiet;
  return ClientState::kClosed;
}

// REQUIRES: PeekClient(socket) was kQuiet just before, on this thread. (Asio's
// epoll reactor waits for the next edge: a close that happened before the
// wait began would go unnoticed.)
void WatchClient(tcp::socket& socket, std::shared_ptr<ClientWatch> watch, net::any_io_executor executor) {
  socket.async_wait(tcp::socket::wait_read,
                    net::bind_executor(executor, [&socket, watch, executor](const beast::error_code& ec) {
                      if (!watch->active || ec) return;
                      switch (PeekClient(socket)) {
                        case ClientState::kSentMore:  // pipelining: stop watching
                          return;
                        case ClientState::kQuiet:
                          WatchClient(socket, watch, executor);
                          return;
                        case ClientState::kClosed:
                          watch->gone = true;
                          watch->upstream->cancel();
                          return;
                      }
                    }));
}

bool IsEncoded(const http::fields& header) {
  auto it = header.find(http::field::content_encoding);
  return it != header.end() && !beast::iequals(it->value(), "identity");
}

template <class Stream>
net::awaitable<void> RelayStream(Stream& upstream, beast::flat_buffer& buffer,
                                 http::response_parser<http::buffer_body>& parser, Exchange& x) {
  auto& lowest = beast::get_lowest_layer(upstream);
  net::any_io_executor executor = co_await net::this_coro::executor;
  const auto& header = parser.get();
  x.result.streamed = true;
  const bool chunked = x.version >= 11;  // HTTP/1.0: the body ends at close
  const bool encoded = IsEncoded(header);
  http::response<http::empty_body> response{static_cast<http::status>(header.result_int()), x.version};
  if (!header.reason().empty()) response.reason(header.reason());
  internal::CopyResponseHeaders(header, x.options.response_headers, &response);
  if (chunked) response.chunked(true);
  response.keep_alive(x.keep_alive && chunked);
  http::response_serializer<http::empty_body> serializer{response};
  beast::error_code ec;
  x.client.expires_after(Ms(x.options.client_write_timeout_ms));
  x.response_started = true;
  co_await http::async_write_header(x.client, serializer, Redirect(ec));
  if (ec) {
    ClientGone(x, ec);
    co_return;
  }

  auto watch = std::make_shared<ClientWatch>();
  watch->upstream = &lowest;
  switch (PeekClient(x.client.socket())) {
    case ClientState::kSentMore:
      break;
    case ClientState::kQuiet:
      WatchClient(x.client.socket(), watch, executor);
      break;
    case ClientState::kClosed:
      watch->gone = true;
      break;
  }

  gateway::SseFilter filter(x.options.api, x.options.strip_thinking, x.options.hide_usage_chunk);
  std::string chunk(kReadChunk, '\0');
  std::string out;
  bool cut_short = false;
  while (!parser.is_done() && !watch->gone) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    lowest.expires_after(Ms(x.target.response_timeout_ms));
    co_await http::async_read_some(upstream, buffer, parser, Redirect(ec));
    if (ec == http::error::need_buffer) ec = {};
    if (watch->gone) break;
    size_t got = chunk.size() - parser.get().body().size;
    if (encoded) {
      out.append(chunk.data(), got);  // cannot be parsed: relayed as is (strip_thinking refused earlier)
    } else if (got > 0) {
      filter.Feed(std::string_view(chunk.data(), got), &out);
    }
    bool written = co_await WriteBody(x, out, chunked);
    out.clear();
    if (!written) break;
    if (ec) {
      cut_short = true;
      break;
    }
  }
  watch->active = false;
  beast::error_code ignored;
  x.client.socket().cancel(ignored);  // the watch's wait

  if (watch->gone) {
    x.result.client_gone = true;
    x.result.error = "client closed the connection";
  } else if (!x.result.client_gone) {
    if (cut_short) {
      // The status is sent: tell the client in the stream, then close.
      x.result.upstream_failed = true;
      x.result.error = fmt::format("upstream stream cut short: {}", ec.message());
      std::string body = ErrorBody(x.options.api, ErrorKind::kApiError, PublicMessage(ec));
      std::string event = x.options.api == ApiKind::kAnthropic ? fmt::format("event: error\ndata: {}\n\n", body)
                                                               : fmt::format("data: {}\n\n", body);
      co_await WriteBody(x, event, chunked);
    } else {
      if (!encoded) filter.Finish(&out);
      if (x.options.on_complete) x.options.on_complete(x.result.status, filter.usage(), x.result.reused_connection);
      bool written = co_await WriteBody(x, out, chunked);
      if (written && chunked) {
        x.client.expires_after(Ms(x.options.client_write_timeout_ms));
        co_await net::async_write(x.client, http::make_chunk_last(), Redirect(ec));
        if (ec) ClientGone(x, ec);
      }
    }
  }
  x.result.usage = filter.usage();
  x.result.stripped_blocks = filter.stripped_blocks();
  x.result.stripped_bytes = filter.stripped_bytes();
  if (!chunked || cut_short || x.result.client_gone) x.keep_alive = false;
}

template <class Stream>
net::awaitable<void> RelayWhole(Stream& upstream, beast::flat_buffer& buffer,
                                http::response_parser<http::buffer_body>& parser, Exchange& x) {
  auto& lowest = beast::get_lowest_layer(upstream);
  std::string body;
  beast::error_code ec;
  while (!parser.is_done()) {
    size_t before = body.size();
    body.resize(before + kReadChunk);
    parser.get().body().data = body.data() + before;
    parser.get().body().size = kReadChunk;
    lowest.expires_after(Ms(x.target.response_timeout_ms));
    co_await http::async_read_some(upstream, buffer, parser, Redirect(ec));
    if (ec == http::error::need_buffer) ec = {};
    body.resize(before + kReadChunk - parser.get().body().size);
    if (ec) {
      co_await Fail(x, TimeoutOr502(ec), PublicMessage(ec), fmt::format("reading the upstream body: {}", ec.message()));
      co_return;
    }
    if (body.size() > kMaxBodyBytes) {
      co_await Fail(x, http::status::bad_gateway, "upstream response too large",
                    fmt::format("upstream body over {} bytes", kMaxBodyBytes));
      co_return;
    }
  }
  const auto& header = parser.get();
  int status = header.result_int();
  gateway::FilteredBody filtered;
  if (status >= 200 && status < 300 && !IsEncoded(header)) {
    filtered = gateway::FilterJsonResponse(x.options.api, body, x.options.strip_thinking);
  } else {
    filtered.body = std::move(body);
  }
  http::response<http::string_body> response{static_cast<http::status>(status), x.version};
  if (!header.reason().empty()) response.reason(header.reason());
  internal::CopyResponseHeaders(header, x.options.response_headers, &response);
  response.body() = std::move(filtered.body);
  if (x.head) {
    if (auto length = header.find(http::field::content_length); length != header.end()) {
      response.set(http::field::content_length, length->value());
    }
  } else {
    response.prepare_payload();
  }
  response.keep_alive(x.keep_alive);
  x.result.usage = filtered.usage;
  x.result.stripped_blocks = filtered.stripped_blocks;
  if (x.options.on_complete) x.options.on_complete(x.result.status, filtered.usage, x.result.reused_connection);
  x.client.expires_after(Ms(x.options.client_write_timeout_ms));
  x.response_started = true;
  co_await http::async_write(x.client, response, Redirect(ec));
  if (ec) {
    ClientGone(x, ec);
    x.keep_alive = false;
    co_return;
  }
  x.result.bytes_to_client += static_cast<int64_t>(response.body().size());
}

// How long the upstream says it keeps an idle connection ("Keep-Alive:
// timeout=5, max=100" → 4000: a second of margin), or -1 when it does not say.
int64_t KeepAliveTimeoutMs(const http::fields& header) {
  auto field = header.find("keep-alive");
  if (field == header.end()) return -1;
  std::string_view value = View(field->value());
  size_t at = value.find("timeout=");
  if (at == std::string_view::npos) return -1;
  std::string_view digits = value.substr(at + 8);
  int64_t seconds = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
  if (error != std::errc() || seconds < 0 || seconds > 86'400) return -1;
  return std::max<int64_t>(0, (seconds - 1) * 1000);
}

// Resolves (unless the host is an address), connects and, for https, does
// the TLS handshake. False after sending the client a 502/504.
template <class Stream>
net::awaitable<bool> Connect(Stream& upstream, Exchange& x) {
  constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  auto& lowest = beast::get_lowest_layer(upstream);
  net::any_io_executor executor = co_await net::this_coro::executor;
  const UpstreamTarget& target = x.target;
  beast::error_code ec;
  // An address needs no resolver (which runs on a thread of its own);
  // a name is resolved, bounded by the connect timeout.
  tcp::resolver::results_type endpoints;
  boost::system::error_code literal_ec;
  net::ip::address literal = net::ip::make_address(target.host, literal_ec);
  if (!literal_ec) {
    endpoints = tcp::resolver::results_type::create(tcp::endpoint(literal, target.port), target.host,
                                                    std::to_string(target.port));
  } else {
    auto resolver = std::make_shared<tcp::resolver>(executor);
    net::steady_timer resolve_deadline(executor, Ms(target.connect_timeout_ms));
    resolve_deadline.async_wait([resolver](const beast::error_code& timer_ec) {
      if (!timer_ec) resolver->cancel();
    });
    endpoints = co_await resolver->async_resolve(target.host, std::to_string(target.port), Redirect(ec));
    resolve_deadline.cancel();
  }
  if (ec) {
    bool timed_out = ec == net::error::operation_aborted;
    co_await Fail(x, timed_out ? http::status::gateway_timeout : http::status::bad_gateway,
                  timed_out ? "upstream timed out" : "upstream unavailable",
                  fmt::format("resolving {}: {}", target.host, ec.message()));
    co_return false;
  }
  lowest.expires_after(Ms(target.connect_timeout_ms));
  co_await lowest.async_connect(endpoints, Redirect(ec));
  if (ec) {
    co_await Fail(x, TimeoutOr502(ec), PublicMessage(ec),
                  fmt::format("connecting to {}:{}: {}", target.host, target.port, ec.message()));
    co_return false;
  }
  lowest.socket().set_option(tcp::no_delay(true), ec);  // a request's last bytes go at once
  ec = {};
  if constexpr (kTls) {
    if (!SSL_set_tlsext_host_name(upstream.native_handle(), target.host.c_str())) {
      co_await Fail(x, http::status::bad_gateway, "upstream unavailable", "cannot set TLS SNI");
      co_return false;
    }
    upstream.set_verify_callback(ssl::host_name_verification(target.host));
    lowest.expires_after(Ms(target.connect_timeout_ms));
    co_await upstream.async_handshake(ssl::stream_base::client, Redirect(ec));
    if (ec) {
      co_await Fail(x, TimeoutOr502(ec), PublicMessage(ec),
                    fmt::format("TLS handshake with {}: {}", target.host, ec.message()));
      co_return false;
    }
  }
  co_return true;
}

// How an exchange left its upstream connection.
enum class RunEnd {
  kClosed,    // not reusable: failed, cut short, or the upstream ends it
  kReusable,  // the whole response read and the upstream keeps it alive
  kStale,     // a pooled connection the request could not be written to; nothing was sent to the client
};

// Connects `upstream` unless `connected` (a pooled connection), then relays
// one exchange.
template <class Stream>
net::awaitable<RunEnd> Run(Stream& upstream, bool connected, http::request<http::string_body>& request, Exchange& x) {
  auto& lowest = beast::get_lowest_layer(upstream);
  beast::error_code ec;
  if (!connected) {
    bool connected_now = co_await Connect(upstream, x);
    if (!connected_now) co_return RunEnd::kClosed;
  }
  lowest.expires_after(Ms(x.target.response_timeout_ms));
  co_await http::async_write(upstream, request, Redirect(ec));
  if (ec) {
    // Only an error that says the upstream had closed the connection before
    // these bytes: then it never read them. (A timeout may hide a write
    // that went through.)
    bool peer_had_closed = ec == net::error::broken_pipe || ec == net::error::connection_reset ||
                           ec == net::error::eof || ec == net::error::not_connected;
    if (connected && peer_had_closed) co_return RunEnd::kStale;
    co_await Fail(x, TimeoutOr502(ec), PublicMessage(ec), fmt::format("sending the request: {}", ec.message()));
    co_return RunEnd::kClosed;
  }

  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::buffer_body>> parser_slot;
  // Interim 1xx responses (102, 103) are read and dropped: the client gets
  // the final one, and the connection is clean only after it.
  for (int interim = 0;; ++interim) {
    http::response_parser<http::buffer_body>& next = parser_slot.emplace();
    next.header_limit(kHeaderLimit);
    next.body_limit(std::numeric_limits<std::uint64_t>::max());
    if (x.head) next.skip(true);
    lowest.expires_after(Ms(x.target.response_timeout_ms));
    co_await http::async_read_header(upstream, buffer, next, Redirect(ec));
    if (ec) {
      co_await Fail(x, TimeoutOr502(ec), PublicMessage(ec),
                    fmt::format("reading the upstream response header: {}", ec.message()));
      co_return RunEnd::kClosed;
    }
    int status = next.get().result_int();
    if (status >= 200 || status == 101) break;
    if (interim == 8) {
      co_await Fail(x, http::status::bad_gateway, "upstream unavailable", "upstream sent only interim responses");
      co_return RunEnd::kClosed;
    }
  }
  http::response_parser<http::buffer_body>& parser = *parser_slot;
  if (IsEncoded(parser.get()) && x.options.strip_thinking) {
    co_await Fail(x, http::status::bad_gateway, "upstream unavailable",
                  "upstream response is compressed: cannot strip thinking");
    co_return RunEnd::kClosed;
  }
  x.result.status = parser.get().result_int();
  if (internal::IsEventStream(View(parser.get()[http::field::content_type]))) {
    co_await RelayStream(upstream, buffer, parser, x);
  } else {
    co_await RelayWhole(upstream, buffer, parser, x);
  }
  lowest.expires_never();
  bool clean = !x.result.upstream_failed && x.result.status >= 200 && parser.is_done() && parser.keep_alive() &&
               buffer.size() == 0;
  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    clean = clean && SSL_pending(upstream.native_handle()) == 0;  // no record read past the response
  }
  if (clean) x.upstream_idle_limit_ms = KeepAliveTimeoutMs(parser.get());
  co_return clean ? RunEnd::kReusable : RunEnd::kClosed;
}

}  // namespace

absl::StatusOr<UpstreamTarget> ParseUpstream(const UpstreamConfig& config) {
  const std::string& url = config.url;
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(fmt::format("upstream URL \"{}\": {}", url, why));
  };
  UpstreamTarget target;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return bad("expected http://host[:port][/path] or https://...");
  std::string scheme = url.substr(0, scheme_end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme == "https") {
    target.tls = true;
  } else if (scheme != "http") {
    return bad("the scheme must be http or https");
  }
  std::string_view rest = std::string_view(url).substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) return bad("no query or fragment allowed");
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return bad("no user information allowed");
  std::string_view port_text;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated [IPv6 address]");
    target.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("expected :port after ]");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
  } else {
    size_t colon = authority.find(':');
    target.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("empty port");
    }
  }
  if (target.host.empty()) return bad("no host");
  target.port = target.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return bad("the port must be a number in 1..65535");
    }
    target.port = static_cast<uint16_t>(port);
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  target.base_path = std::string(path);
  bool bracket = target.host.find(':') != std::string::npos;
  target.host_header = bracket ? fmt::format("[{}]", target.host) : target.host;
  if (target.port != (target.tls ? 443 : 80)) target.host_header += fmt::format(":{}", target.port);
  if (config.connect_timeout_ms <= 0 || config.response_timeout_ms <= 0) {
    return absl::InvalidArgumentError("upstream timeouts must be positive");
  }
  target.connect_timeout_ms = config.connect_timeout_ms;
  target.response_timeout_ms = config.response_timeout_ms;
  if (target.tls) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    beast::error_code ec;
    context->set_default_verify_paths(ec);
    if (ec) return absl::InternalError(fmt::format("loading the system CA store: {}", ec.message()));
    context->set_verify_mode(ssl::verify_peer, ec);
    if (ec) return absl::InternalError(fmt::format("TLS verify mode: {}", ec.message()));
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    target.tls_context = std::move(context);
  }
  return target;
}

net::awaitable<ProxyResult> Proxy(beast::tcp_stream& client, http::request<http::string_body> request,
                                  const UpstreamTarget& target, const ProxyOptions& options, UpstreamPool* pool) {
  Exchange x{.client = client,
             .target = target,
             .options = options,
             .version = request.version(),
             .keep_alive = request.keep_alive(),
             .head = request.method() == http::verb::head};
  http::request<http::string_body> upstream_request =
      internal::MakeUpstreamRequest(std::move(request), target.host_header, target.base_path, options.upstream_headers,
                                    /*keep_alive=*/pool != nullptr && pool->keeps_connections());
  net::any_io_executor executor = co_await net::this_coro::executor;
  std::string unexpected;
  try {
    if (target.tls && target.tls_context == nullptr) {
      unexpected = "https upstream without a TLS context (not from ParseUpstream)";
    } else {
      std::unique_ptr<UpstreamConnection> connection = pool != nullptr ? pool->Take() : nullptr;
      for (;;) {
        const bool reused = connection != nullptr;
        if (!reused) {
          connection = std::make_unique<UpstreamConnection>();
          if (target.tls) {
            connection->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, *target.tls_context);
          } else {
            connection->plain = std::make_unique<beast::tcp_stream>(executor);
          }
        }
        x.result.reused_connection = reused;
        RunEnd end = RunEnd::kClosed;
        if (target.tls) {
          end = co_await Run(*connection->tls, reused, upstream_request, x);
        } else {
          end = co_await Run(*connection->plain, reused, upstream_request, x);
        }
        if (end == RunEnd::kStale) {  // once more, on a new connection (which never ends kStale)
          connection.reset();
          continue;
        }
        if (end == RunEnd::kReusable && pool != nullptr) pool->Give(std::move(connection), x.upstream_idle_limit_ms);
        break;
      }
    }
  } catch (const std::exception& e) {
    unexpected = e.what();
  }
  if (!unexpected.empty()) co_await Fail(x, http::status::bad_gateway, "upstream unavailable", unexpected);
  if (x.result.client_gone || (x.result.upstream_failed && x.response_started && x.result.streamed)) {
    x.keep_alive = false;
  }
  x.result.keep_alive = x.keep_alive;
  if (!x.keep_alive) {
    beast::error_code ignored;
    client.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
  client.expires_never();
  co_return x.result;
}

}  // namespace hydraguard::server
