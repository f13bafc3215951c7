// Ramp(x, from, to): 0 at `from`, 1 at `to`, linear between, clamped; works
// in either direction (from > to ramps down). The shape every account signal
// uses to turn a measurement into a share of its weight.
#ifndef HYDRAGUARD_SIGNALS_RAMP_H_
#define HYDRAGUARD_SIGNALS_RAMP_H_

#include <algorithm>

namespace hydraguard::signals {

inline double Ramp(double x, double from, double to) {
  if (from == to) return x >= to ? 1.0 : 0.0;
  return std::clamp((x - from) / (to - from), 0.0, 1.0);
}

}  // namespace hydraguard::signals

#endif  // HYDRAGUARD_SIGNALS_RAMP_H_
