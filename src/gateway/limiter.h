// LimiterStore: where GCRA limiter state lives, asked from an event loop.
// MemoryLimiter keeps it in this process (one gateway; answers at once);
// redis::AsyncLimiter keeps it in Redis, so that every replica draws on the
// same limits, and awaits Redis without blocking the loop. The one admission
// driver (gateway/admission.h) uses only this interface.
//
// A request touches several limiters at once (its account's requests and
// tokens per minute and per day, and the same for its org, payment
// fingerprint, IP prefix, ASN, campaign). Limiters of one identity form a
// CellGroup: every key of a group shares one Redis Cluster hash tag, and a
// group is admitted or refused as a whole, atomically. Groups are independent;
// Policy rolls back the admitted groups (Adjust with negative costs) when
// another group refuses.
//
//   CellGroup group{.tag = "acct:a1", .cells = {{"rpm", {60, 60'000}, 1}, {"itpm", {40'000, 60'000}, 900}}};
//   // in a coroutine:
//   absl::StatusOr<std::vector<GroupOutcome>> outcome = co_await store.Acquire({&group, 1}, now_ms);
//
// `groups` must stay valid until the call has resumed. Bind an awaited value
// to a named local before testing it: GCC 12 miscompiles co_await inside a
// condition (scripts/check_co_await.pl enforces this).
//
// Thread-safety: MemoryLimiter may be called from many loops at once; an
// AsyncLimiter only from coroutines on its own io_context.
#ifndef HYDRAGUARD_GATEWAY_LIMITER_H_
#define HYDRAGUARD_GATEWAY_LIMITER_H_

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gateway/gcra.h"

namespace hydraguard::gateway {

struct Cell {
  std::string name;  // limiter within the group, e.g. "rpm", "otpd"
  Rate rate;
  int64_t cost = 0;  // units to take (Acquire) or to add, maybe negative (Adjust)
};

struct CellGroup {
  std::string tag;  // identity, e.g. "acct:a1", "ip:203.0.113.0/24"; the hash tag
  std::vector<Cell> cells;
};

struct CellOutcome {
  bool allowed = false;
  int64_t remaining = 0;
  int64_t retry_after_ms = 0;
  int64_t reset_ms = 0;
};

struct GroupOutcome {
  bool allowed = false;            // every cell admitted its cost, and all were charged
  std::vector<CellOutcome> cells;  // one per cell of the group, same order
};

class LimiterStore {
 public:
  virtual ~LimiterStore() = default;
  // For each group, atomically: when every cell admits its cost all are
  // charged, else none is. Returns one outcome per group, in order. An error
  // means the store could not answer (Redis unreachable); nothing is known
  // about what was charged, and the caller applies its failure policy.
  virtual boost::asio::awaitable<absl::StatusOr<std::vector<GroupOutcome>>> Acquire(std::span<const CellGroup> groups,
                                                                                    int64_t now_ms) = 0;
  // Adds each cell's cost (negative refunds) to its limiter, unchecked
  // (GcraAdjust). Used to settle reservations and to roll back.
  virtual boost::asio::awaitable<absl::Status> Adjust(std::span<const CellGroup> groups, int64_t now_ms) = 0;
  // Adjust, done before returning by a store that can answer without waiting
  // (memory); nullopt from one that cannot (Redis: await Adjust). Lets a
  // caller outside a coroutine settle before its client can send again.
  virtual std::optional<absl::Status> AdjustIfImmediate(std::span<const CellGroup> /*groups*/, int64_t /*now_ms*/) {
    return std::nullopt;
  }
};

// The storage key of one cell: "hg:{<tag>}:<name>". The braces are the
// Redis Cluster hash tag, so every cell of a group lands in one slot.
std::string CellKey(std::string_view tag, std::string_view name);

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_LIMITER_H_
