#include "gateway/memory_limiter.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"

namespace hydraguard::gateway {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 86'400'000;

Cell C(std::string name, int64_t limit, int64_t period_ms, int64_t cost) {
  return Cell{.name = std::move(name), .rate = Rate{limit, period_ms}, .cost = cost};
}

GroupOutcome AcquireOne(MemoryLimiter& limiter, const CellGroup& group, int64_t now_ms) {
  absl::StatusOr<std::vector<GroupOutcome>> outcomes = limiter.AcquireNow({&group, 1}, now_ms);
  EXPECT_TRUE(outcomes.ok());
  EXPECT_EQ(outcomes->size(), 1u);
  return outcomes->front();
}

TEST(CellKeyTest, HashTagged) {
  EXPECT_EQ(CellKey("account:a1", "rpm"), "hg:{account:a1}:rpm");
  EXPECT_EQ(CellKey("ip_prefix:2001:db8::/48", "otpd"), "hg:{ip_prefix:2001:db8::/48}:otpd");
}

TEST(MemoryLimiterTest, AdmitsTheLimitThenRefuses) {
  MemoryLimiter limiter;
  const CellGroup group{.tag = "account:a1", .cells = {C("rpm", 3, kMinute, 1)}};
  for (int i = 0; i < 3; ++i) {
    GroupOutcome outcome = AcquireOne(limiter, group, 1000);
    ASSERT_TRUE(outcome.allowed);
    ASSERT_EQ(outcome.cells.size(), 1u);
    EXPECT_EQ(outcome.cells[0].remaining, 2 - i);
  }
  GroupOutcome refused = AcquireOne(limiter, group, 1000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_FALSE(refused.cells[0].allowed);
  EXPECT_EQ(refused.cells[0].retry_after_ms, 20'000);
  EXPECT_EQ(refused.cells[0].reset_ms, 60'000);
  EXPECT_TRUE(AcquireOne(limiter, group, 21'000).allowed);
}

// One refusing cell refuses the whole group, and nothing of it is charged.
TEST(MemoryLimiterTest, GroupIsAtomic) {
  MemoryLimiter limiter;
  const CellGroup group{.tag = "org:o1",
                        .cells = {C("rpm", 10, kMinute, 1), C("tpm", 1000, kMinute, 400), C("rpd", 100, kDay, 1)}};
  ASSERT_TRUE(AcquireOne(limiter, group, 0).allowed);
  ASSERT_TRUE(AcquireOne(limiter, group, 0).allowed);
  GroupOutcome refused = AcquireOne(limiter, group, 0);  // tpm has 200 left
  EXPECT_FALSE(refused.allowed);
  ASSERT_EQ(refused.cells.size(), 3u);
  EXPECT_TRUE(refused.cells[0].allowed);
  EXPECT_EQ(refused.cells[0].remaining, 8);  // what it had before: nothing charged
  EXPECT_FALSE(refused.cells[1].allowed);
  EXPECT_EQ(refused.cells[1].remaining, 200);
  EXPECT_EQ(refused.cells[1].retry_after_ms, 12'000);
  EXPECT_TRUE(refused.cells[2].allowed);
  EXPECT_EQ(refused.cells[2].remaining, 98);
  // Each cell still holds exactly what two admissions took.
  EXPECT_TRUE(AcquireOne(limiter, {.tag = "org:o1", .cells = {C("rpm", 10, kMinute, 8)}}, 0).allowed);
  EXPECT_FALSE(AcquireOne(limiter, {.tag = "org:o1", .cells = {C("rpm", 10, kMinute, 1)}}, 0).allowed);
  EXPECT_TRUE(AcquireOne(limiter, {.tag = "org:o1", .cells = {C("tpm", 1000, kMinute, 200)}}, 0).allowed);
  EXPECT_TRUE(AcquireOne(limiter, {.tag = "org:o1", .cells = {C("rpd", 100, kDay, 98)}}, 0).allowed);
  EXPECT_FALSE(AcquireOne(limiter, {.tag = "org:o1", .cells = {C("rpd", 100, kDay, 1)}}, 0).allowed);
}

// Groups of one call are decided independently, in order.
TEST(MemoryLimiterTest, GroupsAreIndependent) {
  MemoryLimiter limiter;
  const std::vector<CellGroup> groups = {
      {.tag = "account:a1", .cells = {C("rpm", 2, kMinute, 1)}},
      {.tag = "ip_prefix:203.0.113.0/24", .cells = {C("rpm", 1, kMinute, 1)}},
      {.tag = "asn:64500", .cells = {C("rpm", 3, kMinute, 2)}},
  };
  absl::StatusOr<std::vector<GroupOutcome>> first = limiter.AcquireNow(groups, 0);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 3u);
  EXPECT_TRUE((*first)[0].allowed);
  EXPECT_TRUE((*first)[1].allowed);
  EXPECT_TRUE((*first)[2].allowed);
  absl::StatusOr<std::vector<GroupOutcome>> second = limiter.AcquireNow(groups, 5);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE((*second)[0].allowed);  // charged although the others refused
  EXPECT_FALSE((*second)[1].allowed);
  EXPECT_FALSE((*second)[2].allowed);
  EXPECT_FALSE(AcquireOne(limiter, groups[0], 5).allowed);
  // Same cell name, other tag: another limiter.
  EXPECT_TRUE(AcquireOne(limiter, {.tag = "account:a2", .cells = {C("rpm", 2, kMinute, 1)}}, 5).allowed);
}

TEST(MemoryLimiterTest, EmptyGroupsAndZeroCost) {
  MemoryLimiter limiter;
  const std::vector<CellGroup> groups = {{.tag = "account:a1"},
                                         {.tag = "account:a2", .cells = {C("rpm", 1, kMinute, 0)}}};
  absl::StatusOr<std::vector<GroupOutcome>> outcomes = limiter.AcquireNow(groups, 0);
  ASSERT_TRUE(outcomes.ok());
  EXPECT_TRUE((*outcomes)[0].allowed);
  EXPECT_TRUE((*outcomes)[0].cells.empty());
  EXPECT_TRUE((*outcomes)[1].allowed);
  EXPECT_EQ((*outcomes)[1].cells[0].remaining, 1);
  EXPECT_TRUE(limiter.AcquireNow({}, 0).ok());
}

TEST(MemoryLimiterTest, AdjustSettlesAndRefunds) {
  MemoryLimiter limiter;
  const CellGroup reserve{.tag = "account:a1", .cells = {C("tpm", 1000, kMinute, 300)}};
  ASSERT_TRUE(AcquireOne(limiter, reserve, 0).allowed);
  // Real usage was 750: charge 450 more, unchecked.
  const CellGroup more{.tag = "account:a1", .cells = {C("tpm", 1000, kMinute, 450)}};
  ASSERT_TRUE(limiter.AdjustNow({&more, 1}, 0).ok());
  GroupOutcome peek = AcquireOne(limiter, {.tag = "account:a1", .cells = {C("tpm", 1000, kMinute, 0)}}, 0);
  EXPECT_EQ(peek.cells[0].remaining, 250);
  EXPECT_FALSE(AcquireOne(limiter, reserve, 0).allowed);
  // Refund far more than was charged: back to an empty limiter, no further.
  const CellGroup refund{.tag = "account:a1", .cells = {C("tpm", 1000, kMinute, -5000)}};
  ASSERT_TRUE(limiter.AdjustNow({&refund, 1}, 0).ok());
  EXPECT_TRUE(AcquireOne(limiter, {.tag = "account:a1", .cells = {C("tpm", 1000, kMinute, 1000)}}, 0).allowed);
  EXPECT_FALSE(AcquireOne(limiter, {.tag = "account:a1", .cells = {C("tpm", 1000, kMinute, 1)}}, 0).allowed);
  // Zero-cost adjustments touch nothing.
  const CellGroup zero{.tag = "account:zz", .cells = {C("tpm", 1000, kMinute, 0)}};
  size_t before = limiter.size();
  ASSERT_TRUE(limiter.AdjustNow({&zero, 1}, 0).ok());
  EXPECT_EQ(limiter.size(), before);
}

// Acquire then the opposite Adjust (Policy's rollback) restores the limiter.
TEST(MemoryLimiterTest, RollbackRestores) {
  MemoryLimiter limiter;
  const CellGroup group{.tag = "payment:fp", .cells = {C("rpm", 5, kMinute, 1), C("itpm", 100, kMinute, 30)}};
  ASSERT_TRUE(AcquireOne(limiter, group, 0).allowed);
  ASSERT_TRUE(AcquireOne(limiter, group, 100).allowed);
  CellGroup undo = group;
  for (Cell& cell : undo.cells) cell.cost = -cell.cost;
  ASSERT_TRUE(limiter.AdjustNow({&undo, 1}, 100).ok());
  GroupOutcome peek =
      AcquireOne(limiter, {.tag = "payment:fp", .cells = {C("rpm", 5, kMinute, 0), C("itpm", 100, kMinute, 0)}}, 100);
  EXPECT_EQ(peek.cells[0].remaining, 4);
  EXPECT_EQ(peek.cells[1].remaining, 70);
}

TEST(MemoryLimiterTest, SweepDropsOnlyDrainedLimiters) {
  MemoryLimiter limiter;
  ASSERT_TRUE(AcquireOne(limiter, {.tag = "account:short", .cells = {C("rpm", 60, kMinute, 1)}}, 0).allowed);
  ASSERT_TRUE(AcquireOne(limiter, {.tag = "account:long", .cells = {C("rpd", 10, kDay, 1)}}, 0).allowed);
  ASSERT_TRUE(
      AcquireOne(limiter, {.tag = "account:both", .cells = {C("rpm", 60, kMinute, 30), C("rpd", 10, kDay, 1)}}, 0)
          .allowed);
  EXPECT_EQ(limiter.size(), 4u);
  EXPECT_EQ(limiter.Sweep(999), 0u);  // the rpm TATs are at 1000 and 30000
  EXPECT_EQ(limiter.size(), 4u);
  EXPECT_EQ(limiter.Sweep(1000), 1u);  // account:short drained at 1000
  EXPECT_EQ(limiter.Sweep(30'000), 1u);
  EXPECT_EQ(limiter.size(), 2u);
  // The daily limiters are still there and still counting.
  GroupOutcome peek = AcquireOne(limiter, {.tag = "account:long", .cells = {C("rpd", 10, kDay, 0)}}, 30'000);
  EXPECT_EQ(peek.cells[0].remaining, 9);
  EXPECT_EQ(limiter.Sweep(kDay / 10), 2u);
  EXPECT_EQ(limiter.size(), 0u);
  // A forgotten limiter is a full one.
  peek = AcquireOne(limiter, {.tag = "account:long", .cells = {C("rpd", 10, kDay, 0)}}, kDay / 10);
  EXPECT_EQ(peek.cells[0].remaining, 10);
}

// 8 threads hammering one group at a fixed clock admit exactly the limit.
TEST(MemoryLimiterTest, ConcurrentAcquireAdmitsExactlyTheLimit) {
  MemoryLimiter limiter;
  constexpr int64_t kLimit = 1000;
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 2000;
  const CellGroup group{.tag = "account:hot", .cells = {C("rpm", kLimit, kMinute, 1), C("rpd", 100'000, kDay, 1)}};
  std::atomic<int64_t> admitted{0};
  std::atomic<int64_t> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        absl::StatusOr<std::vector<GroupOutcome>> outcome = limiter.AcquireNow({&group, 1}, 1'700'000'000'000);
        if (!outcome.ok()) {
          ++errors;
        } else if (outcome->front().allowed) {
          ++admitted;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(admitted.load(), kLimit);
  // The daily cell was charged once per admission, never for refusals.
  GroupOutcome peek =
      AcquireOne(limiter, {.tag = "account:hot", .cells = {C("rpd", 100'000, kDay, 0)}}, 1'700'000'000'000);
  EXPECT_EQ(peek.cells[0].remaining, 100'000 - kLimit);
}

// Concurrent callers on many distinct tags (several shards) each get their own limit.
TEST(MemoryLimiterTest, ConcurrentDistinctTags) {
  MemoryLimiter limiter;
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<int> admitted(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        CellGroup group{.tag = fmt::format("account:t{}-{}", t, i % 10), .cells = {C("rpm", 5, kMinute, 1)}};
        absl::StatusOr<std::vector<GroupOutcome>> outcome = limiter.AcquireNow({&group, 1}, 0);
        if (outcome.ok() && outcome->front().allowed) ++admitted[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(admitted[t], 50) << t;  // 10 tags x 5
  EXPECT_EQ(limiter.size(), static_cast<size_t>(kThreads * 10));
}

}  // namespace
}  // namespace hydraguard::gateway
