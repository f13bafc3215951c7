#include "gateway/gcra.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hydraguard::gateway {

namespace {

// How far (ms) a TAT may exceed its exact value through rounding alone. TATs
// are absolute times (~1.7e12 ms), where a double resolves only ~2.4e-4 ms,
// and every unit added since the limiter was last empty rounds the stored TAT
// once more, by the same amount for a given rate: with a fixed 1e-6 a burst of
// exactly `limit` (17 a minute, say) lost its last unit. At most limit + 1
// such roundings, each below magnitude * epsilon; never more than half an
// emission interval, so that counts stay exact.
double Tolerance(double tat_ms, double now_ms, const Rate& rate) {
  const double magnitude = std::max(std::abs(tat_ms), std::abs(now_ms));
  const double rounding = (static_cast<double>(rate.limit) + 1) * magnitude * std::numeric_limits<double>::epsilon();
  return std::max(1e-6, std::min(rounding, 0.5 * rate.emission_ms()));
}

int64_t CeilMs(double ms, double tolerance) { return static_cast<int64_t>(std::ceil(ms - tolerance)); }

}  // namespace

GcraStep GcraAcquire(double tat_ms, double now_ms, const Rate& rate, int64_t cost) {
  const double emission = rate.emission_ms();
  const double period = static_cast<double>(rate.period_ms);
  const double tolerance = Tolerance(tat_ms, now_ms, rate);
  // A limiter within rounding of empty is empty: rounding must not carry
  // over from one burst to the next (it would drift over many periods).
  const double base = tat_ms > now_ms + tolerance ? tat_ms : now_ms;
  const double new_tat = base + static_cast<double>(cost) * emission;
  const double units_tolerance = std::max(1e-9, tolerance / emission);
  GcraStep step;
  if (cost > rate.limit) {
    step.tat_ms = tat_ms;
    step.remaining =
        std::max<int64_t>(0, static_cast<int64_t>(std::floor((period - (base - now_ms)) / emission + units_tolerance)));
    step.retry_after_ms = rate.period_ms;
    step.reset_ms = std::max<int64_t>(0, CeilMs(base - now_ms, tolerance));
    return step;
  }
  // Allowed when the limiter, after this step, holds at most one period.
  if (new_tat - now_ms <= period + tolerance) {
    step.allowed = true;
    step.tat_ms = new_tat;
    step.remaining = std::max<int64_t>(
        0, static_cast<int64_t>(std::floor((period - (new_tat - now_ms)) / emission + units_tolerance)));
    step.reset_ms = std::max<int64_t>(0, CeilMs(new_tat - now_ms, tolerance));
    return step;
  }
  step.tat_ms = tat_ms;
  step.remaining =
      std::max<int64_t>(0, static_cast<int64_t>(std::floor((period - (base - now_ms)) / emission + units_tolerance)));
  step.retry_after_ms = std::max<int64_t>(1, CeilMs(new_tat - now_ms - period, tolerance));
  step.reset_ms = std::max<int64_t>(0, CeilMs(base - now_ms, tolerance));
  return step;
}

double GcraAdjust(double tat_ms, double now_ms, const Rate& rate, int64_t delta) {
  const double base = std::max(tat_ms, now_ms);
  return std::max(now_ms, base + static_cast<double>(delta) * rate.emission_ms());
}

}  // namespace hydraguard::gateway
