#include "gateway/gcra.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hydraguard::gateway {
namespace {

// A realistic clock: ms since the epoch, where a double resolves only
// ~2.4e-4 ms (rounding shows here, not near 0).
constexpr int64_t kEpochNow = 1'763'860'123'457;

TEST(GcraTest, ExactLimitAdmittedAtOnce) {
  const Rate rate{.limit = 60, .period_ms = 60'000};
  double tat = 0;
  for (int i = 0; i < 60; ++i) {
    GcraStep step = GcraAcquire(tat, 1000, rate, 1);
    ASSERT_TRUE(step.allowed) << i;
    EXPECT_EQ(step.remaining, 59 - i);
    EXPECT_EQ(step.reset_ms, (i + 1) * 1000);
    EXPECT_EQ(step.retry_after_ms, 0);
    EXPECT_DOUBLE_EQ(step.tat_ms, 1000 + (i + 1) * 1000.0);
    tat = step.tat_ms;
  }
  GcraStep refused = GcraAcquire(tat, 1000, rate, 1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_ms, 1000);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_ms, 60'000);
  EXPECT_EQ(refused.tat_ms, tat);  // unchanged
}

TEST(GcraTest, RefusalWaitsForTheMissingUnits) {
  const Rate rate{.limit = 60, .period_ms = 60'000};
  GcraStep first = GcraAcquire(0, 0, rate, 57);
  ASSERT_TRUE(first.allowed);
  EXPECT_EQ(first.remaining, 3);
  GcraStep refused = GcraAcquire(first.tat_ms, 0, rate, 5);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 3);
  EXPECT_EQ(refused.retry_after_ms, 2000);  // two more units must drain
  EXPECT_EQ(refused.reset_ms, 57'000);
  // After exactly that wait it fits; a ms earlier it does not.
  EXPECT_FALSE(GcraAcquire(first.tat_ms, 1999, rate, 5).allowed);
  GcraStep later = GcraAcquire(first.tat_ms, 2000, rate, 5);
  EXPECT_TRUE(later.allowed);
  EXPECT_EQ(later.remaining, 0);
}

TEST(GcraTest, SteadyRateAfterDrain) {
  const Rate rate{.limit = 60, .period_ms = 60'000};
  double tat = 0;
  for (int i = 0; i < 60; ++i) tat = GcraAcquire(tat, 0, rate, 1).tat_ms;
  for (int k = 1; k <= 500; ++k) {
    const int64_t now = k * 1000;
    GcraStep early = GcraAcquire(tat, now - 1, rate, 1);
    ASSERT_FALSE(early.allowed) << k;
    EXPECT_EQ(early.retry_after_ms, 1);
    GcraStep step = GcraAcquire(tat, now, rate, 1);
    ASSERT_TRUE(step.allowed) << k;
    EXPECT_EQ(step.remaining, 0);
    tat = step.tat_ms;
    GcraStep second = GcraAcquire(tat, now, rate, 1);
    ASSERT_FALSE(second.allowed) << k;
    EXPECT_EQ(second.retry_after_ms, 1000);
  }
  // Idle for a whole period: full quota again.
  GcraStep idle = GcraAcquire(tat, 500'000 + 60'000, rate, 0);
  EXPECT_TRUE(idle.allowed);
  EXPECT_EQ(idle.remaining, 60);
  EXPECT_EQ(idle.reset_ms, 0);
}

TEST(GcraTest, CostAboveLimitNeverAdmitted) {
  const Rate rate{.limit = 60, .period_ms = 60'000};
  for (int64_t now : {int64_t{0}, int64_t{1'000'000}, kEpochNow}) {
    GcraStep step = GcraAcquire(0, static_cast<double>(now), rate, 61);
    EXPECT_FALSE(step.allowed);
    EXPECT_EQ(step.retry_after_ms, 60'000);
    EXPECT_EQ(step.remaining, 60);
    EXPECT_EQ(step.reset_ms, 0);
    EXPECT_EQ(step.tat_ms, 0);
  }
  // Not even after waiting on a partly used limiter.
  GcraStep used = GcraAcquire(0, 0, rate, 10);
  GcraStep step = GcraAcquire(used.tat_ms, 0, rate, 1000);
  EXPECT_FALSE(step.allowed);
  EXPECT_EQ(step.remaining, 50);
  EXPECT_EQ(step.reset_ms, 10'000);
  EXPECT_EQ(step.tat_ms, used.tat_ms);
}

TEST(GcraTest, CostOfExactlyTheLimitAndZeroCost) {
  const Rate rate{.limit = 40'000, .period_ms = 60'000};
  GcraStep all = GcraAcquire(0, 5, rate, 40'000);
  ASSERT_TRUE(all.allowed);
  EXPECT_EQ(all.remaining, 0);
  EXPECT_EQ(all.reset_ms, 60'000);
  // Zero cost is admitted on a full limiter and changes nothing.
  GcraStep zero = GcraAcquire(all.tat_ms, 5, rate, 0);
  EXPECT_TRUE(zero.allowed);
  EXPECT_EQ(zero.tat_ms, all.tat_ms);
  EXPECT_EQ(zero.remaining, 0);
  EXPECT_FALSE(GcraAcquire(all.tat_ms, 5, rate, 1).allowed);
}

TEST(GcraTest, RemainingAndResetAfterPartialDrain) {
  const Rate rate{.limit = 60, .period_ms = 60'000};
  GcraStep step = GcraAcquire(0, 0, rate, 10);
  EXPECT_EQ(step.remaining, 50);
  EXPECT_EQ(step.reset_ms, 10'000);
  GcraStep peek = GcraAcquire(step.tat_ms, 4000, rate, 0);
  EXPECT_EQ(peek.remaining, 54);
  EXPECT_EQ(peek.reset_ms, 6000);
  // Half a unit drained is no unit.
  GcraStep half = GcraAcquire(step.tat_ms, 4500, rate, 0);
  EXPECT_EQ(half.remaining, 54);
  EXPECT_EQ(half.reset_ms, 5500);
}

TEST(GcraTest, AdjustChargesAndRefundsNeverBelowNow) {
  const Rate rate{.limit = 60, .period_ms = 60'000};
  // Charge on a fresh limiter: counted from now.
  EXPECT_DOUBLE_EQ(GcraAdjust(0, 1000, rate, 5), 6000);
  // Unchecked: may go beyond a full period.
  EXPECT_DOUBLE_EQ(GcraAdjust(61'000, 1000, rate, 30), 91'000);
  // Refunds.
  EXPECT_DOUBLE_EQ(GcraAdjust(61'000, 1000, rate, -30), 31'000);
  EXPECT_DOUBLE_EQ(GcraAdjust(6000, 1000, rate, -10), 1000);  // not below now
  EXPECT_DOUBLE_EQ(GcraAdjust(500, 1000, rate, -10), 1000);   // drained limiter
  EXPECT_DOUBLE_EQ(GcraAdjust(6000, 1000, rate, 0), 6000);
  // An Acquire followed by the opposite Adjust leaves the limiter as it was.
  GcraStep step = GcraAcquire(20'000, 1000, rate, 7);
  ASSERT_TRUE(step.allowed);
  EXPECT_DOUBLE_EQ(GcraAdjust(step.tat_ms, 1000, rate, -7), 20'000);
  // An over-charged limiter refuses even zero-cost requests until it drains.
  double over = GcraAdjust(0, 0, rate, 90);
  EXPECT_FALSE(GcraAcquire(over, 0, rate, 0).allowed);
  GcraStep wait = GcraAcquire(over, 0, rate, 1);
  EXPECT_EQ(wait.retry_after_ms, 31'000);
  EXPECT_TRUE(GcraAcquire(over, 31'000, rate, 1).allowed);
}

struct BurstCase {
  int64_t limit;
  int64_t period_ms;
  int64_t start_ms;
};

class GcraBurstTest : public ::testing::TestWithParam<BurstCase> {};

// A fresh limiter admits exactly its limit at once, counting remaining down
// exactly, whatever the rate's rounding and the clock's magnitude.
TEST_P(GcraBurstTest, ExactLimitThenRefused) {
  const BurstCase& c = GetParam();
  const Rate rate{.limit = c.limit, .period_ms = c.period_ms};
  const double now = static_cast<double>(c.start_ms);
  double tat = 0;
  for (int64_t i = 0; i < c.limit; ++i) {
    GcraStep step = GcraAcquire(tat, now, rate, 1);
    ASSERT_TRUE(step.allowed) << "unit " << i;
    ASSERT_EQ(step.remaining, c.limit - i - 1) << "unit " << i;
    tat = step.tat_ms;
  }
  GcraStep last = GcraAcquire(tat, now, rate, 0);
  EXPECT_EQ(last.reset_ms, c.period_ms);
  GcraStep refused = GcraAcquire(tat, now, rate, 1);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  // The first unit comes back after one emission interval, rounded up to a ms.
  EXPECT_EQ(refused.retry_after_ms, (c.period_ms + c.limit - 1) / c.limit);
  EXPECT_FALSE(GcraAcquire(tat, now + static_cast<double>(refused.retry_after_ms) - 1, rate, 1).allowed);
  EXPECT_TRUE(GcraAcquire(tat, now + static_cast<double>(refused.retry_after_ms), rate, 1).allowed);
}

// Bursts at every period boundary admit exactly `limit` each time, over many
// periods: rounding of fractional emission intervals (60000/7) never carries
// from one period into the next.
TEST_P(GcraBurstTest, NoDriftOverManyPeriods) {
  const BurstCase& c = GetParam();
  const Rate rate{.limit = c.limit, .period_ms = c.period_ms};
  const int periods = c.limit > 100 ? 20 : 1500;
  double tat = 0;
  for (int p = 0; p < periods; ++p) {
    const double now = static_cast<double>(c.start_ms + p * c.period_ms);
    int64_t admitted = 0;
    for (int64_t i = 0; i <= c.limit; ++i) {
      GcraStep step = GcraAcquire(tat, now, rate, 1);
      if (!step.allowed) break;
      ASSERT_EQ(step.remaining, c.limit - admitted - 1) << "period " << p;
      ++admitted;
      tat = step.tat_ms;
    }
    ASSERT_EQ(admitted, c.limit) << "period " << p;
  }
}

INSTANTIATE_TEST_SUITE_P(Rates, GcraBurstTest,
                         ::testing::Values(BurstCase{7, 60'000, 0}, BurstCase{7, 60'000, kEpochNow},
                                           BurstCase{17, 60'000, 0}, BurstCase{17, 60'000, kEpochNow},
                                           BurstCase{11, 86'400'000, 1'000}, BurstCase{11, 86'400'000, kEpochNow},
                                           BurstCase{13, 1'000, kEpochNow}, BurstCase{49, 86'400'000, kEpochNow},
                                           BurstCase{60, 60'000, kEpochNow}, BurstCase{333, 60'000, kEpochNow},
                                           BurstCase{1000, 60'000, kEpochNow}),
                         [](const ::testing::TestParamInfo<BurstCase>& info) {
                           return std::to_string(info.param.limit) + "_per_" + std::to_string(info.param.period_ms) +
                                  "ms_at_" + (info.param.start_ms == kEpochNow ? "epoch" : "early");
                         });

// Whole bursts of `limit` units in one step at every period boundary.
TEST(GcraTest, FullCostBurstsEveryPeriod) {
  for (int64_t start : {int64_t{0}, kEpochNow}) {
    const Rate rate{.limit = 7, .period_ms = 60'000};
    double tat = 0;
    for (int p = 0; p < 3000; ++p) {
      const double now = static_cast<double>(start + p * 60'000);
      GcraStep step = GcraAcquire(tat, now, rate, 7);
      ASSERT_TRUE(step.allowed) << p;
      ASSERT_EQ(step.remaining, 0);
      ASSERT_FALSE(GcraAcquire(step.tat_ms, now, rate, 1).allowed) << p;
      tat = step.tat_ms;
    }
  }
}

// Units of a fractional emission interval (60000/7 ms) come back one by one
// at the ms they are due, not a ms before.
TEST(GcraTest, FractionalEmissionUnitsReturnOnTime) {
  for (int64_t start : {int64_t{0}, kEpochNow}) {
    const Rate rate{.limit = 7, .period_ms = 60'000};
    double tat = 0;
    for (int i = 0; i < 7; ++i) tat = GcraAcquire(tat, static_cast<double>(start), rate, 1).tat_ms;
    for (int64_t k = 1; k <= 21; ++k) {
      const int64_t due = start + (k * 60'000 + 6) / 7;  // ceil(k * 60000 / 7)
      GcraStep early = GcraAcquire(tat, static_cast<double>(due - 1), rate, 1);
      ASSERT_FALSE(early.allowed) << k;
      EXPECT_EQ(early.retry_after_ms, 1) << k;
      GcraStep step = GcraAcquire(tat, static_cast<double>(due), rate, 1);
      ASSERT_TRUE(step.allowed) << k;
      EXPECT_EQ(step.remaining, 0);
      tat = step.tat_ms;
    }
  }
}

}  // namespace
}  // namespace hydraguard::gateway
