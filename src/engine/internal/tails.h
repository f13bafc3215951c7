// Upper tails of the count distributions the engine's null models use: how
// surprising an observed count is when chance alone predicts `expected` (a
// Poisson count) or `holders` draws at `rate` (a binomial count). Both return
// log10 of the tail probability, 0 when the count is not above what chance
// predicts, and never below -300.
//
//   // 9 of a key's 10 holders are suspicious where 5% of accounts are:
//   double log10_p = BinomialUpperTailLog10(9, 10, 0.05);  // about -10.7
#ifndef HYDRAGUARD_ENGINE_INTERNAL_TAILS_H_
#define HYDRAGUARD_ENGINE_INTERNAL_TAILS_H_

#include <cstdint>

namespace hydraguard::engine::internal {

// log10 P(X >= observed) for X ~ Poisson(expected); 0 when observed <= expected.
double PoissonUpperTailLog10(uint32_t observed, double expected);

// log10 P(X >= observed) for X ~ Binomial(trials, rate); 0 when observed <=
// trials * rate. REQUIRES: observed <= trials.
double BinomialUpperTailLog10(uint32_t observed, uint32_t trials, double rate);

}  // namespace hydraguard::engine::internal

#endif  // HYDRAGUARD_ENGINE_INTERNAL_TAILS_H_
