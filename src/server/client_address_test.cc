#include "server/client_address.h"

#include <vector>

#include "gtest/gtest.h"

namespace hydraguard::server {
namespace {

using ingest::IpAddress;
using ingest::IpPrefix;

IpAddress Ip(std::string_view text) { return IpAddress::Parse(text).value(); }
IpPrefix Cidr(std::string_view text) { return IpAddress::ParseCidr(text).value(); }

TEST(InPrefix, MatchesBitsOfItsOwnFamily) {
  EXPECT_TRUE(InPrefix(Ip("10.1.2.3"), Cidr("10.0.0.0/8")));
  EXPECT_FALSE(InPrefix(Ip("11.1.2.3"), Cidr("10.0.0.0/8")));
  EXPECT_TRUE(InPrefix(Ip("192.168.1.130"), Cidr("192.168.1.128/25")));
  EXPECT_FALSE(InPrefix(Ip("192.168.1.127"), Cidr("192.168.1.128/25")));
  EXPECT_TRUE(InPrefix(Ip("1.2.3.4"), Cidr("0.0.0.0/0")));
  EXPECT_TRUE(InPrefix(Ip("2001:db8::1"), Cidr("2001:db8::/32")));
  EXPECT_FALSE(InPrefix(Ip("2001:db9::1"), Cidr("2001:db8::/32")));
  EXPECT_FALSE(InPrefix(Ip("10.1.2.3"), Cidr("::/0")));  // families never mix
  EXPECT_TRUE(InPrefix(Ip("127.0.0.1"), Cidr("127.0.0.1/32")));
}

TEST(ClientIp, IgnoresForwardedForFromUntrustedPeers) {
  std::vector<IpPrefix> trusted = {Cidr("10.0.0.0/8")};
  EXPECT_EQ(ClientIp(Ip("203.0.113.5"), "198.51.100.1", trusted), Ip("203.0.113.5"));
}

TEST(ClientIp, TakesTheRightmostUntrustedHopFromTrustedPeers) {
  std::vector<IpPrefix> trusted = {Cidr("10.0.0.0/8")};
  EXPECT_EQ(ClientIp(Ip("10.0.0.2"), "198.51.100.1", trusted), Ip("198.51.100.1"));
  // The client may prepend anything; only what trusted hops appended counts.
  EXPECT_EQ(ClientIp(Ip("10.0.0.2"), "1.1.1.1, 198.51.100.1, 10.0.0.9", trusted), Ip("198.51.100.1"));
  EXPECT_EQ(ClientIp(Ip("10.0.0.2"), " 2001:db8::7 ", trusted), Ip("2001:db8::7"));
  // Nothing forwarded: the peer itself.
  EXPECT_EQ(ClientIp(Ip("10.0.0.2"), "", trusted), Ip("10.0.0.2"));
  // Garbage ends the walk at the last good address.
  EXPECT_EQ(ClientIp(Ip("10.0.0.2"), "not-an-ip, 10.0.0.7", trusted), Ip("10.0.0.7"));
  EXPECT_EQ(ClientIp(Ip("10.0.0.2"), "unknown", trusted), Ip("10.0.0.2"));
}

}  // namespace
}  // namespace hydraguard::server
