#include "engine/internal/tails.h"

#include <gtest/gtest.h>

namespace hydraguard::engine::internal {
namespace {

TEST(PoissonUpperTailTest, KnownValues) {
  EXPECT_NEAR(PoissonUpperTailLog10(3, 1), -1.0952769, 1e-6);  // 1 - 2.5/e
  EXPECT_NEAR(PoissonUpperTailLog10(10, 2), -4.3325650, 1e-6);
  EXPECT_NEAR(PoissonUpperTailLog10(40, 1.5), -41.503265, 1e-4);  // far in the tail
  EXPECT_EQ(PoissonUpperTailLog10(2, 2), 0);                      // no more than expected: no evidence
  EXPECT_EQ(PoissonUpperTailLog10(0, 0), 0);
  EXPECT_EQ(PoissonUpperTailLog10(5, 0), -300);
}

// Reference values: exact sums of binomial terms (Python, math.comb).
TEST(BinomialUpperTailTest, KnownValues) {
  EXPECT_NEAR(BinomialUpperTailLog10(9, 10, 0.05), -10.729267, 1e-5);
  EXPECT_NEAR(BinomialUpperTailLog10(3, 3, 0.005), -6.903090, 1e-5);
  EXPECT_NEAR(BinomialUpperTailLog10(23, 100, 0.05), -9.163958, 1e-5);
  EXPECT_NEAR(BinomialUpperTailLog10(40, 100, 0.05), -25.204911, 1e-4);
  EXPECT_NEAR(BinomialUpperTailLog10(5, 5, 0.5), -1.505150, 1e-5);
  EXPECT_NEAR(BinomialUpperTailLog10(2, 2, 0.1), -2.0, 1e-9);
}

TEST(BinomialUpperTailTest, EdgesGiveNoEvidenceOrCertainty) {
  EXPECT_EQ(BinomialUpperTailLog10(0, 10, 0.1), 0);
  EXPECT_EQ(BinomialUpperTailLog10(1, 10, 0.1), 0);  // exactly what chance predicts
  EXPECT_EQ(BinomialUpperTailLog10(5, 10, 1.0), 0);
  EXPECT_EQ(BinomialUpperTailLog10(1, 10, 0.0), -300);
  EXPECT_EQ(BinomialUpperTailLog10(100000, 100000, 0.01), -300);  // floored, not -inf
}

TEST(BinomialUpperTailTest, MoreHitsAreMoreSurprising) {
  double previous = 0;
  for (uint32_t hits = 6; hits <= 50; ++hits) {
    double log10_p = BinomialUpperTailLog10(hits, 50, 0.1);
    EXPECT_LT(log10_p, previous) << hits;
    previous = log10_p;
  }
}

}  // namespace
}  // namespace hydraguard::engine::internal
