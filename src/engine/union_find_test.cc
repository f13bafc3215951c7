// union_find.h uses size_t without including <cstddef>; include it first.
#include "engine/union_find.h"

#include <gtest/gtest.h>

#include <cstddef>

namespace hydraguard::engine {
namespace {

// Every id starts in its own set of size 1.
TEST(UnionFindTest, StartsAsSingletons) {
  UnionFind sets(5);
  for (uint32_t id = 0; id < 5; ++id) {
    EXPECT_EQ(sets.Find(id), id);
    EXPECT_EQ(sets.SetSize(id), 1u);
  }
}

// Union joins two sets (both members get the same root and the summed size)
// and leaves the others alone.
TEST(UnionFindTest, UnionJoinsTwoSets) {
  UnionFind sets(4);
  EXPECT_TRUE(sets.Union(0, 2));
  EXPECT_EQ(sets.Find(0), sets.Find(2));
  EXPECT_EQ(sets.SetSize(0), 2u);
  EXPECT_EQ(sets.SetSize(2), 2u);
  EXPECT_NE(sets.Find(1), sets.Find(0));
  EXPECT_NE(sets.Find(3), sets.Find(0));
  EXPECT_EQ(sets.SetSize(1), 1u);
}

// Links are transitive: a-b and b-c put a and c together, and chains of
// unions build one set of all their members.
TEST(UnionFindTest, Transitive) {
  UnionFind sets(10);
  sets.Union(0, 1);
  sets.Union(1, 2);
  EXPECT_EQ(sets.Find(0), sets.Find(2));
  EXPECT_EQ(sets.SetSize(2), 3u);
  sets.Union(5, 6);
  sets.Union(7, 6);
  sets.Union(2, 7);
  for (uint32_t id : {0u, 1u, 2u, 5u, 6u, 7u}) {
    EXPECT_EQ(sets.Find(id), sets.Find(0)) << id;
    EXPECT_EQ(sets.SetSize(id), 6u) << id;
  }
  for (uint32_t id : {3u, 4u, 8u, 9u}) EXPECT_EQ(sets.SetSize(id), 1u) << id;
}

// Union of two members of one set (directly or through others) returns
// false and changes nothing.
TEST(UnionFindTest, UnionWithinASetReturnsFalse) {
  UnionFind sets(3);
  EXPECT_TRUE(sets.Union(0, 1));
  EXPECT_TRUE(sets.Union(1, 2));
  EXPECT_FALSE(sets.Union(0, 2));
  EXPECT_FALSE(sets.Union(2, 0));
  EXPECT_FALSE(sets.Union(1, 1));
  EXPECT_EQ(sets.SetSize(0), 3u);
}

// A long chain (worst case for naive union) still resolves to one root.
TEST(UnionFindTest, LongChain) {
  constexpr uint32_t kSize = 10000;
  UnionFind sets(kSize);
  for (uint32_t id = 1; id < kSize; ++id) EXPECT_TRUE(sets.Union(id - 1, id));
  EXPECT_EQ(sets.SetSize(0), kSize);
  EXPECT_EQ(sets.Find(0), sets.Find(kSize - 1));
}

}  // namespace
}  // namespace hydraguard::engine
