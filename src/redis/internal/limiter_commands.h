// The Redis side of a LimiterStore call, without the I/O: the script
// commands for a list of groups, and the outcomes read back from their
// replies. AsyncLimiter sends exactly these commands and reads exactly these
// replies (limiter_parity_test.cc checks the outcomes).
//
//   LimiterBatch batch = AcquireBatch(groups, now_ms);
//   ... fill in the script's SHA1 (SetSha) and send batch.commands ...
//   absl::StatusOr<std::vector<gateway::GroupOutcome>> outcomes = ReadAcquire(groups, batch, replies, endpoint);
#ifndef HYDRAGUARD_REDIS_INTERNAL_LIMITER_COMMANDS_H_
#define HYDRAGUARD_REDIS_INTERNAL_LIMITER_COMMANDS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gateway/limiter.h"
#include "redis/redis_client.h"

namespace hydraguard::redis::internal {

enum class LimiterScript { kAcquire = 0, kAdjust = 1 };
// The Lua source of a script and its name for messages.
std::string_view ScriptSource(LimiterScript script);
std::string_view ScriptName(LimiterScript script);

// One EVALSHA per group that needs one: {"EVALSHA", "" (the SHA1, see
// SetSha), numkeys, keys..., now_ms, (limit, period_ms, cost)...}.
struct LimiterBatch {
  std::vector<std::vector<std::string>> commands;
  std::vector<size_t> groups;  // the group of each command
};
// Acquire: every group with cells. Adjust: the cells with a nonzero cost,
// for each group with any.
LimiterBatch AcquireBatch(std::span<const gateway::CellGroup> groups, int64_t now_ms);
LimiterBatch AdjustBatch(std::span<const gateway::CellGroup> groups, int64_t now_ms);
void SetSha(std::string_view sha, std::vector<std::vector<std::string>>* commands);

// Whether Redis answered that it does not know the script (restarted, or
// SCRIPT FLUSH): load it again and resend.
bool IsNoScript(const ReplyView& reply);
// The SHA1 from a SCRIPT LOAD reply; Internal naming `endpoint` if the reply
// is not one.
absl::StatusOr<std::string> ReadSha(LimiterScript script, const ReplyView& reply, std::string_view endpoint);

// One outcome per group (groups without cells are allowed), from one reply
// per command of `batch`. Internal for an error or malformed reply.
absl::StatusOr<std::vector<gateway::GroupOutcome>> ReadAcquire(std::span<const gateway::CellGroup> groups,
                                                               const LimiterBatch& batch,
                                                               const std::vector<Reply>& replies,
                                                               std::string_view endpoint);
absl::Status ReadAdjust(std::span<const gateway::CellGroup> groups, const LimiterBatch& batch,
                        const std::vector<Reply>& replies, std::string_view endpoint);

}  // namespace hydraguard::redis::internal

#endif  // HYDRAGUARD_REDIS_INTERNAL_LIMITER_COMMANDS_H_
