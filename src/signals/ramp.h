// Ramp(x, from, to): 0 at `from`, 1 at `to`, linear between, clamped; works
// in either direction (from > to ramps down). The shape every account signal
// uses to turn a measurement into a share of its weight.
#ifndef HYDRAGUARD_SIGNALS_RAMP_H_
#define HYDRAGUARD_SIGNALS_RAMP_H_

#include <algorithm>
#include <cmath>

namespace hydraguard::signals {

// A non-finite result (e.g. a log-scale bound configured as 0) counts as 0.
inline double Ramp(double x, double from, double to) {
  if (from == to) return x >= to ? 1.0 : 0.0;
  double share = (x - from) / (to - from);
  return std::isfinite(share) ? std::clamp(share, 0.0, 1.0) : 0.0;
}

}  // namespace hydraguard::signals

#endif  // HYDRAGUARD_SIGNALS_RAMP_H_
