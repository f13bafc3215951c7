#include "redis/async_limiter.h"

#include <utility>

namespace hydraguard::redis {

namespace asio = boost::asio;
using internal::LimiterScript;

AsyncLimiter::AsyncLimiter(asio::io_context& io, RedisOptions options, AsyncConnection::Clock now_ms)
    : connection_(io, std::move(options), std::move(now_ms)) {}

asio::awaitable<absl::StatusOr<std::vector<Reply>>> AsyncLimiter::LoadAndRun(
    LimiterScript script, std::vector<std::vector<std::string>> commands) {
  const std::string_view source = internal::ScriptSource(script);
  commands.insert(commands.begin(), std::vector<std::string>{"SCRIPT", "LOAD", std::string(source)});
  for (size_t command_idx = 1; command_idx < commands.size(); ++command_idx) {
    commands[command_idx][0] = "EVAL";
    commands[command_idx][1] = source;
  }
  absl::StatusOr<std::vector<Reply>> replies = co_await connection_.Pipeline(std::move(commands));
  if (!replies.ok()) co_return replies.status();
  absl::StatusOr<std::string> sha = internal::ReadSha(script, replies->front(), connection_.endpoint());
  if (!sha.ok()) co_return sha.status();
  sha_[static_cast<int>(script)] = *std::move(sha);
  replies->erase(replies->begin());
  co_return replies;
}

asio::awaitable<absl::StatusOr<std::vector<Reply>>> AsyncLimiter::RunScript(
    LimiterScript script, std::vector<std::vector<std::string>> commands) {
  const std::string& sha = sha_[static_cast<int>(script)];
  if (sha.empty()) {
    absl::StatusOr<std::vector<Reply>> loaded = co_await LoadAndRun(script, std::move(commands));
    co_return loaded;
  }
  internal::SetSha(sha, &commands);
  absl::StatusOr<std::vector<Reply>> replies = co_await connection_.Pipeline(commands);
  if (!replies.ok()) co_return replies.status();
  std::vector<size_t> refused;
  std::vector<std::vector<std::string>> again;
  for (size_t command_idx = 0; command_idx < replies->size(); ++command_idx) {
    if (!internal::IsNoScript((*replies)[command_idx])) continue;
    refused.push_back(command_idx);
    again.push_back(std::move(commands[command_idx]));
  }
  if (refused.empty()) co_return replies;
  absl::StatusOr<std::vector<Reply>> retried = co_await LoadAndRun(script, std::move(again));
  if (!retried.ok()) co_return retried.status();
  for (size_t j = 0; j < refused.size(); ++j) (*replies)[refused[j]] = std::move((*retried)[j]);
  co_return replies;
}

asio::awaitable<absl::StatusOr<std::vector<gateway::GroupOutcome>>> AsyncLimiter::Acquire(
    std::span<const gateway::CellGroup> groups, int64_t now_ms) {
  internal::LimiterBatch batch = internal::AcquireBatch(groups, now_ms);
  std::vector<Reply> replies;
  if (!batch.commands.empty()) {
    absl::StatusOr<std::vector<Reply>> sent = co_await RunScript(LimiterScript::kAcquire, std::move(batch.commands));
    if (!sent.ok()) co_return sent.status();
    replies = *std::move(sent);
  }
  co_return internal::ReadAcquire(groups, batch, replies, connection_.endpoint());
}

asio::awaitable<absl::Status> AsyncLimiter::Adjust(std::span<const gateway::CellGroup> groups, int64_t now_ms) {
  internal::LimiterBatch batch = internal::AdjustBatch(groups, now_ms);
  if (batch.commands.empty()) co_return absl::OkStatus();
  absl::StatusOr<std::vector<Reply>> replies = co_await RunScript(LimiterScript::kAdjust, std::move(batch.commands));
  if (!replies.ok()) co_return replies.status();
  co_return internal::ReadAdjust(groups, batch, *replies, connection_.endpoint());
}

}  // namespace hydraguard::redis
