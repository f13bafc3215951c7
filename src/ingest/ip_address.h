// IpAddress: an IPv4 or IPv6 address in binary, with its network prefix.
//
// IPv4 is kept as an IPv4-mapped IPv6 address (::ffff:a.b.c.d), so one type
// and one hash serve both families; "::ffff:1.2.3.4" and "1.2.3.4" are the
// same address. The prefix that groups addresses of one site or customer is
// /24 for IPv4 and /48 for IPv6.
//
//   std::optional<IpAddress> ip = IpAddress::Parse("2001:db8::1");
//   uint64_t prefix = ip->PrefixKey();   // same for all of 2001:db8:0::/48
//   std::string text = ip->PrefixString();  // "2001:db8::/48"
#ifndef HYDRAGUARD_INGEST_IP_ADDRESS_H_
#define HYDRAGUARD_INGEST_IP_ADDRESS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hydraguard::ingest {

struct IpPrefix;

class IpAddress {
 public:
  IpAddress() = default;

  // Parses dotted-quad IPv4 or RFC 4291 IPv6 text (no zone ids, no brackets,
  // no port). Returns nullopt for anything else.
  static std::optional<IpAddress> Parse(std::string_view text);
  static IpAddress FromV4(uint32_t host_order);
  // Parses "ADDRESS/LENGTH" (IPv4 length 0..32, IPv6 0..128); a bare address
  // is a host route (/32 or /128). Host bits are kept as written.
  static std::optional<IpPrefix> ParseCidr(std::string_view text);

  bool is_v4() const;
  // REQUIRES: is_v4(). The address in host byte order.
  uint32_t v4() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  // A key equal for all addresses in the same /24 (IPv4) or /48 (IPv6), and
  // different across families. Never 0.
  uint64_t PrefixKey() const;
  int prefix_length() const { return is_v4() ? 24 : 48; }

  std::string ToString() const;      // "1.2.3.4", "2001:db8::1"
  std::string PrefixString() const;  // "1.2.3.0/24", "2001:db8::/48"

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& ip) {
    return H::combine_contiguous(std::move(h), ip.bytes_.data(), ip.bytes_.size());
  }

 private:
  std::array<uint8_t, 16> bytes_{};
};

struct IpPrefix {
  IpAddress address;
  int length = 0;  // in bits of the address's own family
};

}  // namespace hydraguard::ingest

#endif  // HYDRAGUARD_INGEST_IP_ADDRESS_H_
