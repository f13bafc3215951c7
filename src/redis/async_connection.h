// AsyncConnection: one pipelined connection to Redis, driven by an Asio event
// loop, for code that must not block that loop (the gateway's request path).
// Every call made by the loop's coroutines between two writes goes out in one
// write, and their replies come back in order on the same connection: many
// requests in flight share one round trip and one system call each way,
// instead of one blocking round trip per request (RedisClient).
//
//   asio::io_context io{1};
//   AsyncConnection redis(io, {.host = "10.0.0.5", .port = 6379});
//   // in a coroutine running on io:
//   absl::StatusOr<std::vector<Reply>> replies = co_await redis.Pipeline({{"INCR", "a"}, {"GET", "b"}});
//   if (!replies.ok()) ...  // unreachable or timed out: apply the failure policy
//
// Errors are those of RedisClient: a Status (Unavailable, naming host:port
// and the reason) for connection and I/O failures and for a call with no
// reply within command_timeout_ms; an error reply (-ERR, -NOSCRIPT ...) is a
// Reply. A failure closes the connection and fails every call on it: which
// of their commands ran is unknown.
//
// Fail fast while down, as RedisClient: after a failure every call is refused
// at once for reconnect_backoff_ms; then the next call connects again, and
// the calls made while that one waits keep failing fast until it has its
// reply. While down, the connection also sends itself a PING every
// reconnect_backoff_ms, so that it is healthy again once Redis is, even if no
// call comes. Connecting is lazy (the first call) and the connection is kept.
// pool_size is not used: there is one connection.
//
// Threading: REQUIRES that `io` is run by exactly one thread (the gateway
// runs one io_context per thread); Pipeline must be awaited on that thread.
// healthy(), errors() and last_error() may be read from any thread.
// Lifetime: REQUIRES that `io` has stopped running when the connection is
// destroyed, and that `io` outlives it (pending coroutines are destroyed with
// `io` and never resume).
#ifndef HYDRAGUARD_REDIS_ASYNC_CONNECTION_H_
#define HYDRAGUARD_REDIS_ASYNC_CONNECTION_H_

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "redis/redis_client.h"

namespace hydraguard::redis {

class AsyncConnection {
 public:
  using Clock = RedisClient::Clock;

  // Never touches the network: the first Pipeline call connects.
  AsyncConnection(boost::asio::io_context& io, RedisOptions options, Clock now_ms = &RedisClient::SteadyNowMs);
  ~AsyncConnection();
  AsyncConnection(const AsyncConnection&) = delete;
  AsyncConnection& operator=(const AsyncConnection&) = delete;

  // Sends `commands` (each {"NAME", args...}, binary safe) behind whatever
  // this connection has queued, and resumes with one reply each, in order.
  // An empty list returns at once.
  boost::asio::awaitable<absl::StatusOr<std::vector<Reply>>> Pipeline(std::vector<std::vector<std::string>> commands);

  // False from a failure until a call gets its reply again.
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }
  // Connection, I/O and timeout failures so far (fail-fast refusals are not counted).
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  std::string last_error() const;
  const std::string& endpoint() const { return endpoint_; }
  boost::asio::io_context& io() const { return io_; }

 private:
  struct Call;
  using CallPtr = std::shared_ptr<Call>;
  enum class State { kClosed, kConnecting, kConnected };

  // Connects, then writes until this connection (generation) fails.
  boost::asio::awaitable<void> Run(uint64_t generation);
  boost::asio::awaitable<void> WriteLoop(uint64_t generation);
  boost::asio::awaitable<void> ReadLoop(uint64_t generation);
  // Gives a reply to the oldest call in flight. False if there is none.
  bool Deliver(uint64_t generation, Reply reply);
  // Closes connection `generation` (nothing if it is already gone), fails
  // every queued and in-flight call, and starts failing fast.
  void Fail(uint64_t generation, std::string_view what, std::string_view reason);
  // Wakes a call's waiter.
  static void Finish(Call& call);
  // While down: PING after each backoff until a reply comes.
  boost::asio::awaitable<void> Probe();

  boost::asio::io_context& io_;
  const RedisOptions options_;
  const Clock now_ms_;
  const std::string endpoint_;

  // Touched only on io_'s thread.
  State state_ = State::kClosed;
  uint64_t generation_ = 0;  // bumped by each failure: coroutines of an older connection stop
  std::optional<boost::beast::tcp_stream> stream_;
  std::deque<CallPtr> unsent_;     // waiting for the writer
  std::deque<CallPtr> in_flight_;  // written (or being written), waiting for replies
  boost::asio::steady_timer writer_wake_;
  bool down_ = false;  // failing fast: since a failure, until a reply
  int64_t retry_at_ms_ = 0;
  bool probing_ = false;  // Probe() runs

  std::atomic<bool> healthy_{true};
  std::atomic<uint64_t> errors_{0};
  mutable absl::Mutex error_mutex_;
  std::string last_error_ ABSL_GUARDED_BY(error_mutex_);
};

}  // namespace hydraguard::redis

#endif  // HYDRAGUARD_REDIS_ASYNC_CONNECTION_H_
