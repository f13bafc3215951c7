#include "gateway/memory_limiter.h"

#include "absl/hash/hash.h"

namespace hydraguard::gateway {

namespace {
// Sweep every this many Acquire calls: often enough to bound memory, rare
// enough to cost nothing per request.
constexpr uint64_t kSweepEvery = 1 << 16;
}  // namespace

MemoryLimiter::Shard& MemoryLimiter::ShardOf(std::string_view tag) { return shards_[absl::HashOf(tag) % kShards]; }

absl::StatusOr<std::vector<GroupOutcome>> MemoryLimiter::AcquireNow(std::span<const CellGroup> groups, int64_t now_ms) {
  if (calls_.fetch_add(1, std::memory_order_relaxed) % kSweepEvery == kSweepEvery - 1) Sweep(now_ms);
  const double now = static_cast<double>(now_ms);
  std::vector<GroupOutcome> outcomes(groups.size());
  std::vector<std::string> keys;
  std::vector<GcraStep> steps;
  for (size_t group_idx = 0; group_idx < groups.size(); ++group_idx) {
    const CellGroup& group = groups[group_idx];
    GroupOutcome& outcome = outcomes[group_idx];
    keys.clear();
    steps.clear();
    for (const Cell& cell : group.cells) keys.push_back(CellKey(group.tag, cell.name));
    Shard& shard = ShardOf(group.tag);
    std::lock_guard lock(shard.mutex);
    outcome.allowed = true;
    for (size_t cell_idx = 0; cell_idx < group.cells.size(); ++cell_idx) {
      const Cell& cell = group.cells[cell_idx];
      auto it = shard.tat_ms.find(keys[cell_idx]);
      double tat = it == shard.tat_ms.end() ? 0 : it->second;
      steps.push_back(GcraAcquire(tat, now, cell.rate, cell.cost));
      outcome.allowed = outcome.allowed && steps.back().allowed;
    }
    for (size_t cell_idx = 0; cell_idx < group.cells.size(); ++cell_idx) {
      const GcraStep& step = steps[cell_idx];
      if (outcome.allowed) shard.tat_ms[keys[cell_idx]] = step.tat_ms;
      // A group refused by another cell charges nothing: the cells that
      // would have admitted report the remaining they had before.
      int64_t remaining = step.remaining;
      if (!outcome.allowed && step.allowed) remaining += group.cells[cell_idx].cost;
      outcome.cells.push_back({.allowed = step.allowed,
                               .remaining = remaining,
                               .retry_after_ms = step.retry_after_ms,
                               .reset_ms = step.reset_ms});
    }
  }
  return outcomes;
}

absl::Status MemoryLimiter::AdjustNow(std::span<const CellGroup> groups, int64_t now_ms) {
  const double now = static_cast<double>(now_ms);
  for (const CellGroup& group : groups) {
    Shard& shard = ShardOf(group.tag);
    std::lock_guard lock(shard.mutex);
    for (const Cell& cell : group.cells) {
      if (cell.cost == 0) continue;
      double& tat = shard.tat_ms[CellKey(group.tag, cell.name)];
      tat = GcraAdjust(tat, now, cell.rate, cell.cost);
    }
  }
  return absl::OkStatus();
}

boost::asio::awaitable<absl::StatusOr<std::vector<GroupOutcome>>> MemoryLimiter::Acquire(
    std::span<const CellGroup> groups, int64_t now_ms) {
  co_return AcquireNow(groups, now_ms);
}

boost::asio::awaitable<absl::Status> MemoryLimiter::Adjust(std::span<const CellGroup> groups, int64_t now_ms) {
  co_return AdjustNow(groups, now_ms);
}

size_t MemoryLimiter::Sweep(int64_t now_ms) {
  const double now = static_cast<double>(now_ms);
  size_t dropped = 0;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    dropped += absl::erase_if(shard.tat_ms, [now](const auto& entry) { return entry.second <= now; });
  }
  return dropped;
}

size_t MemoryLimiter::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.tat_ms.size();
  }
  return total;
}

}  // namespace hydraguard::gateway
