// GCRA (the generic cell rate algorithm): the one rate-limit rule every
// gateway limiter uses, in memory and in Redis (redis/internal/limiter_script.h
// implements the same arithmetic; gcra_test.cc and the Redis tests pin both).
//
// A Rate of `limit` units per `period_ms` spaces units `period_ms / limit`
// apart (the emission interval) and lets a full period's worth through at
// once. The whole state of a limiter is one number, its theoretical arrival
// time (TAT): the time at which the limiter would be empty again.
//
//   Rate rate{.limit = 60, .period_ms = 60'000};   // 60 requests a minute
//   GcraStep step = GcraAcquire(/*tat_ms=*/0, /*now_ms=*/1000, rate, /*cost=*/1);
//   if (step.allowed) tat = step.tat_ms;            // store it back
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_GATEWAY_GCRA_H_
#define HYDRAGUARD_GATEWAY_GCRA_H_

#include <cstdint>

namespace hydraguard::gateway {

struct Rate {
  int64_t limit = 0;      // units per period; > 0
  int64_t period_ms = 0;  // > 0

  double emission_ms() const { return static_cast<double>(period_ms) / static_cast<double>(limit); }
  friend bool operator==(const Rate&, const Rate&) = default;
};

struct GcraStep {
  bool allowed = false;
  double tat_ms = 0;           // the new TAT if allowed, else the old one
  int64_t remaining = 0;       // units still admissible now, after this step
  int64_t retry_after_ms = 0;  // when denied: wait at least this long (0 if allowed)
  int64_t reset_ms = 0;        // until the limiter is empty (full quota) again
};

// Admits `cost` units at `now_ms` when the limiter holds room for them.
// A cost above rate.limit can never be admitted: denied with retry_after_ms
// of a full period. REQUIRES: rate.limit > 0, rate.period_ms > 0, cost >= 0.
GcraStep GcraAcquire(double tat_ms, double now_ms, const Rate& rate, int64_t cost);

// Adds `delta` units (negative: gives them back) without checking the limit:
// settles a reservation against real usage, or rolls one back. The TAT never
// moves below `now_ms` (a refund cannot make room beyond an empty limiter).
double GcraAdjust(double tat_ms, double now_ms, const Rate& rate, int64_t delta);

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_GCRA_H_
