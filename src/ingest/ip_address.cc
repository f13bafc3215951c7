#include "ingest/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace hydraguard::ingest {
namespace {
constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr size_t kMaxAddressText = INET6_ADDRSTRLEN;
}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  // inet_pton reads a C string: an embedded NUL would cut the text short.
  if (text.empty() || text.size() >= kMaxAddressText || text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  char buffer[kMaxAddressText];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    std::memcpy(ip.bytes_.data(), kV4MappedPrefix, sizeof kV4MappedPrefix);
    if (inet_pton(AF_INET, buffer, ip.bytes_.data() + 12) != 1) return std::nullopt;
    return ip;
  }
  if (inet_pton(AF_INET6, buffer, ip.bytes_.data()) != 1) return std::nullopt;
  return ip;
}

std::optional<IpPrefix> IpAddress::ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  std::optional<IpAddress> address = Parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  int max_length = address->is_v4() ? 32 : 128;
  if (slash == std::string_view::npos) return IpPrefix{*address, max_length};
  std::string_view digits = text.substr(slash + 1);
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  int length = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    length = length * 10 + (c - '0');
  }
  if (length > max_length) return std::nullopt;
  return IpPrefix{*address, length};
}

IpAddress IpAddress::FromV4(uint32_t host_order) {
  IpAddress ip;
  std::memcpy(ip.bytes_.data(), kV4MappedPrefix, sizeof kV4MappedPrefix);
  ip.bytes_[12] = static_cast<uint8_t>(host_order >> 24);
  ip.bytes_[13] = static_cast<uint8_t>(host_order >> 16);
  ip.bytes_[14] = static_cast<uint8_t>(host_order >> 8);
  ip.bytes_[15] = static_cast<uint8_t>(host_order);
  return ip;
}

bool IpAddress::is_v4() const { return std::memcmp(bytes_.data(), kV4MappedPrefix, sizeof kV4MappedPrefix) == 0; }

uint32_t IpAddress::v4() const {
  return (uint32_t{bytes_[12]} << 24) | (uint32_t{bytes_[13]} << 16) | (uint32_t{bytes_[14]} << 8) | bytes_[15];
}

uint64_t IpAddress::PrefixKey() const {
  if (is_v4()) return (uint64_t{1} << 62) | (v4() >> 8);
  uint64_t key = 0;
  for (int index = 0; index < 6; ++index) key = (key << 8) | bytes_[index];
  return (uint64_t{2} << 62) | key;
}

std::string IpAddress::ToString() const {
  char buffer[kMaxAddressText];
  if (is_v4()) {
    inet_ntop(AF_INET, bytes_.data() + 12, buffer, sizeof buffer);
  } else {
    inet_ntop(AF_INET6, bytes_.data(), buffer, sizeof buffer);
  }
  return buffer;
}

std::string IpAddress::PrefixString() const {
  IpAddress network = *this;
  if (is_v4()) {
    network.bytes_[15] = 0;
  } else {
    std::memset(network.bytes_.data() + 6, 0, 10);
  }
  return network.ToString() + (is_v4() ? "/24" : "/48");
}

}  // namespace hydraguard::ingest
