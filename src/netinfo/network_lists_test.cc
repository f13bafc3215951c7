#include "netinfo/network_lists.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "testing/test_files.h"

namespace hydraguard::netinfo {
namespace {

using ::testing::HasSubstr;

ingest::IpAddress Ip(std::string_view text) { return *ingest::IpAddress::Parse(text); }

TEST(NetworkListsTest, ClassifiesIpv4RangesInclusively) {
  NetworkLists lists;
  ASSERT_TRUE(lists.AddCidr("10.1.0.0/16", kDatacenter).ok());
  lists.Seal();
  EXPECT_EQ(lists.Classify(Ip("10.1.0.0")), kDatacenter);
  EXPECT_EQ(lists.Classify(Ip("10.1.255.255")), kDatacenter);
  EXPECT_EQ(lists.Classify(Ip("10.0.255.255")), 0);
  EXPECT_EQ(lists.Classify(Ip("10.2.0.0")), 0);
  EXPECT_EQ(lists.Classify(Ip("::ffff:10.1.2.3")), kDatacenter);  // v4-mapped is the same address
}

TEST(NetworkListsTest, HostBitsAreCleared) {
  NetworkLists lists;
  ASSERT_TRUE(lists.AddCidr("192.168.7.9/24", kVpn).ok());
  lists.Seal();
  EXPECT_EQ(lists.Classify(Ip("192.168.7.0")), kVpn);
  EXPECT_EQ(lists.Classify(Ip("192.168.7.255")), kVpn);
}

TEST(NetworkListsTest, OverlapsCombineKinds) {
  NetworkLists lists;
  ASSERT_TRUE(lists.AddCidr("20.0.0.0/8", kDatacenter).ok());
  ASSERT_TRUE(lists.AddCidr("20.5.0.0/16", kVpn).ok());  // a VPN in rented datacenter space
  ASSERT_TRUE(lists.AddCidr("20.5.1.0/24", kDatacenter).ok());
  lists.Seal();
  EXPECT_EQ(lists.Classify(Ip("20.4.255.255")), kDatacenter);
  EXPECT_EQ(lists.Classify(Ip("20.5.0.1")), kDatacenter | kVpn);
  EXPECT_EQ(lists.Classify(Ip("20.5.1.1")), kDatacenter | kVpn);
  EXPECT_EQ(lists.Classify(Ip("20.6.0.0")), kDatacenter);
  EXPECT_EQ(lists.Classify(Ip("21.0.0.0")), 0);
}

TEST(NetworkListsTest, ExtremesOfTheAddressSpace) {
  NetworkLists lists;
  ASSERT_TRUE(lists.AddCidr("255.255.255.255/32", kVpn).ok());
  ASSERT_TRUE(lists.AddCidr("0.0.0.0/32", kDatacenter).ok());
  ASSERT_TRUE(lists.AddCidr("ffff::/16", kDatacenter).ok());
  lists.Seal();
  EXPECT_EQ(lists.Classify(Ip("255.255.255.255")), kVpn);
  EXPECT_EQ(lists.Classify(Ip("255.255.255.254")), 0);
  EXPECT_EQ(lists.Classify(Ip("0.0.0.0")), kDatacenter);
  EXPECT_EQ(lists.Classify(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")), kDatacenter);
  NetworkLists everything;
  ASSERT_TRUE(everything.AddCidr("0.0.0.0/0", kVpn).ok());
  ASSERT_TRUE(everything.AddCidr("::/0", kDatacenter).ok());
  everything.Seal();
  EXPECT_EQ(everything.Classify(Ip("8.8.8.8")), kVpn);
  EXPECT_EQ(everything.Classify(Ip("2001:db8::1")), kDatacenter);
}

TEST(NetworkListsTest, Ipv6Prefixes) {
  NetworkLists lists;
  ASSERT_TRUE(lists.AddCidr("2001:310::/32", kDatacenter).ok());
  ASSERT_TRUE(lists.AddCidr("2001:418:1401:4::/64", kVpn).ok());
  lists.Seal();
  EXPECT_EQ(lists.Classify(Ip("2001:310:ffff::1")), kDatacenter);
  EXPECT_EQ(lists.Classify(Ip("2001:311::1")), 0);
  EXPECT_EQ(lists.Classify(Ip("2001:418:1401:4:abcd::9")), kVpn);
  EXPECT_EQ(lists.Classify(Ip("2001:418:1401:5::1")), 0);
}

TEST(NetworkListsTest, RejectsMalformedPrefixes) {
  NetworkLists lists;
  for (const char* bad : {"10.0.0.0/33", "10.0.0/8", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x", "hello", ""}) {
    EXPECT_FALSE(lists.AddCidr(bad, kVpn).ok()) << bad;
  }
}

TEST(NetworkListsTest, MatchesBruteForceOnRandomRanges) {
  std::mt19937 rng(7);
  NetworkLists lists;
  struct Plain {
    uint32_t first, last;
    uint8_t kind;
  };
  std::vector<Plain> plain;
  for (int index = 0; index < 300; ++index) {
    int length = 8 + static_cast<int>(rng() % 25);
    uint32_t base = (rng() & 0x0FFFFFFFu) | 0x10000000u;
    uint32_t mask = ~uint32_t{0} << (32 - length);
    uint8_t kind = static_cast<uint8_t>(1 + rng() % 2);
    ASSERT_TRUE(lists.AddCidr(ingest::IpAddress::FromV4(base).ToString() + "/" + std::to_string(length), kind).ok());
    plain.push_back({base & mask, (base & mask) | ~mask, kind});
  }
  lists.Seal();
  for (int probe = 0; probe < 20000; ++probe) {
    uint32_t address = probe % 2 ? plain[rng() % plain.size()].first + rng() % 512 : (rng() & 0x1FFFFFFFu);
    uint8_t expected = 0;
    for (const Plain& range : plain) expected |= address >= range.first && address <= range.last ? range.kind : 0;
    ASSERT_EQ(lists.Classify(ingest::IpAddress::FromV4(address)), expected) << address;
  }
}

TEST(NetworkListsTest, FilesWithCommentsAndErrorsWithLocation) {
  NetworkLists lists;
  std::string cidrs = testing::WriteTempFile("# hosting\n1.12.0.0/14\n\n  5.6.7.0/24  # comment\n", ".txt");
  std::string asns = testing::WriteTempFile("AS45090 # Tencent\nas9009\n13335\n", ".txt");
  ASSERT_TRUE(lists.AddCidrFile(cidrs, kDatacenter).ok());
  ASSERT_TRUE(lists.AddAsnFile(asns, kVpn).ok());
  EXPECT_EQ(lists.Classify(Ip("1.15.255.255")), kDatacenter);
  EXPECT_EQ(lists.Classify(Ip("5.6.7.8")), kDatacenter);
  EXPECT_EQ(lists.ClassifyAsn(45090), kVpn);
  EXPECT_EQ(lists.ClassifyAsn(9009), kVpn);
  EXPECT_EQ(lists.ClassifyAsn(13335), kVpn);
  EXPECT_EQ(lists.ClassifyAsn(1), 0);

  std::string bad = testing::WriteTempFile("1.2.3.0/24\n\n300.1.2.0/24\n", ".txt");
  absl::Status status = lists.AddCidrFile(bad, kVpn);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(bad + ":3: not a CIDR prefix: \"300.1.2.0/24\""));
  std::string bad_asn = testing::WriteTempFile("AS12x\n", ".txt");
  EXPECT_THAT(std::string(lists.AddAsnFile(bad_asn, kVpn).message()), HasSubstr(":1: not an ASN"));
}

TEST(NetworkListsTest, MissingDirectoryNamesTheFile) {
  absl::StatusOr<NetworkLists> lists = NetworkLists::LoadDirectory("/nonexistent");
  ASSERT_FALSE(lists.ok());
  EXPECT_EQ(lists.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(lists.status().message()), HasSubstr("/nonexistent/datacenter-ipv4.txt"));
}

TEST(NetworkListsTest, LoadsTheSharedLists) {
  std::string dir = std::string(HG_SOURCE_DIR) + "/../shared/data/netlists";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " not present";
  absl::StatusOr<NetworkLists> lists = NetworkLists::LoadDirectory(dir);
  ASSERT_TRUE(lists.ok()) << lists.status();
  EXPECT_GT(lists->prefix_count(), 10000u);
  EXPECT_EQ(lists->Classify(Ip("8.8.8.8")) & kDatacenter, kDatacenter);
  EXPECT_EQ(lists->ClassifyAsn(16509), kDatacenter);  // Amazon
  EXPECT_EQ(lists->ClassifyAsn(9009) & kVpn, kVpn);   // M247
}

}  // namespace
}  // namespace hydraguard::netinfo
