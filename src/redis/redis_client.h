// RedisClient: the gateway's one way to talk to Redis. A thread-safe pool of
// synchronous hiredis connections that fails fast while Redis is down, so
// that a gateway whose Redis has gone away answers from its failure policy at
// once instead of waiting a connect timeout on every request.
//
//   RedisClient client({.host = "10.0.0.5", .port = 6379});
//   absl::StatusOr<Reply> reply = client.Command({"GET", "hg:{acct:a1}:rpm"});
//   if (!reply.ok()) ...                        // unreachable: apply the failure policy
//   if (reply->is_error()) ...                  // Redis answered with an error
//   std::string_view value = reply->str();
//
// Errors: only I/O and connection failures are a Status (Unavailable, naming
// host:port and the reason). An error reply (-ERR, -NOSCRIPT, -WRONGTYPE ...)
// is an answer: it comes back as a Reply for the caller to inspect.
//
// Fail fast while down: after a connection failure the client refuses every
// call with Unavailable, without touching the network, until
// reconnect_backoff_ms have passed; then exactly one caller tries again, and
// the others keep failing fast until that attempt has succeeded. A
// connection that failed is closed, never reused.
//
// SIGPIPE: hiredis writes with write(2), which raises SIGPIPE on a socket the
// server has closed. The first RedisClient constructed sets SIGPIPE to
// SIG_IGN if it is still at SIG_DFL (what every network server does anyway).
//
// Thread-safety: every method may be called from many threads at once.
#ifndef HYDRAGUARD_REDIS_REDIS_CLIENT_H_
#define HYDRAGUARD_REDIS_REDIS_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

struct redisReply;
struct redisContext;

namespace hydraguard::redis {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;  // sent with AUTH on every new connection when not empty
  int connect_timeout_ms = 200;
  int command_timeout_ms = 200;    // per read or write of one call
  int reconnect_backoff_ms = 500;  // fail fast this long after a failure
  int pool_size = 8;               // connections open at most; callers beyond wait for one
};

// A non-owning view of one reply or of one element of an array reply. Valid
// while the Reply it comes from lives.
class ReplyView {
 public:
  ReplyView() = default;
  explicit ReplyView(const redisReply* reply) : reply_(reply) {}

  int type() const;  // REDIS_REPLY_*; 0 for an empty view
  bool is_error() const;
  bool is_nil() const;
  bool is_string() const;  // a bulk string
  bool is_status() const;  // a simple string, e.g. "OK"
  bool is_integer() const;
  bool is_array() const;
  // The bytes of a string, status or error reply ("" otherwise).
  std::string_view str() const;
  // The value of an integer reply (0 otherwise).
  long long integer() const;
  // The elements of an array reply (0 otherwise).
  size_t size() const;
  // REQUIRES: is_array() and i < size().
  ReplyView element(size_t i) const;

 protected:
  const redisReply* reply_ = nullptr;
};

// An owned reply: frees the hiredis reply (and its elements) when destroyed.
// Move-only.
class Reply : public ReplyView {
 public:
  Reply() = default;
  // Takes ownership of `reply` (may be null: an empty reply).
  explicit Reply(redisReply* reply);
  Reply(Reply&& other) noexcept;
  Reply& operator=(Reply&& other) noexcept;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply();
};

class RedisClient {
 public:
  // The clock that drives the reconnect backoff, in milliseconds.
  using Clock = std::function<int64_t()>;
  static int64_t SteadyNowMs();

  // Connects lazily: constructing never touches the network.
  explicit RedisClient(RedisOptions options, Clock now_ms = &RedisClient::SteadyNowMs);
  // REQUIRES: no call is in progress.
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs one command, e.g. {"SET", key, value}. Arguments are binary safe.
  // Unavailable when Redis cannot be reached (or while failing fast).
  absl::StatusOr<Reply> Command(const std::vector<std::string_view>& argv);
  // Runs several commands in one round trip on one connection; one reply
  // each, in order. Unavailable if any of them could not be sent or
  // answered: then which commands ran is unknown.
  absl::StatusOr<std::vector<Reply>> Pipeline(const std::vector<std::vector<std::string>>& commands);
  // HGETALL key: the (field, value) pairs of a hash, empty if the key is
  // missing. FailedPrecondition if Redis answers with an error (e.g. the key
  // holds another type).
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> HashGetAll(std::string_view key);

  // False from a connection failure until a call succeeds again.
  bool healthy() const;
  // Connection and I/O failures so far (calls refused while failing fast are
  // not counted).
  uint64_t errors() const;
  // The message of the latest failure ("" if none yet).
  std::string last_error() const;
  // "host:port", for messages.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  using Connection = std::unique_ptr<redisContext, ContextDeleter>;

  // A pooled connection, or a fresh one, or Unavailable while failing fast.
  absl::StatusOr<Connection> Checkout();
  absl::StatusOr<Connection> Connect();
  // Whether Checkout can stop waiting for a connection.
  bool CanCheckout() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Returns a healthy connection to the pool.
  void Checkin(Connection connection);
  // Records a failure of `connection` (closed here), or of connecting when
  // null, and starts failing fast. Returns the Unavailable error to report.
  absl::Status Fail(Connection connection, std::string_view what, std::string_view reason);
  // Records that a call has succeeded.
  void Succeed();

  const RedisOptions options_;
  const Clock now_ms_;
  const std::string endpoint_;

  mutable absl::Mutex mutex_;
  std::vector<Connection> idle_ ABSL_GUARDED_BY(mutex_);
  int open_ ABSL_GUARDED_BY(mutex_) = 0;  // idle + checked out + being connected
  bool down_ ABSL_GUARDED_BY(mutex_) = false;
  bool probing_ ABSL_GUARDED_BY(mutex_) = false;  // one caller is trying again
  int64_t retry_at_ms_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t errors_ ABSL_GUARDED_BY(mutex_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace hydraguard::redis

#endif  // HYDRAGUARD_REDIS_REDIS_CLIENT_H_
