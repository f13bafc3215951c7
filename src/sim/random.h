// Rng: a small, fast, seedable generator for the simulator (SplitMix64).
//
// Every simulated actor owns one, seeded from (scenario seed, actor index),
// so the output is deterministic whatever order actors run in, and the state
// is 8 bytes (the simulator holds hundreds of thousands of actors).
//
//   Rng rng(Rng::Mix(seed, actor_index));
//   double gap = rng.Exponential(1.0 / mean);
#ifndef HYDRAGUARD_SIM_RANDOM_H_
#define HYDRAGUARD_SIM_RANDOM_H_

#include <cmath>
#include <cstdint>
#include <span>

namespace hydraguard::sim {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) : state_(seed) {}

  // Combines two values into a well-mixed seed.
  static uint64_t Mix(uint64_t a, uint64_t b) {
    uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double low, double high) { return low + (high - low) * Uniform(); }
  // Uniform integer in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64); }
  int64_t Between(int64_t low, int64_t high) {  // inclusive
    return low + static_cast<int64_t>(Below(static_cast<uint64_t>(high - low + 1)));
  }
  bool Chance(double probability) { return Uniform() < probability; }
  double Exponential(double rate) { return -std::log1p(-Uniform()) / rate; }
  double Normal() {
    double u1 = 1.0 - Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Log-normal with the given median and shape sigma (heavy right tail).
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  // Pareto-like rank in [0, n): small ranks far more likely (exponent > 0).
  uint64_t Skewed(uint64_t n, double exponent) {
    return static_cast<uint64_t>(std::pow(Uniform(), 1.0 + exponent) * static_cast<double>(n)) % n;
  }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t state_;
};

}  // namespace hydraguard::sim

#endif  // HYDRAGUARD_SIM_RANDOM_H_
