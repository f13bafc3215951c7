// Which address a request comes from. The socket's peer, unless the peer is
// a configured trusted proxy (a load balancer, nginx): then the rightmost
// address of X-Forwarded-For that is not itself a trusted proxy. A client
// cannot spoof its address by sending X-Forwarded-For directly, because the
// header is read only from trusted peers.
//
//   ingest::IpAddress ip = ClientIp(peer, request["X-Forwarded-For"], config.trusted_proxies);
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_SERVER_CLIENT_ADDRESS_H_
#define HYDRAGUARD_SERVER_CLIENT_ADDRESS_H_

#include <span>
#include <string_view>

#include "ingest/ip_address.h"

namespace hydraguard::server {

bool InPrefix(const ingest::IpAddress& ip, const ingest::IpPrefix& prefix);
bool IsTrusted(const ingest::IpAddress& ip, std::span<const ingest::IpPrefix> trusted);

// `forwarded_for`: the X-Forwarded-For value(s), comma-separated, maybe
// empty. Malformed entries end the walk (the last good address is used).
ingest::IpAddress ClientIp(const ingest::IpAddress& peer, std::string_view forwarded_for,
                           std::span<const ingest::IpPrefix> trusted);

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_CLIENT_ADDRESS_H_
