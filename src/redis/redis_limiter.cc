#include "redis/redis_limiter.h"

#include <string_view>
#include <utility>

#include "fmt/format.h"
#include "redis/internal/limiter_script.h"

namespace hydraguard::redis {

namespace {

constexpr std::string_view kScriptNames[] = {"acquire", "adjust"};
constexpr std::string_view kScripts[] = {internal::kAcquireScript, internal::kAdjustScript};

bool IsNoScript(const Reply& reply) { return reply.is_error() && reply.str().starts_with("NOSCRIPT"); }

// {"EVALSHA", <sha, filled in later>, numkeys, keys..., now_ms, (limit, period_ms, cost)...} for the cells of
// `group` that `keep` accepts.
template <typename Keep>
std::vector<std::string> ScriptCommand(const gateway::CellGroup& group, int64_t now_ms, Keep keep) {
  std::vector<const gateway::Cell*> cells;
  for (const gateway::Cell& cell : group.cells) {
    if (keep(cell)) cells.push_back(&cell);
  }
  std::vector<std::string> command;
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

}  // namespace

RedisLimiter::RedisLimiter(RedisClient& client) : client_(client) {}

absl::StatusOr<std::string> RedisLimiter::ScriptSha(Script script, bool reload) {
  if (!reload) {
    absl::MutexLock lock(&mutex_);
    if (!sha_[script].empty()) return sha_[script];
  }
  absl::StatusOr<Reply> reply = client_.Command({"SCRIPT", "LOAD", kScripts[script]});
  if (!reply.ok()) return reply.status();
  if (!reply->is_string()) {
    return absl::InternalError(fmt::format("redis {} SCRIPT LOAD of the limiter {} script: {}", client_.endpoint(),
                                           kScriptNames[script],
                                           reply->is_error() ? reply->str() : "unexpected reply"));
  }
  std::string sha(reply->str());
  absl::MutexLock lock(&mutex_);
  sha_[script] = sha;
  return sha;
}

absl::StatusOr<std::vector<Reply>> RedisLimiter::RunScript(Script script,
                                                           std::vector<std::vector<std::string>> commands) {
  absl::StatusOr<std::string> sha = ScriptSha(script, /*reload=*/false);
  if (!sha.ok()) return sha.status();
  for (std::vector<std::string>& command : commands) command[1] = *sha;
  absl::StatusOr<std::vector<Reply>> replies = client_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  // Scripts that did not run (Redis restarted or flushed its scripts): load
  // again and run just those, once.
  std::vector<size_t> missing;
  for (size_t i = 0; i < replies->size(); ++i) {
    if (IsNoScript((*replies)[i])) missing.push_back(i);
  }
  if (missing.empty()) return replies;
  sha = ScriptSha(script, /*reload=*/true);
  if (!sha.ok()) return sha.status();
  std::vector<std::vector<std::string>> again;
  again.reserve(missing.size());
  for (size_t i : missing) {
    again.push_back(std::move(commands[i]));
    again.back()[1] = *sha;
  }
  absl::StatusOr<std::vector<Reply>> retried = client_.Pipeline(again);
  if (!retried.ok()) return retried.status();
  for (size_t j = 0; j < missing.size(); ++j) (*replies)[missing[j]] = std::move((*retried)[j]);
  return replies;
}

absl::StatusOr<std::vector<gateway::GroupOutcome>> RedisLimiter::Acquire(std::span<const gateway::CellGroup> groups,
                                                                         int64_t now_ms) {
  std::vector<gateway::GroupOutcome> outcomes(groups.size());
  std::vector<std::vector<std::string>> commands;
  std::vector<size_t> sent;  // the group of each command
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].cells.empty()) {
      outcomes[i].allowed = true;  // nothing to check, as in MemoryLimiter
      continue;
    }
    commands.push_back(ScriptCommand(groups[i], now_ms, [](const gateway::Cell&) { return true; }));
    sent.push_back(i);
  }
  if (commands.empty()) return outcomes;
  absl::StatusOr<std::vector<Reply>> replies = RunScript(kAcquire, std::move(commands));
  if (!replies.ok()) return replies.status();
  for (size_t j = 0; j < sent.size(); ++j) {
    const gateway::CellGroup& group = groups[sent[j]];
    const Reply& reply = (*replies)[j];
    const size_t cells = group.cells.size();
    if (reply.is_error()) {
      return absl::InternalError(
          fmt::format("redis {} limiter acquire for {}: {}", client_.endpoint(), group.tag, reply.str()));
    }
    if (!reply.is_array() || reply.size() != 1 + 4 * cells) {
      return absl::InternalError(fmt::format("redis {} limiter acquire for {}: unexpected reply (type {}, {} elements)",
                                             client_.endpoint(), group.tag, reply.type(), reply.size()));
    }
    for (size_t k = 0; k < reply.size(); ++k) {
      if (!reply.element(k).is_integer()) {
        return absl::InternalError(fmt::format("redis {} limiter acquire for {}: element {} is not an integer",
                                               client_.endpoint(), group.tag, k));
      }
    }
    gateway::GroupOutcome& outcome = outcomes[sent[j]];
    outcome.allowed = reply.element(0).integer() != 0;
    outcome.cells.reserve(cells);
    for (size_t c = 0; c < cells; ++c) {
      outcome.cells.push_back({.allowed = reply.element(1 + 4 * c).integer() != 0,
                               .remaining = reply.element(2 + 4 * c).integer(),
                               .retry_after_ms = reply.element(3 + 4 * c).integer(),
                               .reset_ms = reply.element(4 + 4 * c).integer()});
    }
  }
  return outcomes;
}

absl::Status RedisLimiter::Adjust(std::span<const gateway::CellGroup> groups, int64_t now_ms) {
  std::vector<std::vector<std::string>> commands;
  std::vector<size_t> sent;
  for (size_t i = 0; i < groups.size(); ++i) {
    // Cells adding nothing are left alone, as in MemoryLimiter.
    std::vector<std::string> command =
        ScriptCommand(groups[i], now_ms, [](const gateway::Cell& cell) { return cell.cost != 0; });
    if (command[2] == "0") continue;
    commands.push_back(std::move(command));
    sent.push_back(i);
  }
  if (commands.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<Reply>> replies = RunScript(kAdjust, std::move(commands));
  if (!replies.ok()) return replies.status();
  for (size_t j = 0; j < sent.size(); ++j) {
    const Reply& reply = (*replies)[j];
    if (reply.is_error() || !reply.is_integer()) {
      return absl::InternalError(fmt::format("redis {} limiter adjust for {}: {}", client_.endpoint(),
                                             groups[sent[j]].tag,
                                             reply.is_error() ? reply.str() : std::string_view("unexpected reply")));
    }
  }
  return absl::OkStatus();
}

}  // namespace hydraguard::redis
