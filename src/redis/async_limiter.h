// AsyncLimiter: gateway::LimiterStore kept in Redis, so that every gateway
// replica draws on the same limits; awaited on an event loop, never blocking
// it. Same arithmetic and the same outcomes as gateway::MemoryLimiter, call
// for call (limiter_parity_test.cc). Each group is one Lua script run
// (internal/limiter_script.h), atomic in Redis: its cells (keys
// gateway::CellKey(tag, name), one hash tag, so one Cluster slot) are all
// charged or none. The commands travel on one pipelined AsyncConnection, so
// the requests of one loop share round trips.
//
// Every key written expires ceil(tat - now) + 1000 ms later (Redis's clock),
// so Redis holds only limiters that are not yet empty. now_ms is the caller's
// clock: replicas should agree on it to within the precision they need.
//
//   asio::io_context io{1};
//   AsyncLimiter limiter(io, {.host = "10.0.0.5"});
//   // in a coroutine running on io:
//   absl::StatusOr<std::vector<gateway::GroupOutcome>> outcome = co_await limiter.Acquire(groups, now_ms);
//   if (!outcome.ok()) ...  // Redis unreachable: apply the failure policy
//
// Scripts run by EVALSHA. The first call that needs a script sends it whole
// (EVAL) behind a SCRIPT LOAD in the same pipeline, which tells its SHA1; a
// NOSCRIPT reply (Redis restarted, SCRIPT FLUSH) sends the commands it
// refused once more the same way. No call waits an extra round trip.
//
// Errors: Unavailable when Redis cannot be reached or does not answer in
// time; Internal for an error or malformed reply.
// Threading and lifetime: those of AsyncConnection (one thread runs `io`;
// destroy after `io` has stopped). `groups` must stay valid until the call
// has resumed.
#ifndef HYDRAGUARD_REDIS_ASYNC_LIMITER_H_
#define HYDRAGUARD_REDIS_ASYNC_LIMITER_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gateway/limiter.h"
#include "redis/async_connection.h"
#include "redis/internal/limiter_commands.h"

namespace hydraguard::redis {

class AsyncLimiter : public gateway::LimiterStore {
 public:
  AsyncLimiter(boost::asio::io_context& io, RedisOptions options,
               AsyncConnection::Clock now_ms = &RedisClient::SteadyNowMs);

  // As gateway::LimiterStore::Acquire and Adjust. REQUIRES (per cell):
  // rate.limit > 0, rate.period_ms > 0, cost >= 0 for Acquire.
  boost::asio::awaitable<absl::StatusOr<std::vector<gateway::GroupOutcome>>> Acquire(
      std::span<const gateway::CellGroup> groups, int64_t now_ms) override;
  boost::asio::awaitable<absl::Status> Adjust(std::span<const gateway::CellGroup> groups, int64_t now_ms) override;

  const AsyncConnection& connection() const { return connection_; }
  boost::asio::io_context& io() const { return connection_.io(); }

 private:
  // Runs `commands` (EVALSHA of `script`, SHA1 filled in here); one reply each.
  boost::asio::awaitable<absl::StatusOr<std::vector<Reply>>> RunScript(internal::LimiterScript script,
                                                                       std::vector<std::vector<std::string>> commands);
  // Sends SCRIPT LOAD, then `commands` as EVAL with the script's source;
  // learns the SHA1. One reply per command (not for SCRIPT LOAD).
  boost::asio::awaitable<absl::StatusOr<std::vector<Reply>>> LoadAndRun(internal::LimiterScript script,
                                                                        std::vector<std::vector<std::string>> commands);

  AsyncConnection connection_;
  std::string sha_[2];  // by LimiterScript; "" until learnt
};

}  // namespace hydraguard::redis

#endif  // HYDRAGUARD_REDIS_ASYNC_LIMITER_H_
