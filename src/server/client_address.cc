#include "server/client_address.h"

#include "absl/strings/ascii.h"

namespace hydraguard::server {

bool InPrefix(const ingest::IpAddress& ip, const ingest::IpPrefix& prefix) {
  if (ip.is_v4() != prefix.address.is_v4()) return false;
  // IPv4 is stored IPv4-mapped: its prefix length counts from byte 12.
  int offset_bits = ip.is_v4() ? 96 : 0;
  int bits = offset_bits + prefix.length;
  const auto& a = ip.bytes();
  const auto& b = prefix.address.bytes();
  int full_bytes = bits / 8;
  for (int byte = 0; byte < full_bytes; ++byte) {
    if (a[byte] != b[byte]) return false;
  }
  int rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[full_bytes] & mask) == (b[full_bytes] & mask);
}

bool IsTrusted(const ingest::IpAddress& ip, std::span<const ingest::IpPrefix> trusted) {
  for (const ingest::IpPrefix& prefix : trusted) {
    if (InPrefix(ip, prefix)) return true;
  }
  return false;
}

ingest::IpAddress ClientIp(const ingest::IpAddress& peer, std::string_view forwarded_for,
                           std::span<const ingest::IpPrefix> trusted) {
  ingest::IpAddress client = peer;
  if (!IsTrusted(peer, trusted)) return client;
  // Right to left: each hop appended the address it received from.
  while (!forwarded_for.empty()) {
    size_t comma = forwarded_for.rfind(',');
    std::string_view entry = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    while (!entry.empty() && absl::ascii_isspace(static_cast<unsigned char>(entry.front()))) entry.remove_prefix(1);
    while (!entry.empty() && absl::ascii_isspace(static_cast<unsigned char>(entry.back()))) entry.remove_suffix(1);
    std::optional<ingest::IpAddress> hop = ingest::IpAddress::Parse(entry);
    if (!hop) break;
    client = *hop;
    if (!IsTrusted(client, trusted)) break;
  }
  return client;
}

}  // namespace hydraguard::server
