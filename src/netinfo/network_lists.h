// NetworkLists: which IP addresses and autonomous systems belong to hosting
// providers (datacenters) and commercial VPNs, from reputation lists given by
// path. Real deployments load their own feeds in the same form; tests use
// ../shared/data/netlists. The detector uses it for its infrastructure signals
// ("what share of this cluster's traffic comes from datacenters or VPNs").
//
//   absl::StatusOr<NetworkLists> lists = NetworkLists::LoadDirectory("../shared/data/netlists");
//   uint8_t kinds = lists->Classify(ip) | lists->ClassifyAsn(asn);
//   if (kinds & kDatacenter) ...
//
// File format: one entry a line, '#' starts a comment. CIDR files hold IPv4 or
// IPv6 prefixes ("1.12.0.0/14", "2001:310::/32"); ASN files hold "AS1234".
// A malformed line is an error naming FILE:LINE: lists are configuration, and
// silently dropping part of one would hide whole networks.
//
// Thread-safety: immutable after loading; lookups may run concurrently.
#ifndef HYDRAGUARD_NETINFO_NETWORK_LISTS_H_
#define HYDRAGUARD_NETINFO_NETWORK_LISTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ingest/ip_address.h"

namespace hydraguard::netinfo {

// Bit flags: an address can be both (VPN providers rent datacenter space).
inline constexpr uint8_t kDatacenter = 1;
inline constexpr uint8_t kVpn = 2;

// Calls `handle` for every entry of a list file: lines with '#' comments and
// surrounding whitespace removed, blank ones skipped. Stops at the first error,
// returned as "PATH:LINE: <handle's message>"; NotFound if the file is missing.
absl::Status ForEachListEntry(const std::string& path, absl::FunctionRef<absl::Status(std::string_view)> handle);

class NetworkLists {
 public:
  // Loads DIR/datacenter-ipv4.txt, datacenter-ipv6.txt, datacenter-asn.txt,
  // vpn-ipv4.txt, vpn-ipv6.txt and vpn-asn.txt. Each must exist.
  static absl::StatusOr<NetworkLists> LoadDirectory(const std::string& dir);

  // Adds every prefix (or ASN) of a file under `kind`.
  absl::Status AddCidrFile(const std::string& path, uint8_t kind);
  absl::Status AddAsnFile(const std::string& path, uint8_t kind);
  // Adds one prefix; InvalidArgument if it is not a valid CIDR. Host bits are
  // cleared ("10.1.2.3/8" is 10.0.0.0/8).
  absl::Status AddCidr(std::string_view cidr, uint8_t kind);
  void AddAsn(uint32_t asn, uint8_t kind) { asns_[asn] |= kind; }

  // Builds the lookup tables. REQUIRES: called after the last Add* before
  // any Classify (LoadDirectory and the *File methods call it).
  void Seal();

  // The kinds of the ranges containing `ip` (0: none). REQUIRES: sealed.
  uint8_t Classify(const ingest::IpAddress& ip) const;
  uint8_t ClassifyAsn(uint32_t asn) const;

  size_t prefix_count() const { return v4_.size() + v6_.size(); }
  size_t asn_count() const { return asns_.size(); }

 private:
  template <typename Address>
  struct Range {
    Address first, last;  // inclusive
    uint8_t kind;
  };
  // Overlapping ranges become disjoint segments whose kind is the OR of all
  // ranges covering them, so a lookup is one binary search.
  template <typename Address>
  static void Normalize(std::vector<Range<Address>>* ranges);
  template <typename Address>
  static uint8_t Find(const std::vector<Range<Address>>& ranges, Address address);

  std::vector<Range<uint32_t>> v4_;
  std::vector<Range<unsigned __int128>> v6_;
  bool sealed_ = true;
  absl::flat_hash_map<uint32_t, uint8_t> asns_;
};

}  // namespace hydraguard::netinfo

#endif  // HYDRAGUARD_NETINFO_NETWORK_LISTS_H_
