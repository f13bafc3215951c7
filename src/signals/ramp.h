// Ramp(x, from, to): 0 at `from`, 1 at `to`, linear between, clamped; works
// in either direction (from > to ramps down). The shape every account signal
// uses to turn a measurement into a share of its weight.
//
// RampedSignal: the base of account signals worth weight × Ramp(measure,
// low, high), with the three read from the parameters "weight" and the two
// names the signal gives its bounds:
//
//   class ToolUseSignal : public RampedSignal {
//     explicit ToolUseSignal(const SignalParams& p) : RampedSignal(p, "low_share", "high_share") {}
//     ... return Evidence{Points(f.ToolShare()), reason};
//   };
#ifndef HYDRAGUARD_SIGNALS_RAMP_H_
#define HYDRAGUARD_SIGNALS_RAMP_H_

#include <algorithm>
#include <cmath>
#include <string_view>

#include "engine/signal.h"

namespace hydraguard::signals {

// A non-finite result (e.g. a log-scale bound configured as 0) counts as 0.
inline double Ramp(double x, double from, double to) {
  if (from == to) return x >= to ? 1.0 : 0.0;
  double share = (x - from) / (to - from);
  return std::isfinite(share) ? std::clamp(share, 0.0, 1.0) : 0.0;
}

class RampedSignal : public engine::AccountSignal {
 protected:
  // REQUIRES: `params` has "weight", `from_name` and `to_name` (the registry
  // fills in the signal's defaults).
  RampedSignal(const engine::SignalParams& params, std::string_view from_name, std::string_view to_name)
      : weight_(engine::Param(params, "weight")),
        from_(engine::Param(params, from_name)),
        to_(engine::Param(params, to_name)) {}

  // weight × Ramp(measure, from, to).
  double Points(double measure) const { return weight_ * Ramp(measure, from_, to_); }

 private:
  double weight_, from_, to_;
};

}  // namespace hydraguard::signals

#endif  // HYDRAGUARD_SIGNALS_RAMP_H_
