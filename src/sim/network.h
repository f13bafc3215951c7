// Network: where simulated requests come from. IP pools with their ASN and
// country, for each kind of access network the scenarios need:
//
//   residential  home broadband, one IP per household (IPv4, or an IPv6 /56)
//   mobile       carrier CGNAT: a few hundred public IPv4s for many
//                subscribers; IPv6 subscribers get their own prefix
//   cloud        hosting/datacenter ranges (SaaS backends, eval harnesses)
//   vpn          commercial VPN exits shared by their users
//   business     NAT egress of a university or company (one /29 for all)
//   proxy        a commercial proxy network: residential-looking exits plus
//                datacenter exits, shared by all of that service's customers
//
// With --netlists DIR the cloud and VPN pools come from the lists there
// (CIDR and ASN files as in ../shared/data/netlists); without, from a small
// built-in set of real cloud/VPN ranges, so the simulator runs anywhere.
//
// Thread-safety: immutable after Build(); Draw() takes the caller's Rng.
#ifndef HYDRAGUARD_SIM_NETWORK_H_
#define HYDRAGUARD_SIM_NETWORK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/random.h"

namespace hydraguard::sim {

struct Endpoint {
  std::string ip;
  uint32_t asn = 0;
  std::string country;  // ISO 3166-1 alpha-2
};

// A contiguous IPv4 range owned by one ASN in one country.
struct AddressBlock {
  uint32_t first = 0;  // host order
  uint32_t size = 1;
  uint32_t asn = 0;
  std::string country;
  std::string v6_prefix;  // the operator's IPv6 /32 ("2601:1c0"), "" if none
};

class AddressPool {
 public:
  AddressPool() = default;
  explicit AddressPool(std::vector<AddressBlock> blocks) : blocks_(std::move(blocks)) {}
  bool empty() const { return blocks_.empty(); }
  size_t block_count() const { return blocks_.size(); }
  // A random address from a random block.
  Endpoint Draw(Rng& rng) const;
  // A random IPv6 customer address (a /56 of an operator /32) from a block
  // whose operator has IPv6; nullopt if none has.
  std::optional<Endpoint> DrawV6(Rng& rng) const;
  // The index-th address of block `block` (stable: the same inputs, the same IP).
  Endpoint At(size_t block, uint64_t index) const;
  // A new pool of `count` blocks of `size` addresses drawn from this pool's
  // blocks (e.g. a proxy network's exits, a carrier's CGNAT range).
  AddressPool Carve(Rng& rng, size_t count, uint32_t size) const;

 private:
  std::vector<AddressBlock> blocks_;
};

struct Network {
  AddressPool residential;
  AddressPool mobile;
  AddressPool cloud;
  AddressPool vpn;
  AddressPool business;
  AddressPool proxy_residential;  // the proxy service's residential exits
  AddressPool proxy_datacenter;   // and its datacenter exits
};

// Builds the network. `netlists_dir` may be empty (built-in ranges).
absl::StatusOr<Network> BuildNetwork(const std::string& netlists_dir, uint64_t seed);

// Formats a host-order IPv4 address.
std::string FormatIpv4(uint32_t address);

}  // namespace hydraguard::sim

#endif  // HYDRAGUARD_SIM_NETWORK_H_
