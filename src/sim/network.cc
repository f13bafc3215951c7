#include "sim/network.h"

#include <array>
#include <optional>
#include <string_view>

#include "fmt/format.h"
#include "ingest/ip_address.h"
#include "netinfo/network_lists.h"

namespace hydraguard::sim {
namespace {

struct BuiltinRange {
  const char* cidr;
  uint32_t asn;
  const char* country;
  const char* v6 = "";  // the operator's IPv6 /32, as its first two groups ("" = none)
};

// Real operators' ranges, used as simulated sources only.
constexpr std::array<BuiltinRange, 17> kResidential = {{
    {"73.0.0.0/12", 7922, "US", "2601:1c0"},      // Comcast
    {"24.160.0.0/12", 20115, "US", "2600:6c40"},  // Charter
    {"99.0.0.0/12", 7018, "US", "2600:1700"},     // AT&T
    {"79.192.0.0/12", 3320, "DE", "2003:e0"},     // Deutsche Telekom
    {"81.128.0.0/12", 2856, "GB", "2a00:23c0"},   // BT
    {"90.0.0.0/12", 3215, "FR", "2a01:cb00"},     // Orange
    {"49.32.0.0/12", 55836, "IN", "2409:4040"},   // Reliance Jio
    {"177.32.0.0/12", 28573, "BR", "2804:14c"},   // Claro
    {"153.128.0.0/12", 4713, "JP", "240b:10"},    // NTT
    {"114.80.0.0/12", 4134, "CN", "240e:300"},    // China Telecom
    {"121.160.0.0/12", 4766, "KR", "2001:2d8"},   // Korea Telecom
    {"116.86.0.0/15", 9506, "SG", "2406:3003"},   // Singtel
    {"95.24.0.0/13", 8402, "RU", "2a00:1fa0"},    // Beeline
    {"203.208.0.0/14", 4826, "AU", "2403:5800"},  // Vocus
    {"112.118.0.0/15", 4760, "HK", "2400:8900"},  // HKT
    {"175.136.0.0/13", 4788, "MY", "2001:e68"},   // TM Net
    {"94.200.0.0/13", 5384, "AE", "2001:8f8"},    // Etisalat
}};
constexpr std::array<BuiltinRange, 6> kMobile = {{
    {"172.56.0.0/14", 21928, "US", "2607:fb90"},   // T-Mobile US
    {"174.192.0.0/12", 22394, "US", "2600:1000"},  // Verizon Wireless
    {"176.0.0.0/14", 3209, "DE", "2a02:3030"},     // Vodafone DE
    {"106.192.0.0/12", 55836, "IN", "2409:4060"},  // Jio mobile
    {"191.128.0.0/12", 26599, "BR", "2804:18"},    // Vivo
    {"126.0.0.0/12", 17676, "JP", "240b:c0"},      // SoftBank
}};
constexpr std::array<BuiltinRange, 8> kCloud = {{
    {"3.80.0.0/12", 16509, "US"},     // Amazon
    {"34.64.0.0/12", 396982, "US"},   // Google Cloud
    {"20.40.0.0/13", 8075, "US"},     // Microsoft Azure
    {"88.198.0.0/16", 24940, "DE"},   // Hetzner
    {"51.68.0.0/16", 16276, "FR"},    // OVH
    {"104.131.0.0/16", 14061, "US"},  // DigitalOcean
    {"47.74.0.0/15", 45102, "SG"},    // Alibaba Cloud
    {"43.128.0.0/14", 132203, "SG"},  // Tencent Cloud
}};
constexpr std::array<BuiltinRange, 4> kVpn = {{
    {"185.153.176.0/22", 9009, "NL"},    // M247
    {"89.187.160.0/19", 60068, "GB"},    // Datacamp
    {"194.110.112.0/22", 209854, "NL"},  // Surfshark
    {"37.120.192.0/19", 9009, "DE"},     // M247
}};
constexpr std::array<BuiltinRange, 3> kBusiness = {{
    {"128.32.0.0/16", 25, "US"},   // a university network
    {"192.76.0.0/16", 786, "GB"},  // JANET
    {"141.20.0.0/16", 680, "DE"},  // DFN
}};
constexpr std::array<const char*, 8> kCloudCountries = {"US", "US", "DE", "NL", "SG", "GB", "FR", "JP"};

// An IPv4 prefix of /8 to /32 as (first address, size); false otherwise.
bool ParseCidr(std::string_view text, uint32_t* first, uint32_t* size) {
  std::optional<ingest::IpPrefix> prefix = ingest::IpAddress::ParseCidr(text);
  if (!prefix || !prefix->address.is_v4() || prefix->length < 8) return false;
  *size = prefix->length == 32 ? 1u : (1u << (32 - prefix->length));
  *first = prefix->address.v4() & ~(*size - 1);
  return true;
}

std::vector<AddressBlock> FromBuiltin(std::span<const BuiltinRange> ranges) {
  std::vector<AddressBlock> blocks;
  for (const BuiltinRange& range : ranges) {
    AddressBlock block;
    ParseCidr(range.cidr, &block.first, &block.size);
    block.asn = range.asn;
    block.country = range.country;
    block.v6_prefix = range.v6;
    blocks.push_back(block);
  }
  return blocks;
}

absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  absl::Status status = netinfo::ForEachListEntry(path, [&lines](std::string_view entry) {
    lines.emplace_back(entry);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return lines;
}

// Blocks from a netlists CIDR file, each given an ASN from the matching ASN
// file (the lists do not say which ASN announces which range; for simulation
// any consistent assignment will do) and a hosting country.
absl::StatusOr<std::vector<AddressBlock>> FromNetlist(const std::string& cidr_path, const std::string& asn_path,
                                                      Rng& rng, size_t max_blocks) {
  absl::StatusOr<std::vector<std::string>> cidrs = ReadLines(cidr_path);
  if (!cidrs.ok()) return cidrs.status();
  absl::StatusOr<std::vector<std::string>> asn_lines = ReadLines(asn_path);
  if (!asn_lines.ok()) return asn_lines.status();
  std::vector<uint32_t> asns;
  for (const std::string& line : *asn_lines) {
    if (line.size() > 2 && (line[0] == 'A' || line[0] == 'a'))
      asns.push_back(static_cast<uint32_t>(std::strtoul(line.c_str() + 2, nullptr, 10)));
  }
  if (asns.empty()) return absl::InvalidArgumentError(fmt::format("{}: no ASNs", asn_path));
  std::vector<AddressBlock> blocks;
  for (const std::string& line : *cidrs) {
    AddressBlock block;
    if (!ParseCidr(line, &block.first, &block.size) || block.size < 256) continue;  // IPv4 /24 or larger
    blocks.push_back(block);
  }
  if (blocks.empty()) return absl::InvalidArgumentError(fmt::format("{}: no usable IPv4 ranges", cidr_path));
  // A deterministic sample keeps the pool small and the draws fast.
  for (size_t index = 0; index < blocks.size() && index < max_blocks; ++index) {
    std::swap(blocks[index], blocks[index + rng.Below(blocks.size() - index)]);
  }
  if (blocks.size() > max_blocks) blocks.resize(max_blocks);
  for (AddressBlock& block : blocks) {
    block.asn = asns[rng.Below(asns.size())];
    block.country = kCloudCountries[rng.Below(kCloudCountries.size())];
  }
  return blocks;
}

}  // namespace

std::string FormatIpv4(uint32_t address) {
  return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 255, (address >> 8) & 255, address & 255);
}

Endpoint AddressPool::At(size_t block_index, uint64_t index) const {
  const AddressBlock& block = blocks_[block_index % blocks_.size()];
  uint32_t offset = static_cast<uint32_t>(index % block.size);
  uint32_t address = block.first + offset;
  // Hosts are never x.y.z.0 or x.y.z.255, whatever the block size.
  if ((address & 255) == 0) ++address;
  if ((address & 255) == 255) --address;
  return {FormatIpv4(address), block.asn, block.country};
}

std::optional<Endpoint> AddressPool::DrawV6(Rng& rng) const {
  size_t start = rng.Below(blocks_.size());
  for (size_t step = 0; step < blocks_.size(); ++step) {
    const AddressBlock& block = blocks_[(start + step) % blocks_.size()];
    if (block.v6_prefix.empty()) continue;
    // A customer /56 inside the operator's /32, and one host in it.
    return Endpoint{fmt::format("{}:{:x}:{:x}00::{:x}", block.v6_prefix, rng.Below(0x10000), rng.Below(0x100),
                                1 + rng.Below(0xfffe)),
                    block.asn, block.country};
  }
  return std::nullopt;
}

Endpoint AddressPool::Draw(Rng& rng) const {
  size_t block = rng.Below(blocks_.size());
  return At(block, rng.Below(blocks_[block].size));
}

AddressPool AddressPool::Carve(Rng& rng, size_t count, uint32_t size) const {
  std::vector<AddressBlock> carved;
  carved.reserve(count);
  for (size_t index = 0; index < count; ++index) {
    const AddressBlock& from = blocks_[rng.Below(blocks_.size())];
    uint32_t span = from.size > size ? from.size - size : 1;
    uint32_t start = from.first + (static_cast<uint32_t>(rng.Below(span)) & ~(size - 1));
    carved.push_back({start, size, from.asn, from.country});
  }
  return AddressPool(std::move(carved));
}

absl::StatusOr<Network> BuildNetwork(const std::string& netlists_dir, uint64_t seed) {
  Rng rng(Rng::Mix(seed, 0x6e657477));
  Network network;
  network.residential = AddressPool(FromBuiltin(kResidential));
  network.mobile = AddressPool(FromBuiltin(kMobile));
  network.business = AddressPool(FromBuiltin(kBusiness));
  if (netlists_dir.empty()) {
    network.cloud = AddressPool(FromBuiltin(kCloud));
    network.vpn = AddressPool(FromBuiltin(kVpn));
  } else {
    auto cloud = FromNetlist(netlists_dir + "/datacenter-ipv4.txt", netlists_dir + "/datacenter-asn.txt", rng, 4000);
    if (!cloud.ok()) return cloud.status();
    auto vpn = FromNetlist(netlists_dir + "/vpn-ipv4.txt", netlists_dir + "/vpn-asn.txt", rng, 1000);
    if (!vpn.ok()) return vpn.status();
    network.cloud = AddressPool(*std::move(cloud));
    network.vpn = AddressPool(*std::move(vpn));
  }
  // A commercial proxy network: thousands of residential exits (hijacked or
  // "SDK" bandwidth) in many countries, plus datacenter exits.
  network.proxy_residential = network.residential.Carve(rng, 6000, 1);
  network.proxy_datacenter = network.cloud.Carve(rng, 300, 16);
  return network;
}

}  // namespace hydraguard::sim
