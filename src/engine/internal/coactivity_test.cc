#include "engine/internal/coactivity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace hydraguard::engine::internal {
namespace {

constexpr int64_t kMinuteMs = 60000, kHourMs = 60 * kMinuteMs, kDayMs = 24 * kHourMs;
constexpr int64_t kWindowMs = 15 * kMinuteMs;

// With the log's activity flat over one day and two accounts active once in
// every hour, each shares a window with the other by chance n_a n_b / T times.
TEST(CoactivityNullTest, FlatDayGivesTheUniformExpectation) {
  CoactivityIndex index({.window_ms = kWindowMs, .min_windows = 8});
  for (uint32_t background = 100; background < 600; ++background) {
    for (int64_t window = 0; window < 96; ++window) index.Add(background, window * kWindowMs + 1000);
  }
  for (int hour = 0; hour < 24; ++hour) {
    index.Add(1, hour * kHourMs + (hour % 4) * kWindowMs);        // 24 windows, one per hour
    index.Add(2, hour * kHourMs + ((hour + 1) % 4) * kWindowMs);  // never the same window as 1
  }
  auto [expected, shared] = index.ExpectedAndShared(1, 2);
  EXPECT_NEAR(expected, 24.0 * 24 / 96, 0.1);
  EXPECT_EQ(shared, 0u);
  EXPECT_EQ(index.ExpectedAndShared(1, 99).second, 0u);  // unknown account
}

// The null follows each account's own hours and days: two people who work
// the same hours on the same days are expected to overlap more than two who
// do not.
TEST(CoactivityNullTest, ExpectationFollowsOwnHoursAndDays) {
  CoactivityIndex index({.window_ms = kWindowMs, .min_windows = 4});
  for (uint32_t background = 100; background < 300; ++background) {
    for (int64_t window = 0; window < 96 * 2; ++window) index.Add(background, window * kWindowMs);
  }
  for (int64_t window = 36; window < 44; ++window) {  // 09:00-11:00 on day 0
    index.Add(1, window * kWindowMs);
    index.Add(2, window * kWindowMs);
    index.Add(3, kDayMs + window * kWindowMs);  // the same hours, the next day
  }
  auto [same_day, shared_same] = index.ExpectedAndShared(1, 2);
  auto [other_day, shared_other] = index.ExpectedAndShared(1, 3);
  EXPECT_NEAR(same_day, 8.0 * 8 / 8, 0.01);  // both in all 8 windows of two hours: all expected
  EXPECT_EQ(shared_same, 8u);
  EXPECT_EQ(other_day, 0);
  EXPECT_EQ(shared_other, 0u);
}

struct World {
  CoactivityIndex index{CoactivityOptions{.window_ms = kWindowMs}};
  std::set<uint32_t> fleet, honest;
};

// Honest people: active on some days, sessions of 1-3 windows at hours drawn
// from a day in their time zone.
void AddHonest(World& world, uint32_t first, uint32_t count, std::mt19937_64& rng, int days = 14) {
  std::uniform_real_distribution<double> uniform(0, 1);
  for (uint32_t account = first; account < first + count; ++account) {
    world.honest.insert(account);
    int zone = static_cast<int>(rng() % 3) * 8;
    double activity = 0.2 + 0.6 * uniform(rng);
    for (int day = 0; day < days; ++day) {
      if (uniform(rng) > activity) continue;
      int sessions = 1 + static_cast<int>(rng() % 6);
      for (int session = 0; session < sessions; ++session) {
        int local_hour = 8 + static_cast<int>(rng() % 14);
        int64_t start = day * kDayMs + ((local_hour + zone) % 24) * kHourMs + static_cast<int64_t>(rng() % kHourMs);
        int length = 1 + static_cast<int>(rng() % 3);
        for (int step = 0; step < length; ++step) world.index.Add(account, start + step * kWindowMs);
      }
    }
  }
}

// A dispatcher sends 60 jobs at random times over 14 days; each fleet account
// takes a share of them, within 5 minutes of the dispatch.
void AddFleet(World& world, uint32_t first, uint32_t count, int share_percent, std::mt19937_64& rng,
              std::set<uint32_t>* fleet) {
  std::vector<int64_t> jobs;
  for (int job = 0; job < 60; ++job) jobs.push_back(static_cast<int64_t>(rng() % (14 * kDayMs)));
  for (uint32_t account = first; account < first + count; ++account) {
    fleet->insert(account);
    for (int64_t job : jobs) {
      if (static_cast<int>(rng() % 100) < share_percent) {
        world.index.Add(account, job + static_cast<int64_t>(rng() % (5 * kMinuteMs)));
      }
    }
  }
}

TEST(CoactivityFindTest, FindsFleetsOnJobWavesAndNoHonestPair) {
  std::mt19937_64 rng(7);
  World world;
  AddHonest(world, 1000, 3000, rng);
  std::set<uint32_t> dense, sparse;
  AddFleet(world, 1, 40, 70, rng, &dense);
  AddFleet(world, 101, 40, 30, rng, &sparse);
  CoactivityResult result = world.index.Find();
  std::set<uint32_t> dense_found, sparse_found, honest_found;
  for (const CoactivePair& pair : result.pairs) {
    for (uint32_t account : {pair.a, pair.b}) {
      (dense.contains(account) ? dense_found : sparse.contains(account) ? sparse_found : honest_found).insert(account);
    }
  }
  EXPECT_GE(dense_found.size(), 39u) << "pairs " << result.pairs.size() << " tested " << result.pairs_tested;
  // Taking 30% of the jobs, two accounts share ~5 of their ~18 windows: many
  // pairs are too weak alone (the group as a whole is the evidence there).
  EXPECT_GE(sparse_found.size(), 15u);
  EXPECT_TRUE(honest_found.empty()) << honest_found.size() << " honest accounts in co-active pairs";
  EXPECT_LT(result.pairs_tested, 3080ull * 3079 / 2 / 20);  // LSH: a small share of all pairs
  ASSERT_FALSE(result.pairs.empty());
  EXPECT_THAT(result.pairs[0].Describe("user_x", kWindowMs),
              ::testing::MatchesRegex("active in the same 15-minute window as user_x in [0-9]+ of its [0-9]+ "
                                      "windows; expected by chance: [0-9.]+ \\(p = 1e-[0-9]+\\)"));
}

// People who come to the same event (a hackathon: 36 hours, 120 accounts busy
// throughout) are expected to overlap: the null conditions on their days and
// hours, so no pair stands out.
TEST(CoactivityFindTest, AnEventAttendedTogetherIsNotCoordination) {
  std::mt19937_64 rng(11);
  World world;
  AddHonest(world, 1000, 2000, rng);
  for (uint32_t account = 1; account <= 120; ++account) {
    world.honest.insert(account);
    for (int64_t window = 0; window < 36 * 4; ++window) {
      if (rng() % 10 < 4)
        world.index.Add(account, 5 * kDayMs + window * kWindowMs + static_cast<int64_t>(rng() % kWindowMs));
    }
  }
  CoactivityResult result = world.index.Find();
  EXPECT_TRUE(result.pairs.empty()) << result.pairs.size() << " pairs, first " << result.pairs[0].a << "-"
                                    << result.pairs[0].b << " shared " << result.pairs[0].shared << " expected "
                                    << result.pairs[0].expected;
}

// Requests in one window count once, however many and in whatever order.
TEST(CoactivityIndexTest, RequestsInOneWindowCountOnce) {
  CoactivityIndex index({.window_ms = kWindowMs, .min_windows = 2});
  for (int64_t window : {0, 0, 1, 0, 1, 2}) {
    index.Add(1, window * kWindowMs + 5 * kMinuteMs);
    index.Add(1, window * kWindowMs + 6 * kMinuteMs);
  }
  for (int64_t window : {2, 1, 0}) index.Add(2, window * kWindowMs);
  EXPECT_EQ(index.ExpectedAndShared(1, 2).second, 3u);
}

// Groups are the connected components of the pairs, keyed by their
// smallest account id.
TEST(GroupCoactiveTest, ComponentsKeyedByTheirSmallestId) {
  CoactivityResult result;
  for (auto [a, b] : std::vector<std::pair<uint32_t, uint32_t>>{{5, 9}, {2, 3}, {1, 9}, {7, 8}, {3, 8}}) {
    result.pairs.push_back(
        CoactivePair{.a = a, .b = b, .shared = 10 * a + b, .windows_a = 100 + a, .windows_b = 100 + b});
  }
  absl::flat_hash_map<uint32_t, CoactiveGroup> groups = GroupCoactive(result);
  ASSERT_EQ(groups.size(), 7u);
  for (uint32_t account : {1, 5, 9}) {
    EXPECT_EQ(groups[account].key, 1u) << account;
    EXPECT_EQ(groups[account].size, 3u) << account;
  }
  for (uint32_t account : {2, 3, 7, 8}) {
    EXPECT_EQ(groups[account].key, 2u) << account;
    EXPECT_EQ(groups[account].size, 4u) << account;
  }
  EXPECT_FALSE(groups.contains(4));
  // Each account's strongest pair (pairs come strongest first), seen from it.
  const CoactivePair& of_9 = groups[9].strongest;
  EXPECT_EQ(of_9.a, 9u);
  EXPECT_EQ(of_9.b, 5u);
  EXPECT_EQ(of_9.shared, 59u);
  EXPECT_EQ(of_9.windows_a, 109u);
  EXPECT_EQ(of_9.windows_b, 105u);
  EXPECT_EQ(groups[1].strongest.b, 9u);
  EXPECT_EQ(groups[3].strongest.b, 2u);
  EXPECT_EQ(groups[8].strongest.b, 7u);
  EXPECT_TRUE(GroupCoactive(CoactivityResult{}).empty());
}

}  // namespace
}  // namespace hydraguard::engine::internal
