// Small numeric helpers shared by the engine's .cc files.
#ifndef HYDRAGUARD_ENGINE_INTERNAL_NUMBERS_H_
#define HYDRAGUARD_ENGINE_INTERNAL_NUMBERS_H_

#include <algorithm>
#include <cmath>
#include <vector>

namespace hydraguard::engine::internal {

inline constexpr double kDayMs = 86400000;

// 1 / (1 + e^-x): points to a 0..1 score.
inline double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The upper median (values[n / 2] of the sorted values); 0 for no values.
inline double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace hydraguard::engine::internal

#endif  // HYDRAGUARD_ENGINE_INTERNAL_NUMBERS_H_
