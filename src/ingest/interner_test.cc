#include "ingest/interner.h"

#include <gtest/gtest.h>

#include <string>

namespace hydraguard::ingest {
namespace {

TEST(StringInternerTest, DenseIdsInOrderOfFirstSight) {
  StringInterner interner;
  EXPECT_EQ(interner.Intern("a"), 0u);
  EXPECT_EQ(interner.Intern("b"), 1u);
  EXPECT_EQ(interner.Intern("a"), 0u);
  EXPECT_EQ(interner.size(), 2u);
  EXPECT_EQ(interner.Name(1), "b");
  EXPECT_EQ(interner.Find("b"), 1u);
  EXPECT_EQ(interner.Find("c"), kNoId);
}

TEST(StringInternerTest, NamesStayValidAcrossGrowth) {
  StringInterner interner;
  std::string_view first = interner.Name(interner.Intern("first"));
  std::string big(200000, 'x');  // Larger than an arena block.
  interner.Intern(big);
  for (int i = 0; i < 100000; ++i) interner.Intern("name-" + std::to_string(i));
  EXPECT_EQ(first, "first");
  EXPECT_EQ(interner.Name(1), big);
  EXPECT_EQ(interner.Find("name-99999"), 100001u);
}

TEST(StringInternerTest, DoesNotKeepCallersBuffer) {
  StringInterner interner;
  std::string temp = "temporary";
  Id id = interner.Intern(temp);
  temp.assign("overwritten");
  EXPECT_EQ(interner.Name(id), "temporary");
  EXPECT_EQ(interner.Find("temporary"), id);
}

TEST(StringInternerTest, EmptyString) {
  StringInterner interner;
  Id id = interner.Intern("");
  EXPECT_EQ(interner.Name(id), "");
  EXPECT_EQ(interner.Intern(""), id);
}

TEST(IpInternerTest, AddressesAndPrefixes) {
  IpInterner ips;
  IpAddress a = *IpAddress::Parse("10.0.0.1"), b = *IpAddress::Parse("10.0.0.2"), c = *IpAddress::Parse("10.0.1.1");
  EXPECT_EQ(ips.InternAddress(a), 0u);
  EXPECT_EQ(ips.InternAddress(b), 1u);
  EXPECT_EQ(ips.InternAddress(a), 0u);
  EXPECT_EQ(ips.InternPrefix(a), 0u);
  EXPECT_EQ(ips.InternPrefix(b), 0u);
  EXPECT_EQ(ips.InternPrefix(c), 1u);
  EXPECT_EQ(ips.PrefixExample(1).PrefixString(), "10.0.1.0/24");
  EXPECT_EQ(ips.address_count(), 2u);
  EXPECT_EQ(ips.prefix_count(), 2u);
}

}  // namespace
}  // namespace hydraguard::ingest
