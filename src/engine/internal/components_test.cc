#include "engine/internal/components.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hydraguard::engine::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

std::vector<uint32_t> Members(Components& sets, uint32_t node) {
  std::vector<uint32_t> out;
  sets.AppendMembers(sets.Find(node), &out);
  return out;
}

TEST(ComponentsTest, UnionListsMembersOfEachSet) {
  Components sets;
  for (int node = 0; node < 5; ++node) EXPECT_EQ(sets.Add(), static_cast<uint32_t>(node));
  EXPECT_EQ(sets.size(), 5u);
  EXPECT_THAT(Members(sets, 3), ElementsAre(3u));  // a set of one lists itself
  sets.Union(0, 1);
  sets.Union(2, 3);
  sets.Union(1, 3);
  sets.Union(0, 2);  // already one set
  EXPECT_EQ(sets.Find(0), sets.Find(3));
  EXPECT_NE(sets.Find(0), sets.Find(4));
  EXPECT_THAT(Members(sets, 2), UnorderedElementsAre(0u, 1u, 2u, 3u));
}

TEST(ComponentsTest, DissolveMakesEveryMemberItsOwnSet) {
  Components sets;
  for (int node = 0; node < 4; ++node) sets.Add();
  sets.Union(0, 1);
  sets.Union(1, 2);
  std::vector<uint32_t> freed;
  sets.Dissolve(sets.Find(2), &freed);
  EXPECT_THAT(freed, UnorderedElementsAre(0u, 1u, 2u));
  for (uint32_t node : {0u, 1u, 2u, 3u}) EXPECT_EQ(sets.Find(node), node);
  sets.Union(2, 3);  // sets can be joined again afterwards
  EXPECT_THAT(Members(sets, 3), UnorderedElementsAre(2u, 3u));
}

TEST(ComponentsTest, DetachTakesNodesOutAndKeepsTheRestTogether) {
  Components sets;
  for (int node = 0; node < 5; ++node) sets.Add();
  for (uint32_t node : {1u, 2u, 3u, 4u}) sets.Union(0, node);
  uint32_t rest = sets.Detach(sets.Find(0), {1, 3});
  ASSERT_NE(rest, kNoNode);
  EXPECT_EQ(sets.Find(1), 1u);
  EXPECT_EQ(sets.Find(3), 3u);
  EXPECT_THAT(Members(sets, 4), UnorderedElementsAre(0u, 2u, 4u));
  EXPECT_EQ(sets.Find(0), rest);
  EXPECT_EQ(sets.Detach(sets.Find(1), {1}), kNoNode);        // a set of one: nothing to take apart
  EXPECT_EQ(sets.Detach(sets.Find(0), {0, 2, 4}), kNoNode);  // everything detached
  for (uint32_t node : {0u, 2u, 4u}) EXPECT_EQ(sets.Find(node), node);
}

TEST(WorkListTest, NoRepeatsUntilReset) {
  WorkList list;
  list.Add(7);
  list.Add(2);
  list.Add(7);
  EXPECT_THAT(list.items(), ElementsAre(7u, 2u));
  EXPECT_TRUE(list.contains(2));
  EXPECT_FALSE(list.contains(3));
  EXPECT_FALSE(list.contains(1000));
  list.Reset();
  EXPECT_TRUE(list.items().empty());
  EXPECT_FALSE(list.contains(7));
  list.Add(7);
  EXPECT_THAT(list.items(), ElementsAre(7u));
}

}  // namespace
}  // namespace hydraguard::engine::internal
