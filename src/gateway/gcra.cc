#include "gateway/gcra.h"

#include <algorithm>
#include <cmath>

namespace hydraguard::gateway {

GcraStep GcraAcquire(double tat_ms, double now_ms, const Rate& rate, int64_t cost) {
  const double emission = rate.emission_ms();
  const double period = static_cast<double>(rate.period_ms);
  const double base = std::max(tat_ms, now_ms);
  const double new_tat = base + static_cast<double>(cost) * emission;
  GcraStep step;
  if (cost > rate.limit) {
    step.tat_ms = tat_ms;
    step.remaining = std::max<int64_t>(0, static_cast<int64_t>(std::floor((period - (base - now_ms)) / emission)));
    step.retry_after_ms = rate.period_ms;
    step.reset_ms = static_cast<int64_t>(std::ceil(base - now_ms));
    return step;
  }
  // Allowed when the limiter, after this step, holds at most one period.
  // The small epsilon absorbs rounding of emission intervals like 60000/7.
  if (new_tat - now_ms <= period + 1e-6) {
    step.allowed = true;
    step.tat_ms = new_tat;
    step.remaining =
        std::max<int64_t>(0, static_cast<int64_t>(std::floor((period - (new_tat - now_ms)) / emission + 1e-9)));
    step.reset_ms = static_cast<int64_t>(std::ceil(new_tat - now_ms));
    return step;
  }
  step.tat_ms = tat_ms;
  step.remaining = std::max<int64_t>(0, static_cast<int64_t>(std::floor((period - (base - now_ms)) / emission + 1e-9)));
  step.retry_after_ms = static_cast<int64_t>(std::ceil(new_tat - now_ms - period));
  step.reset_ms = static_cast<int64_t>(std::ceil(base - now_ms));
  return step;
}

double GcraAdjust(double tat_ms, double now_ms, const Rate& rate, int64_t delta) {
  const double base = std::max(tat_ms, now_ms);
  return std::max(now_ms, base + static_cast<double>(delta) * rate.emission_ms());
}

}  // namespace hydraguard::gateway
