#include "engine/signal.h"

#include "gtest/gtest.h"

namespace hydraguard::engine {
namespace {

TEST(LinkPolicyTest, DefaultsAndOverridesRoundTrip) {
  SignalParams params = {{"weight", 2.0}, {"joins_alone", 1}};
  AddLinkPolicyDefaults(&params);
  // The signal's own defaults stay; every other field gets LinkPolicy's.
  EXPECT_EQ(params.at("weight"), 2.0);
  EXPECT_EQ(params.at("strong_share"), LinkPolicy{}.strong_share);
  for (const char* name : {"weight", "pair_cap", "rarity", "hub", "strong_share", "strong_weight", "joins_alone",
                           "unites", "capacity", "min_share", "min_events", "min_count", "indicator"}) {
    EXPECT_TRUE(params.contains(name)) << name;  // so a config may set it for any link signal
  }
  params["min_count"] = 2;  // overrides from hydraguard.yaml
  params["unites"] = 0;
  LinkPolicy policy = LinkPolicyFrom(params);
  EXPECT_EQ(policy.weight, 2.0);
  EXPECT_EQ(policy.joins_alone, 1);
  EXPECT_EQ(policy.min_count, 2);
  EXPECT_EQ(policy.unites, 0);
  EXPECT_EQ(policy.strong_weight, LinkPolicy{}.strong_weight);
}

}  // namespace
}  // namespace hydraguard::engine
