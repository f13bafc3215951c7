#include "ingest/ip_address.h"

#include <gtest/gtest.h>

namespace hydraguard::ingest {
namespace {

TEST(IpAddressTest, ParsesIpv4) {
  std::optional<IpAddress> ip = IpAddress::Parse("203.0.113.7");
  ASSERT_TRUE(ip);
  EXPECT_TRUE(ip->is_v4());
  EXPECT_EQ(ip->v4(), 0xCB007107u);
  EXPECT_EQ(ip->ToString(), "203.0.113.7");
  EXPECT_EQ(ip->PrefixString(), "203.0.113.0/24");
  EXPECT_EQ(ip->prefix_length(), 24);
}

TEST(IpAddressTest, ParsesIpv6AndItsSlash48) {
  std::optional<IpAddress> ip = IpAddress::Parse("2001:db8:1234:5678::1");
  ASSERT_TRUE(ip);
  EXPECT_FALSE(ip->is_v4());
  EXPECT_EQ(ip->ToString(), "2001:db8:1234:5678::1");
  EXPECT_EQ(ip->PrefixString(), "2001:db8:1234::/48");
  EXPECT_EQ(ip->PrefixKey(), IpAddress::Parse("2001:db8:1234:ffff::9")->PrefixKey());
  EXPECT_NE(ip->PrefixKey(), IpAddress::Parse("2001:db8:1235::1")->PrefixKey());
}

TEST(IpAddressTest, V4MappedV6IsTheSameAddress) {
  EXPECT_EQ(*IpAddress::Parse("::ffff:198.51.100.1"), *IpAddress::Parse("198.51.100.1"));
  EXPECT_TRUE(IpAddress::Parse("::ffff:198.51.100.1")->is_v4());
}

TEST(IpAddressTest, SamePrefixWithinSlash24Only) {
  auto a = IpAddress::Parse("10.1.2.3"), b = IpAddress::Parse("10.1.2.250"), c = IpAddress::Parse("10.1.3.3");
  EXPECT_EQ(a->PrefixKey(), b->PrefixKey());
  EXPECT_NE(a->PrefixKey(), c->PrefixKey());
  // IPv4 and IPv6 prefix keys never collide.
  EXPECT_NE(IpAddress::Parse("0.0.0.1")->PrefixKey(), IpAddress::Parse("::1")->PrefixKey());
}

TEST(IpAddressTest, RejectsInvalid) {
  for (const char* bad :
       {"", "300.1.2.3", "1.2.3", "1.2.3.4.5", "a.b.c.d", "1.2.3.4:80", "[::1]", "fe80::1%eth0", "2001:db8::g",
        "1:2:3:4:5:6:7:8:9", " 1.2.3.4", "12345678901234567890123456789012345678901234567890"}) {
    EXPECT_FALSE(IpAddress::Parse(bad)) << bad;
  }
}

TEST(IpAddressTest, FromV4) { EXPECT_EQ(IpAddress::FromV4(0x7F000001).ToString(), "127.0.0.1"); }

}  // namespace
}  // namespace hydraguard::ingest

namespace hydraguard::ingest {
namespace {

TEST(IpAddressTest, ParsesCidrPrefixes) {
  std::optional<IpPrefix> v4 = IpAddress::ParseCidr("10.1.2.3/8");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->address.ToString(), "10.1.2.3");  // host bits kept as written
  EXPECT_EQ(v4->length, 8);
  EXPECT_EQ(IpAddress::ParseCidr("2001:db8::/32")->length, 32);
  EXPECT_EQ(IpAddress::ParseCidr("192.0.2.1")->length, 32);  // a bare address is a host route
  EXPECT_EQ(IpAddress::ParseCidr("2001:db8::1")->length, 128);
  for (const char* bad :
       {"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/ 8", "10.0.0.0/1x", "nope/8", "10.0.0.0/0008"}) {
    EXPECT_FALSE(IpAddress::ParseCidr(bad)) << bad;
  }
}

}  // namespace
}  // namespace hydraguard::ingest
