#include "engine/internal/link_rules.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hydraguard::engine::internal {
namespace {

LinkPolicy HubPolicy(double strong_share = 0.99) {
  LinkPolicy policy;
  policy.hub = 1;
  policy.strong_share = strong_share;
  return policy;
}

// The null rate is the log's share of qualifying accounts, rounded up to the
// next 1/8 octave (so that it moves in steps), and 0 with none.
TEST(HubNullRateTest, RoundsTheLogsShareUpToAnEighthOctave) {
  EXPECT_EQ(HubNullRate(0, 1000), 0);
  EXPECT_EQ(HubNullRate(5, 0), 0);
  EXPECT_DOUBLE_EQ(HubNullRate(1, 4), 0.25);  // exactly on a step
  EXPECT_DOUBLE_EQ(HubNullRate(1, 1), 1.0);
  double rate = HubNullRate(30, 1000);  // 3%
  EXPECT_GE(rate, 0.03);
  EXPECT_LT(rate, 0.03 * std::exp2(1.0 / 8));
  // Steps: every share within one eighth octave gives the same rate.
  EXPECT_EQ(HubNullRate(301, 10000), HubNullRate(312, 10000));  // both 2^-5
}

TEST(HubOddsRatioTest, OddsAmongHoldersOverOddsInTheLog) {
  // 9 of 10 holders qualify (odds 9 / (1 + 1)) where 10% of accounts do (odds 1/9).
  EXPECT_DOUBLE_EQ(HubOddsRatio(10, 9, 0.1), 4.5 * 9);
  // A key held only by qualified accounts stays finite.
  EXPECT_DOUBLE_EQ(HubOddsRatio(5, 5, 0.5), 5.0);
  EXPECT_EQ(HubOddsRatio(5, 5, 0), 0);
}

// Known answer: where 5% of a log's accounts are suspicious, a key whose 10
// holders include 9 suspicious ones happens by chance on 10^-10.7 of keys; 3
// of 10 on 10^-1.9. With the target of 1 false hub per million keys, the first
// is a hub and the second is not, whatever the number of holders.
TEST(EvaluateHubTest, SuspiciousHoldersBeyondChanceMakeAHub) {
  EngineConfig config;  // 1 false hub per million keys, odds ratio 10
  EXPECT_TRUE(EvaluateHub(HubPolicy(), 10, 9, 0, 0.05, /*chance_per_honest=*/1, config).hub);
  EXPECT_FALSE(EvaluateHub(HubPolicy(), 10, 3, 0, 0.05, /*chance_per_honest=*/1, config).hub);
  // No minimum size: three holders, all suspicious, in a log where 0.5% are.
  EXPECT_TRUE(EvaluateHub(HubPolicy(), 3, 3, 0, 0.005, /*chance_per_honest=*/1, config).hub);
  // ...but not where a quarter of the log is suspicious (0.25^6 = 2.4e-4).
  EXPECT_FALSE(EvaluateHub(HubPolicy(), 6, 6, 0, 0.25, /*chance_per_honest=*/1, config).hub);
  // A target of 0 (or below) admits no hub at all.
  config.hub_false_per_million = 0;
  EXPECT_FALSE(EvaluateHub(HubPolicy(), 3, 3, 0, 0.005, /*chance_per_honest=*/1, config).hub);
  config.hub_false_per_million = -1;
  EXPECT_FALSE(EvaluateHub(HubPolicy(), 3, 3, 0, 0.005, /*chance_per_honest=*/1, config).hub);
  // A looser target admits it.
  config.hub_false_per_million = 1000;
  EXPECT_TRUE(EvaluateHub(HubPolicy(), 6, 6, 0, 0.25, /*chance_per_honest=*/1, config).hub);
}

// A popular key that a large campaign also uses: 850 of its 1,550 holders
// suspicious where 30% of the log is. Far beyond chance, but holding it only
// multiplies the odds of being suspicious by 2.8: weak evidence for any one
// holder, so not a hub.
TEST(EvaluateHubTest, PopularKeysAreNotHubsForTheirHolders) {
  EngineConfig config;
  EXPECT_LT(BinomialUpperTailLog10(850, 1550, 0.3), -50);
  EXPECT_FALSE(EvaluateHub(HubPolicy(), 1550, 850, 100, 0.3, /*chance_per_honest=*/1, config).hub);
  config.hub_min_odds_ratio = 2;
  EXPECT_TRUE(EvaluateHub(HubPolicy(), 1550, 850, 100, 0.3, /*chance_per_honest=*/1, config).hub);
}

TEST(EvaluateHubTest, StrongWhenAlmostNoHolderIsClearlyHonest) {
  EngineConfig config;
  HubStatus all_members = EvaluateHub(HubPolicy(0.99), 100, 90, 0, 0.05, /*chance_per_honest=*/1, config);
  EXPECT_TRUE(all_members.hub && all_members.strong);
  HubStatus some_honest = EvaluateHub(HubPolicy(0.99), 100, 90, 5, 0.05, /*chance_per_honest=*/1, config);
  EXPECT_TRUE(some_honest.hub);
  EXPECT_FALSE(some_honest.strong);
  HubStatus never = EvaluateHub(HubPolicy(2), 100, 100, 0, 0.05, /*chance_per_honest=*/1, config);  // network keys
  EXPECT_TRUE(never.hub);
  EXPECT_FALSE(never.strong);
  LinkPolicy off = HubPolicy();
  off.hub = 0;
  EXPECT_FALSE(EvaluateHub(off, 100, 100, 0, 0.05, /*chance_per_honest=*/1, config).hub);
  EXPECT_FALSE(
      EvaluateHub(HubPolicy(), 1, 1, 0, 0.05, /*chance_per_honest=*/1, config).hub);  // one holder shares nothing
}

TEST(EvaluateHubTest, AHubThatDoesNotUniteCountsButJoinsNobody) {
  EngineConfig config;
  LinkPolicy range = HubPolicy(1);
  range.unites = 0;  // a proxy range
  HubStatus status = EvaluateHub(range, 20, 20, 0, 0.05, /*chance_per_honest=*/1, config);
  EXPECT_TRUE(status.hub && status.strong);
  EXPECT_FALSE(HubJoins(status, config));
  EXPECT_TRUE(HubJoins(EvaluateHub(HubPolicy(1), 20, 20, 0, 0.05, 1, config), config));
  config.weak_hubs_join = 1;
  EXPECT_FALSE(HubJoins(status, config));
}

TEST(EvaluateHubTest, StrongWhenChanceExplainsItsFewHonestHolders) {
  EngineConfig config;  // hub_strong_chance_joins 0.3
  // 3% of the log suspicious, 10% members (0.9 clearly honest): each
  // clearly honest holder stands for 0.03 / 0.9 suspicious ones by chance.
  double chance = ChanceQualifiedPerHonest(0.03, 0.1);
  EXPECT_NEAR(chance, 0.0333, 1e-4);
  // A sign-up burst of 60, 57 suspicious, one honest sign-up in the same
  // hour: 98.3% < strong_share 0.99, but chance explains 0.03 suspicious
  // holders, so it is the campaign's burst.
  HubStatus burst = EvaluateHub(HubPolicy(0.99), 60, 57, 1, 0.03, chance, config);
  EXPECT_TRUE(burst.hub && burst.strong);
  // Ten honest holders stand for 0.33 suspicious ones: not strong.
  EXPECT_FALSE(EvaluateHub(HubPolicy(0.99), 200, 150, 10, 0.03, chance, config).strong);
  // Network keys stay never-strong, however few their honest holders.
  EXPECT_FALSE(EvaluateHub(HubPolicy(2), 60, 57, 0, 0.03, chance, config).strong);
  // A log where everyone is a member has no background to judge by.
  EXPECT_TRUE(std::isinf(ChanceQualifiedPerHonest(0.5, 1)));
}

TEST(NullRateForTest, KeysMembersQualifyForUseTheMemberRate) {
  LinkPolicy lockstep = HubPolicy(0);
  lockstep.members_qualify = 1;
  EXPECT_EQ(NullRateFor(lockstep, 0.01, 0.2), 0.2);
  EXPECT_EQ(NullRateFor(HubPolicy(), 0.01, 0.2), 0.01);
  EXPECT_STREQ(QualifiedName(lockstep), "members");
  EXPECT_STREQ(QualifiedName(HubPolicy()), "suspicious");
  EXPECT_TRUE(QualifiesForHub(lockstep, false, true));
  EXPECT_FALSE(QualifiesForHub(HubPolicy(), false, true));
  EXPECT_TRUE(QualifiesForHub(HubPolicy(), true, true));
}

constexpr uint32_t Bit(Family family) { return 1u << static_cast<int>(family); }

JoinEvidence Evidence(uint32_t families, double strong_weight, double alone_weight, bool member_hub = false) {
  return {
      .hub_families = families, .member_hub = member_hub, .strong_weight = strong_weight, .alone_weight = alone_weight};
}

TEST(JoinsHubsTest, StrongHubsAndAgreeingFamilies) {
  EngineConfig config;  // hub_min_strong 2, hub_min_families 2
  uint32_t identity_and_network = Bit(Family::kIdentity) | Bit(Family::kNetwork);
  EXPECT_TRUE(JoinsHubs(true, true, Evidence(identity_and_network, 2, 0), config));
  EXPECT_FALSE(JoinsHubs(true, true, Evidence(identity_and_network, 1, 0), config));  // a sign-up burst is not enough
  EXPECT_FALSE(
      JoinsHubs(false, true, Evidence(identity_and_network, 4, 4), config));  // members join only through lockstep
  EXPECT_TRUE(JoinsHubs(false, true, Evidence(Bit(Family::kTiming) | Bit(Family::kNetwork), 2, 0, /*member_hub=*/true),
                        config));
  EXPECT_FALSE(JoinsHubs(false, false,
                         Evidence(Bit(Family::kTiming) | Bit(Family::kNetwork), 2, 0, /*member_hub=*/true), config));
}

TEST(JoinsHubsTest, OnlyJoinsAloneSignalsJoinWithoutASecondFamily) {
  EngineConfig config;
  // A client profile nearly all of whose holders are suspect: honest
  // developers with the same setup hold it too, so it needs another family.
  EXPECT_FALSE(JoinsHubs(true, true, Evidence(Bit(Family::kBehavior), 2, 0), config));
  // The operator's own e-mail domain (joins_alone) suffices by itself...
  EXPECT_TRUE(JoinsHubs(true, true, Evidence(Bit(Family::kIdentity), 2, 2), config));
  // ...but a sign-up burst beside it does not make up for a weaker one.
  EXPECT_FALSE(JoinsHubs(true, true, Evidence(Bit(Family::kIdentity), 3, 1), config));
  EXPECT_FALSE(
      JoinsHubs(false, true, Evidence(Bit(Family::kIdentity), 2, 2), config));  // still only suspicious accounts
}

TEST(JoinsHubsTest, APairPartnerInTheSameHubCorroboratesIt) {
  EngineConfig config;
  // A sign-up burst alone (identity, 1) does not join...
  JoinEvidence burst = Evidence(Bit(Family::kIdentity), 1, 0);
  EXPECT_FALSE(JoinsHubs(true, true, burst, config));
  // ...but it does when the account's card partner signed up in it too.
  burst.corroborated = true;
  EXPECT_TRUE(JoinsHubs(true, true, burst, config));
  EXPECT_FALSE(JoinsHubs(false, true, burst, config));  // still only suspicious accounts
  config.pair_corroborates_hub = 0;
  EXPECT_FALSE(JoinsHubs(true, true, burst, config));
}

// An account's held keys: kept keys that pass Holds() for usable signals,
// then its co-active group's key; nothing for an unusable signal or a key
// below its signal's min_share, and no group key without a group.
TEST(ForEachHeldKeyTest, KeptKeysThatCountThenTheCoactiveGroup) {
  KeyCounter counter;
  for (int event = 0; event < 4; ++event) {
    for (uint16_t signal : {0, 1, 2}) counter.CountEvent(signal);
    counter.Add(0, 100, 8);                     // on every event
    counter.Add(1, 200, 8);                     // signal 1 is unusable
    counter.Add(2, event == 0 ? 301 : 300, 8);  // 301 on 1 of 4 events: below min_share
  }
  std::vector<LinkPolicy> policies(4);
  policies[2].min_share = 0.5;
  std::vector<bool> usable = {true, false, true, true};
  auto policy_of = [&](uint16_t signal) -> const LinkPolicy& { return policies[signal]; };
  std::vector<std::pair<uint16_t, uint64_t>> held;
  auto collect = [&](uint16_t signal, uint64_t key) { held.emplace_back(signal, key); };
  const uint64_t group_key = 7;
  ForEachHeldKey(counter, usable, policy_of, /*coactivity_signal=*/3, &group_key, collect);
  std::sort(held.begin(), held.end());
  EXPECT_EQ(held, (std::vector<std::pair<uint16_t, uint64_t>>{{0, 100}, {2, 300}, {3, 7}}));
  held.clear();
  ForEachHeldKey(counter, usable, policy_of, 3, /*coactive_key=*/nullptr, collect);
  EXPECT_EQ(held.size(), 2u);
  held.clear();
  usable[3] = false;  // the co-activity signal unusable: no group key
  ForEachHeldKey(counter, usable, policy_of, 3, &group_key, collect);
  EXPECT_EQ(held.size(), 2u);
}

TEST(SortedIntersectTest, FindsACommonValue) {
  EXPECT_TRUE(SortedIntersect({1, 4, 9}, {2, 4}));
  EXPECT_FALSE(SortedIntersect({1, 4, 9}, {2, 5, 10}));
  EXPECT_FALSE(SortedIntersect({}, {1}));
}

}  // namespace
}  // namespace hydraguard::engine::internal
