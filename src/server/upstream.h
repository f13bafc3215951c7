// The upstream side of the reverse proxy: forwards one client request to the
// real LLM API and relays its response back, streamed responses event by
// event as they arrive, with the thinking stripped and usage read on the way
// (response_filter.h).
//
//   absl::StatusOr<UpstreamTarget> target = ParseUpstream({.url = "https://api.anthropic.com"});
//   ...
//   // in the connection's coroutine, after reading `request` from `stream`:
//   ProxyResult result = co_await Proxy(stream, std::move(request), *target,
//                                       {.api = ApiKind::kAnthropic, .strip_thinking = suspect});
//   if (!result.keep_alive) co_return;  // else read the next request
//
// Failures reach the client in the API's own error shape (gateway/api.h):
// upstream unreachable or unparsable → 502, timed out → 504, both before any
// byte of the response was sent. A failure after the response began cannot
// change its status: a streamed response then gets an error event and the
// client connection is closed.
//
// Thread-safety: ParseUpstream is pure; an UpstreamTarget is immutable and may
// be shared by concurrent Proxy calls.
#ifndef HYDRAGUARD_SERVER_UPSTREAM_H_
#define HYDRAGUARD_SERVER_UPSTREAM_H_

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/api.h"
#include "gateway/response_filter.h"
#include "server/upstream_pool.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace hydraguard::server {

using gateway::ApiKind;

struct UpstreamConfig {
  // "http://host[:port][/base]" or "https://host[:port][/base]"; an IPv6
  // host in brackets ("http://[::1]:8080"). The base path is prefixed to
  // every request target ("https://gw.example/llm" + "/v1/messages").
  std::string url;
  int connect_timeout_ms = 5000;     // resolve + connect + TLS handshake
  int response_timeout_ms = 600000;  // idle time between bytes of the response
};

struct UpstreamTarget {
  bool tls = false;
  std::string host;         // without brackets; also the TLS SNI / verified name
  uint16_t port = 0;        // 80 / 443 unless given
  std::string base_path;    // "" or "/base" (no trailing '/')
  std::string host_header;  // "host" or "host:port" when the port is not the scheme's default
  int connect_timeout_ms = 5000;
  int response_timeout_ms = 600000;
  // For tls: verifies the peer against the system's CA store. Shared by
  // copies of the target; thread-safe once built.
  std::shared_ptr<boost::asio::ssl::context> tls_context;
};

// InvalidArgument naming the problem for a URL without scheme or host, with a
// scheme other than http/https, a bad port, a query or fragment, or userinfo;
// also for non-positive timeouts. For https, builds the TLS context (an
// error if the system's CA store cannot be loaded).
absl::StatusOr<UpstreamTarget> ParseUpstream(const UpstreamConfig& config);

struct ProxyOptions {
  gateway::ApiKind api = gateway::ApiKind::kAnthropic;  // shapes error bodies and the filter
  bool strip_thinking = false;
  // OpenAI streams: the usage-only final chunk is read but not relayed (the
  // gateway asked for it, the client did not: WithStreamUsage).
  bool hide_usage_chunk = false;
  // Added to the upstream request (after the client's own headers).
  std::vector<std::pair<std::string, std::string>> upstream_headers;
  // Added to the client response (e.g. rate-limit headers).
  std::vector<std::pair<std::string, std::string>> response_headers;
  // Longest a single write to the client may take (a stalled reader).
  int client_write_timeout_ms = 60000;
  // Called at most once, so that whatever the client sends next already
  // sees the settled limits: just before the last bytes of a complete
  // response go to the client, with the upstream's status and usage; or
  // just before the gateway's own 502/504 when the upstream's answer never
  // reached the client, with that status and an unknown usage. Not called
  // for responses cut short after they began (the caller settles from
  // ProxyResult).
  // `reused_connection`: whether the request went on a kept-alive connection.
  std::function<void(int status, const gateway::Usage&, bool reused_connection)> on_complete;
};

struct ProxyResult {
  int status = 0;  // sent to the client (502/504 when the gateway made it up)
  gateway::Usage usage;
  bool streamed = false;           // text/event-stream relayed event by event
  bool client_gone = false;        // the client left before the response ended
  bool upstream_failed = false;    // connect/timeout/malformed/cut short
  std::string error;               // why, when upstream_failed or client_gone
  bool reused_connection = false;  // sent on a kept-alive connection from the pool
  int64_t bytes_to_client = 0;     // response body bytes written (after filtering)
  int stripped_blocks = 0;         // see SseFilter::stripped_blocks
  int64_t stripped_bytes = 0;
  // Whether the caller may read another request from the client stream:
  // false when the request asked to close, the client left, or the response
  // was cut short (the client's send side is then already shut down).
  bool keep_alive = false;
};

// Relays `request` (already read from `client`) to `target` and the response
// back to `client`, on a connection from `pool` when it has one (null: a new
// connection each time, closed after). A connection goes back to the pool
// when the upstream's whole response was read and the upstream keeps the
// connection alive (no longer than its Keep-Alive: timeout says, less a
// second). A pooled connection the upstream had already closed when the
// request was written (broken pipe, reset) is replaced by a new one once; a
// request that may have reached the upstream is never sent again. Without a
// pool (or with max_idle 0) the upstream request says Connection: close, so
// that the upstream closes first. Interim 1xx responses are dropped. Hop-by-hop headers (Connection and those it names,
// Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade) and Expect,
// Accept-Encoding (the response must arrive uncompressed to be filtered) and
// Content-Length (recomputed) are not forwarded; Host is the upstream's.
// Never throws for I/O errors: every outcome is in the result.
//
// REQUIRES: `client`, `target`, `options` and `pool` outlive the returned awaitable
// (a temporary in the co_await expression does); the coroutine runs on an
// executor that serializes its handlers (a strand or a single-threaded
// io_context), as Beast's tcp_stream itself requires. Proxy owns `client`
// until it returns: while a streamed response is relayed it also waits on the
// socket to notice a client that leaves (one that only half-closes counts as
// gone). It returns with `client` set to never expire; the caller sets the
// timeout for its next read. `pool` belongs to the loop that runs the coroutine.
boost::asio::awaitable<ProxyResult> Proxy(boost::beast::tcp_stream& client,
                                          boost::beast::http::request<boost::beast::http::string_body> request,
                                          const UpstreamTarget& target, const ProxyOptions& options,
                                          UpstreamPool* pool = nullptr);

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_UPSTREAM_H_
