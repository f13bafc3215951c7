// RedisLimiter: gateway::LimiterStore kept in Redis, so that every gateway
// replica draws on the same limits. Same arithmetic and the same outcomes as
// gateway::MemoryLimiter, call for call (redis_limiter_test.cc checks both).
//
//   RedisClient client({.host = "10.0.0.5"});
//   RedisLimiter limiter(client);
//   absl::StatusOr<std::vector<gateway::GroupOutcome>> outcome = limiter.Acquire(groups, now_ms);
//   if (!outcome.ok()) ...  // Redis unreachable: apply the failure policy
//
// Each group is one Lua script run (internal/limiter_script.h), atomic in
// Redis: its cells (keys gateway::CellKey(tag, name), one hash tag, so one
// Cluster slot) are all charged or none. All groups of one call travel in one
// pipeline: one round trip per Acquire or Adjust. Scripts run by EVALSHA; they
// are loaded (SCRIPT LOAD) on first use and again when Redis has forgotten
// them (NOSCRIPT, after a restart or SCRIPT FLUSH).
//
// Every key written expires ceil(tat - now) + 1000 ms later (Redis's clock),
// so Redis holds only limiters that are not yet empty. now_ms is the caller's
// clock: replicas should agree on it to within the precision they need.
//
// Thread-safety: safe for concurrent use, by as many threads as the client's
// pool serves at once.
#ifndef HYDRAGUARD_REDIS_REDIS_LIMITER_H_
#define HYDRAGUARD_REDIS_REDIS_LIMITER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gateway/limiter.h"
#include "redis/redis_client.h"

namespace hydraguard::redis {

class RedisLimiter : public gateway::LimiterStore {
 public:
  // REQUIRES: `client` outlives this limiter.
  explicit RedisLimiter(RedisClient& client);

  // LimiterStore. Unavailable when Redis cannot be reached; Internal when
  // Redis answers with an error or an unexpected reply. REQUIRES (per cell):
  // rate.limit > 0, rate.period_ms > 0, cost >= 0 for Acquire.
  absl::StatusOr<std::vector<gateway::GroupOutcome>> Acquire(std::span<const gateway::CellGroup> groups,
                                                             int64_t now_ms) override;
  absl::Status Adjust(std::span<const gateway::CellGroup> groups, int64_t now_ms) override;

 private:
  enum Script { kAcquire = 0, kAdjust = 1 };

  // The SHA1 of a loaded script; loads it first if not known yet or `reload`.
  absl::StatusOr<std::string> ScriptSha(Script script, bool reload);
  // Runs `commands` ({"EVALSHA", <sha>, numkeys, keys..., args...}, the sha
  // filled in here) in one pipeline. Those answered NOSCRIPT are run once
  // more after reloading the script. Returns one reply per command.
  absl::StatusOr<std::vector<Reply>> RunScript(Script script, std::vector<std::vector<std::string>> commands);

  RedisClient& client_;
  absl::Mutex mutex_;
  std::string sha_[2] ABSL_GUARDED_BY(mutex_);
};

}  // namespace hydraguard::redis

#endif  // HYDRAGUARD_REDIS_REDIS_LIMITER_H_
