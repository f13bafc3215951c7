// MemoryLimiter: LimiterStore for a single gateway, in this process.
//
// State is one TAT per cell key, in shards locked by mutex; a group's cells
// are checked and charged under its shard lock (all cells of a group share a
// tag, hence a shard). Limiters that have drained (TAT in the past) are
// forgotten by Sweep(), which Acquire runs now and then, so memory follows the
// number of identities active within the longest period, not all ever seen.
//
// Acquire and Adjust (LimiterStore) complete without suspending; AcquireNow
// and AdjustNow are the same calls for callers outside a coroutine (tests,
// benchmarks).
//
// Thread-safety: safe for concurrent use, from any thread or event loop.
#ifndef HYDRAGUARD_GATEWAY_MEMORY_LIMITER_H_
#define HYDRAGUARD_GATEWAY_MEMORY_LIMITER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "gateway/limiter.h"

namespace hydraguard::gateway {

class MemoryLimiter : public LimiterStore {
 public:
  boost::asio::awaitable<absl::StatusOr<std::vector<GroupOutcome>>> Acquire(std::span<const CellGroup> groups,
                                                                            int64_t now_ms) override;
  boost::asio::awaitable<absl::Status> Adjust(std::span<const CellGroup> groups, int64_t now_ms) override;

  std::optional<absl::Status> AdjustIfImmediate(std::span<const CellGroup> groups, int64_t now_ms) override {
    return AdjustNow(groups, now_ms);
  }

  absl::StatusOr<std::vector<GroupOutcome>> AcquireNow(std::span<const CellGroup> groups, int64_t now_ms);
  absl::Status AdjustNow(std::span<const CellGroup> groups, int64_t now_ms);

  // Drops limiters whose TAT is before now_ms. Returns how many it dropped.
  size_t Sweep(int64_t now_ms);
  size_t size() const;

 private:
  static constexpr size_t kShards = 64;
  struct Shard {
    mutable std::mutex mutex;
    absl::flat_hash_map<std::string, double> tat_ms;  // by CellKey
  };
  Shard& ShardOf(std::string_view tag);

  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> calls_{0};
};

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_MEMORY_LIMITER_H_
