#include "netinfo/network_lists.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <fstream>

#include "fmt/format.h"

namespace hydraguard::netinfo {

absl::Status ForEachListEntry(const std::string& path, absl::FunctionRef<absl::Status(std::string_view)> handle) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(fmt::format("{}: cannot open", path));
  std::string line;
  for (uint64_t number = 1; std::getline(in, line); ++number) {
    std::string_view entry = line;
    if (size_t hash = entry.find('#'); hash != std::string_view::npos) entry = entry.substr(0, hash);
    while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.back()))) entry.remove_suffix(1);
    while (!entry.empty() && std::isspace(static_cast<unsigned char>(entry.front()))) entry.remove_prefix(1);
    if (entry.empty()) continue;
    if (absl::Status status = handle(entry); !status.ok()) {
      return absl::InvalidArgumentError(fmt::format("{}:{}: {}", path, number, std::string(status.message())));
    }
  }
  return absl::OkStatus();
}

namespace {

unsigned __int128 ToInt128(const std::array<uint8_t, 16>& bytes) {
  unsigned __int128 value = 0;
  for (uint8_t byte : bytes) value = (value << 8) | byte;
  return value;
}

}  // namespace

absl::Status NetworkLists::AddCidr(std::string_view cidr, uint8_t kind) {
  std::optional<ingest::IpPrefix> prefix = ingest::IpAddress::ParseCidr(cidr);
  if (!prefix) return absl::InvalidArgumentError(fmt::format("not a CIDR prefix: \"{}\"", cidr));
  const ingest::IpAddress* address = &prefix->address;
  int length = prefix->length;
  if (address->is_v4()) {
    uint32_t mask = length == 0 ? 0 : ~uint32_t{0} << (32 - length);
    uint32_t first = address->v4() & mask;
    v4_.push_back({first, first | ~mask, kind});
  } else {
    unsigned __int128 all = ~static_cast<unsigned __int128>(0);
    unsigned __int128 mask = length == 0 ? 0 : all << (128 - length);
    unsigned __int128 first = ToInt128(address->bytes()) & mask;
    v6_.push_back({first, first | ~mask, kind});
  }
  sealed_ = false;
  return absl::OkStatus();
}

absl::Status NetworkLists::AddCidrFile(const std::string& path, uint8_t kind) {
  absl::Status status = ForEachListEntry(path, [&](std::string_view entry) { return AddCidr(entry, kind); });
  Seal();
  return status;
}

absl::Status NetworkLists::AddAsnFile(const std::string& path, uint8_t kind) {
  return ForEachListEntry(path, [&](std::string_view entry) -> absl::Status {
    std::string_view digits = entry;
    if (digits.size() > 2 && (digits[0] == 'A' || digits[0] == 'a') && (digits[1] == 'S' || digits[1] == 's')) {
      digits.remove_prefix(2);
    }
    uint64_t asn = 0;
    bool valid = !digits.empty() && digits.size() <= 10;
    for (char c : digits) {
      valid = valid && c >= '0' && c <= '9';
      asn = asn * 10 + static_cast<uint64_t>(c - '0');
    }
    if (!valid || asn > 0xFFFFFFFFu) return absl::InvalidArgumentError(fmt::format("not an ASN: \"{}\"", entry));
    AddAsn(static_cast<uint32_t>(asn), kind);
    return absl::OkStatus();
  });
}

absl::StatusOr<NetworkLists> NetworkLists::LoadDirectory(const std::string& dir) {
  NetworkLists lists;
  for (auto [name, kind] : {std::pair{"datacenter", kDatacenter}, std::pair{"vpn", kVpn}}) {
    for (const char* family : {"ipv4", "ipv6"}) {
      absl::Status status = lists.AddCidrFile(fmt::format("{}/{}-{}.txt", dir, name, family), kind);
      if (!status.ok()) return status;
    }
    absl::Status status = lists.AddAsnFile(fmt::format("{}/{}-asn.txt", dir, name), kind);
    if (!status.ok()) return status;
  }
  lists.Seal();
  return lists;
}

template <typename Address>
void NetworkLists::Normalize(std::vector<Range<Address>>* ranges) {
  if (ranges->empty()) return;
  // Sweep over range starts and ends, counting how many ranges of each kind
  // cover the current point.
  struct Edge {
    Address at;
    bool open;  // true: a range starts at `at`; false: one ended just before `at`
    uint8_t kind;
  };
  std::vector<Edge> edges;
  edges.reserve(ranges->size() * 2);
  const Address max_address = ~static_cast<Address>(0);
  for (const Range<Address>& range : *ranges) {
    edges.push_back({range.first, true, range.kind});
    if (range.last != max_address) edges.push_back({static_cast<Address>(range.last + 1), false, range.kind});
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) { return a.at < b.at; });
  std::vector<Range<Address>> segments;
  std::array<int, 8> cover{};  // per kind bit
  auto kind_now = [&cover] {
    uint8_t kind = 0;
    for (int bit = 0; bit < 8; ++bit) kind |= cover[bit] > 0 ? (1u << bit) : 0;
    return kind;
  };
  for (size_t index = 0; index < edges.size();) {
    Address at = edges[index].at;
    uint8_t before = kind_now();
    for (; index < edges.size() && edges[index].at == at; ++index) {
      for (int bit = 0; bit < 8; ++bit) {
        if (edges[index].kind & (1u << bit)) cover[bit] += edges[index].open ? 1 : -1;
      }
    }
    uint8_t after = kind_now();
    if (before == after) continue;
    if (before != 0) segments.back().last = static_cast<Address>(at - 1);
    if (after != 0) segments.push_back({at, max_address, after});
  }
  *ranges = std::move(segments);
}

template <typename Address>
uint8_t NetworkLists::Find(const std::vector<Range<Address>>& ranges, Address address) {
  auto after = std::upper_bound(ranges.begin(), ranges.end(), address,
                                [](Address value, const Range<Address>& range) { return value < range.first; });
  if (after == ranges.begin()) return 0;
  const Range<Address>& range = *(after - 1);
  return address <= range.last ? range.kind : 0;
}

void NetworkLists::Seal() {
  Normalize(&v4_);
  Normalize(&v6_);
  sealed_ = true;
}

uint8_t NetworkLists::Classify(const ingest::IpAddress& ip) const {
  assert(sealed_ && "NetworkLists::Seal() after adding");
  return ip.is_v4() ? Find(v4_, ip.v4()) : Find(v6_, ToInt128(ip.bytes()));
}

uint8_t NetworkLists::ClassifyAsn(uint32_t asn) const {
  auto it = asns_.find(asn);
  return it == asns_.end() ? 0 : it->second;
}

}  // namespace hydraguard::netinfo
