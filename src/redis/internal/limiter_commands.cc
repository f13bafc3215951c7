#include "redis/internal/limiter_commands.h"

#include "fmt/format.h"
#include "redis/internal/limiter_script.h"

namespace hydraguard::redis::internal {

namespace {

// The command for the cells of `group` that `keep` accepts; empty if none.
template <typename Keep>
std::vector<std::string> ScriptCommand(const gateway::CellGroup& group, int64_t now_ms, Keep keep) {
  std::vector<const gateway::Cell*> cells;
  for (const gateway::Cell& cell : group.cells) {
    if (keep(cell)) cells.push_back(&cell);
  }
  std::vector<std::string> command;
  if (cells.empty()) return command;
  command.reserve(4 + 4 * cells.size());
  command.push_back("EVALSHA");
  command.emplace_back();
  command.push_back(std::to_string(cells.size()));
  for (const gateway::Cell* cell : cells) command.push_back(gateway::CellKey(group.tag, cell->name));
  command.push_back(std::to_string(now_ms));
  for (const gateway::Cell* cell : cells) {
    command.push_back(std::to_string(cell->rate.limit));
    command.push_back(std::to_string(cell->rate.period_ms));
    command.push_back(std::to_string(cell->cost));
  }
  return command;
}

template <typename Keep>
LimiterBatch Batch(std::span<const gateway::CellGroup> groups, int64_t now_ms, Keep keep) {
  LimiterBatch batch;
  for (size_t group_idx = 0; group_idx < groups.size(); ++group_idx) {
    std::vector<std::string> command = ScriptCommand(groups[group_idx], now_ms, keep);
    if (command.empty()) continue;
    batch.commands.push_back(std::move(command));
    batch.groups.push_back(group_idx);
  }
  return batch;
}

}  // namespace

std::string_view ScriptSource(LimiterScript script) {
  return script == LimiterScript::kAcquire ? kAcquireScript : kAdjustScript;
}

std::string_view ScriptName(LimiterScript script) { return script == LimiterScript::kAcquire ? "acquire" : "adjust"; }

LimiterBatch AcquireBatch(std::span<const gateway::CellGroup> groups, int64_t now_ms) {
  return Batch(groups, now_ms, [](const gateway::Cell&) { return true; });
}

LimiterBatch AdjustBatch(std::span<const gateway::CellGroup> groups, int64_t now_ms) {
  // Cells adding nothing are left alone, as in MemoryLimiter.
  return Batch(groups, now_ms, [](const gateway::Cell& cell) { return cell.cost != 0; });
}

void SetSha(std::string_view sha, std::vector<std::vector<std::string>>* commands) {
  for (std::vector<std::string>& command : *commands) command[1] = sha;
}

bool IsNoScript(const ReplyView& reply) { return reply.is_error() && reply.str().starts_with("NOSCRIPT"); }

absl::StatusOr<std::string> ReadSha(LimiterScript script, const ReplyView& reply, std::string_view endpoint) {
  if (!reply.is_string()) {
    return absl::InternalError(fmt::format("redis {} SCRIPT LOAD of the limiter {} script: {}", endpoint,
                                           ScriptName(script), reply.is_error() ? reply.str() : "unexpected reply"));
  }
  return std::string(reply.str());
}

absl::StatusOr<std::vector<gateway::GroupOutcome>> ReadAcquire(std::span<const gateway::CellGroup> groups,
                                                               const LimiterBatch& batch,
                                                               const std::vector<Reply>& replies,
                                                               std::string_view endpoint) {
  std::vector<gateway::GroupOutcome> outcomes(groups.size());
  for (size_t group_idx = 0; group_idx < groups.size(); ++group_idx) {
    if (groups[group_idx].cells.empty()) outcomes[group_idx].allowed = true;  // nothing to check, as in MemoryLimiter
  }
  for (size_t command_idx = 0; command_idx < batch.groups.size(); ++command_idx) {
    const gateway::CellGroup& group = groups[batch.groups[command_idx]];
    const Reply& reply = replies[command_idx];
    const size_t cells = group.cells.size();
    if (reply.is_error()) {
      return absl::InternalError(fmt::format("redis {} limiter acquire for {}: {}", endpoint, group.tag, reply.str()));
    }
    if (!reply.is_array() || reply.size() != 1 + 4 * cells) {
      return absl::InternalError(fmt::format("redis {} limiter acquire for {}: unexpected reply (type {}, {} elements)",
                                             endpoint, group.tag, reply.type(), reply.size()));
    }
    for (size_t element = 0; element < reply.size(); ++element) {
      if (!reply.element(element).is_integer()) {
        return absl::InternalError(
            fmt::format("redis {} limiter acquire for {}: element {} is not an integer", endpoint, group.tag, element));
      }
    }
    gateway::GroupOutcome& outcome = outcomes[batch.groups[command_idx]];
    outcome.allowed = reply.element(0).integer() != 0;
    outcome.cells.reserve(cells);
    for (size_t cell = 0; cell < cells; ++cell) {
      outcome.cells.push_back({.allowed = reply.element(1 + 4 * cell).integer() != 0,
                               .remaining = reply.element(2 + 4 * cell).integer(),
                               .retry_after_ms = reply.element(3 + 4 * cell).integer(),
                               .reset_ms = reply.element(4 + 4 * cell).integer()});
    }
  }
  return outcomes;
}

absl::Status ReadAdjust(std::span<const gateway::CellGroup> groups, const LimiterBatch& batch,
                        const std::vector<Reply>& replies, std::string_view endpoint) {
  for (size_t command_idx = 0; command_idx < batch.groups.size(); ++command_idx) {
    const Reply& reply = replies[command_idx];
    if (reply.is_error() || !reply.is_integer()) {
      return absl::InternalError(fmt::format("redis {} limiter adjust for {}: {}", endpoint,
                                             groups[batch.groups[command_idx]].tag,
                                             reply.is_error() ? reply.str() : std::string_view("unexpected reply")));
    }
  }
  return absl::OkStatus();
}

}  // namespace hydraguard::redis::internal
