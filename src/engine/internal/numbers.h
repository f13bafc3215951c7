// Small numeric helpers shared by the engine's .cc files.
#ifndef HYDRAGUARD_ENGINE_INTERNAL_NUMBERS_H_
#define HYDRAGUARD_ENGINE_INTERNAL_NUMBERS_H_

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "fmt/format.h"

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

// An expected count for people: "< 0.1", "0.4", "12".
inline std::string ExpectedCount(double expected) {
  if (expected < 0.1) return "< 0.1";
  return expected < 10 ? fmt::format("{:.1f}", expected) : fmt::format("{:.0f}", expected);
}

}  // namespace hydraguard::engine::internal

#endif  // HYDRAGUARD_ENGINE_INTERNAL_NUMBERS_H_
