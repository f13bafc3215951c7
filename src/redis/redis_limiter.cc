#include "redis/redis_limiter.h"

#include <string_view>
#include <utility>

#include "fmt/format.h"
#include "redis/internal/limiter_commands.h"

namespace hydraguard::redis {

RedisLimiter::RedisLimiter(RedisClient& client) : client_(client) {}

absl::StatusOr<std::string> RedisLimiter::ScriptSha(Script script, bool reload) {
  if (!reload) {
    absl::MutexLock lock(&mutex_);
    if (!sha_[script].empty()) return sha_[script];
  }
  const internal::LimiterScript which = static_cast<internal::LimiterScript>(script);
  absl::StatusOr<Reply> reply = client_.Command({"SCRIPT", "LOAD", internal::ScriptSource(which)});
  if (!reply.ok()) return reply.status();
  absl::StatusOr<std::string> sha = internal::ReadSha(which, *reply, client_.endpoint());
  if (!sha.ok()) return sha.status();
  absl::MutexLock lock(&mutex_);
  sha_[script] = *sha;
  return sha;
}

absl::StatusOr<std::vector<Reply>> RedisLimiter::RunScript(Script script,
                                                           std::vector<std::vector<std::string>> commands) {
  absl::StatusOr<std::string> sha = ScriptSha(script, /*reload=*/false);
  if (!sha.ok()) return sha.status();
  internal::SetSha(*sha, &commands);
  absl::StatusOr<std::vector<Reply>> replies = client_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  // Scripts that did not run (Redis restarted or flushed its scripts): load
  // again and run just those, once.
  std::vector<size_t> missing;
  for (size_t i = 0; i < replies->size(); ++i) {
    if (internal::IsNoScript((*replies)[i])) missing.push_back(i);
  }
  if (missing.empty()) return replies;
  sha = ScriptSha(script, /*reload=*/true);
  if (!sha.ok()) return sha.status();
  std::vector<std::vector<std::string>> again;
  again.reserve(missing.size());
  for (size_t i : missing) again.push_back(std::move(commands[i]));
  internal::SetSha(*sha, &again);
  absl::StatusOr<std::vector<Reply>> retried = client_.Pipeline(again);
  if (!retried.ok()) return retried.status();
  for (size_t j = 0; j < missing.size(); ++j) (*replies)[missing[j]] = std::move((*retried)[j]);
  return replies;
}

absl::StatusOr<std::vector<gateway::GroupOutcome>> RedisLimiter::Acquire(std::span<const gateway::CellGroup> groups,
                                                                         int64_t now_ms) {
  internal::LimiterBatch batch = internal::AcquireBatch(groups, now_ms);
  if (batch.commands.empty()) return internal::ReadAcquire(groups, batch, {}, client_.endpoint());  // all allowed
  absl::StatusOr<std::vector<Reply>> replies = RunScript(kAcquire, std::move(batch.commands));
  if (!replies.ok()) return replies.status();
  return internal::ReadAcquire(groups, batch, *replies, client_.endpoint());
}

absl::Status RedisLimiter::Adjust(std::span<const gateway::CellGroup> groups, int64_t now_ms) {
  internal::LimiterBatch batch = internal::AdjustBatch(groups, now_ms);
  if (batch.commands.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<Reply>> replies = RunScript(kAdjust, std::move(batch.commands));
  if (!replies.ok()) return replies.status();
  return internal::ReadAdjust(groups, batch, *replies, client_.endpoint());
}

}  // namespace hydraguard::redis
