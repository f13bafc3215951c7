#include "engine/internal/tails.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace hydraguard::engine::internal {
namespace {

constexpr double kFloor = -300;

// log of a sum of terms that fall geometrically from exp(log_first):
// `ratio(k)` is term(k+1) / term(k); stops when a term is negligible.
template <typename Ratio>
double LogTail(double log_first, uint32_t first, uint32_t last, Ratio ratio) {
  double sum = 1, term = 1;
  for (uint32_t k = first; k < last && k < first + 100000; ++k) {
    term *= ratio(k);
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return std::max(kFloor, (log_first + std::log(sum)) / std::log(10.0));
}

}  // namespace

double PoissonUpperTailLog10(uint32_t observed, double expected) {
  double x = observed;
  if (x <= expected || observed == 0) return 0;
  if (expected <= 0) return kFloor;  // impossible under the null
  // P(X >= x) = e^-λ λ^x / x! · (1 + λ/(x+1) + λ²/((x+1)(x+2)) + ...).
  double log_first = -expected + x * std::log(expected) - std::lgamma(x + 1);
  return LogTail(log_first, observed, UINT32_MAX, [&](uint32_t k) { return expected / (k + 1.0); });
}

double BinomialUpperTailLog10(uint32_t observed, uint32_t trials, double rate) {
  assert(observed <= trials);
  if (observed == 0 || static_cast<double>(observed) <= trials * rate) return 0;
  if (rate <= 0) return kFloor;
  if (rate >= 1) return 0;
  double n = trials, k = observed;
  double log_first = std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1) + k * std::log(rate) +
                     (n - k) * std::log1p(-rate);
  double odds = rate / (1 - rate);
  // term(k+1) / term(k) = (n - k) / (k + 1) · p / (1 - p).
  return LogTail(log_first, observed, trials, [&](uint32_t j) { return (n - j) / (j + 1.0) * odds; });
}

}  // namespace hydraguard::engine::internal
