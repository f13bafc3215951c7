// UpstreamPool: kept-alive connections to the upstream API, for one event
// loop, so that a proxied request does not pay a TCP connect (and, for
// https, a TLS handshake: a round trip or two to a remote API) every time.
//
//   UpstreamPool pool({.max_idle = 32, .idle_timeout_ms = 4'000});
//   // in a connection's coroutine on the loop that owns `pool`:
//   ProxyResult result = co_await Proxy(client, std::move(request), target, options, &pool);
//
// Proxy (upstream.h) takes a connection with Take() and gives it back with
// Give() only when the exchange left it clean: the whole response read, the
// upstream willing to keep it (HTTP/1.1 keep-alive), nothing failed. Take()
// hands out the most recently used connection and skips those idle longer
// than idle_timeout_ms and those the upstream has closed meanwhile (the
// socket readable while idle: an EOF, a TLS alert or stray bytes).
//
// Ownership: the pool owns its idle connections; Take() passes one to the
// caller, Give() takes it back. A connection dropped (or pruned) is closed.
// Thread-safety: none. One pool per event loop, used only from that loop's
// thread; its connections are bound to that loop's executor. REQUIRES: the
// pool is destroyed before the io_context its connections use.
#ifndef HYDRAGUARD_SERVER_UPSTREAM_POOL_H_
#define HYDRAGUARD_SERVER_UPSTREAM_POOL_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

namespace hydraguard::server {

// One connection to the upstream: exactly one of the two is set.
struct UpstreamConnection {
  std::unique_ptr<boost::beast::tcp_stream> plain;                          // http://
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;  // https://
  boost::asio::ip::tcp::socket& socket();
};

struct UpstreamPoolOptions {
  size_t max_idle = 32;             // idle connections kept at most (0: none, no reuse)
  int64_t idle_timeout_ms = 4'000;  // an idle connection older than this is closed, not reused
  // Milliseconds on a monotonic clock; steady_clock when empty (tests inject one).
  std::function<int64_t()> now_ms;
};

class UpstreamPool {
 public:
  explicit UpstreamPool(UpstreamPoolOptions options = {});
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  // The most recently given-back connection that is still fresh and open,
  // or null (the caller opens a new one). Closes the stale ones it passes.
  std::unique_ptr<UpstreamConnection> Take();
  // Keeps `connection` for a later Take(), for idle_timeout_ms or
  // `idle_limit_ms` if that is shorter and not negative (what the upstream
  // said it allows); then closes the oldest idle connections beyond max_idle
  // and the expired ones. REQUIRES: no operation is pending on `connection`.
  void Give(std::unique_ptr<UpstreamConnection> connection, int64_t idle_limit_ms = -1);

  // Whether Give keeps anything (max_idle > 0).
  bool keeps_connections() const { return options_.max_idle > 0; }
  size_t idle() const { return idle_.size(); }
  // Connections closed because they had expired or the upstream had closed them.
  uint64_t discarded() const { return discarded_; }

 private:
  struct Idle {
    std::unique_ptr<UpstreamConnection> connection;
    int64_t expires_ms;  // closed, not reused, after this
  };
  int64_t Now() const;
  void Prune(int64_t now_ms);

  const UpstreamPoolOptions options_;
  std::deque<Idle> idle_;  // least recently given first
  uint64_t discarded_ = 0;
};

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_UPSTREAM_POOL_H_
