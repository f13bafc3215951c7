// Link signals from the network: IP address, /24 or /48 prefix, ASN and the
// client stack (TLS fingerprint with user agent). Weighted by rarity: an IP
// shared by three accounts means much, a CGNAT address or a popular SDK
// shared by thousands means little unless nearly all of them are suspicious.
//
// A prefix or AS whose holders are all campaign-like (no clearly honest
// holder beyond what chance brings: strong_share 1) is a strong hub, but it
// weighs 1 (strong_weight): honest customers of a proxy pool, or a developer
// behind a campaign's residential /24, share network keys with a campaign, so
// a network hub joins an account only together with a strong hub of another
// family (a sign-up burst, a card, a template). Its holders are not joined to
// each other through it (unites 0): the account joins the holders of its
// other strong hubs, so two operators who rent one proxy pool's ranges stay
// two campaigns (in `mixed`, every campaign shared pool ranges with another,
// and they became one). Network keys are one family:
// their weights do not add up (Engine::StrongWeight). A single address is
// never strong: in `mixed` at scale 1, 20 of 1,495 honest proxy customers
// (suspicious on their own) signed up in a campaign's burst hour and used an
// exit the campaign held all of, and were joined; a whole /24 or AS held
// only by campaign accounts is a campaign's own range, which customers of a
// shared pool rarely are all alone in (0 of 137,890 honest accounts).
#include <string>

#include "engine/signal.h"
#include "fmt/format.h"

namespace hydraguard::signals {
namespace {

using engine::KeySink;
using engine::SignalInfo;
using engine::SignalParams;
using ingest::Event;
using ingest::Field;

// The host: an IPv4 address, or an IPv6 /64 (RFC 4291 interface ids: a
// client's privacy addresses, RFC 8981, change inside its /64 as often as
// every request, so the address itself would make one home look like many).
// IPv6 keys are the /64's upper 64 bits, which for global unicast space are
// far above any interned IPv4 id.
class IpLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {"ip",
            "client host: IPv4 address, or IPv6 /64",
            {},
            {{"pair_cap", 16}, {"capacity", 16}, {"min_count", 2}},
            engine::Family::kNetwork};
  }
  explicit IpLink(const SignalParams&) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (!event.ip.is_v4()) {
      uint64_t host = 0;
      for (int index = 0; index < 8; ++index) host = (host << 8) | event.ip.bytes()[index];
      if (host > kMaxIpId) {
        sink.Add(host);
        return;
      }
    }
    if (event.ip_id != ingest::kNoId) sink.Add(event.ip_id);
  }
  std::string Describe(uint64_t key, const ingest::Interners& names) const override {
    if (key > kMaxIpId) {
      return fmt::format("{:x}:{:x}:{:x}:{:x}::/64", key >> 48, (key >> 32) & 0xFFFF, (key >> 16) & 0xFFFF,
                         key & 0xFFFF);
    }
    return names.ips.Address(static_cast<ingest::Id>(key)).ToString();
  }

 private:
  static constexpr uint64_t kMaxIpId = 0xFFFFFFFFull;
};
HG_REGISTER_LINK_SIGNAL(IpLink);

class IpPrefixLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {"ip_prefix",
            "client /24 (IPv4) or /48 (IPv6) prefix",
            {},
            {{"weight", 0.7},
             {"pair_cap", 8},
             {"capacity", 16},
             {"min_count", 2},
             {"strong_share", 1},
             {"strong_weight", 1},
             {"unites", 0}},
            engine::Family::kNetwork};
  }
  explicit IpPrefixLink(const SignalParams&) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (event.ip_prefix_id != ingest::kNoId) sink.Add(event.ip_prefix_id);
  }
  std::string Describe(uint64_t key, const ingest::Interners& names) const override {
    return names.ips.PrefixExample(static_cast<ingest::Id>(key)).PrefixString();
  }
};
HG_REGISTER_LINK_SIGNAL(IpPrefixLink);

class AsnLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {"asn",
            "autonomous system of the client IP",
            {Field::kAsn},
            {{"weight", 0.3}, {"strong_share", 1}, {"strong_weight", 1}, {"unites", 0}},
            engine::Family::kNetwork};
  }
  explicit AsnLink(const SignalParams&) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (event.has(Field::kAsn)) sink.Add(event.asn);
  }
  std::string Describe(uint64_t key, const ingest::Interners&) const override { return fmt::format("AS{}", key); }
};
HG_REGISTER_LINK_SIGNAL(AsnLink);

// The TLS fingerprint together with the user agent: a harness that claims
// one SDK over another stack's TLS shows a combination honest clients rarely
// have.
class ClientStackLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {"client_stack",
            "TLS fingerprint with user agent",
            {Field::kTls, Field::kUa},
            {{"weight", 0.3}, {"capacity", 4}, {"indicator", 1}},
            engine::Family::kNetwork};
  }
  explicit ClientStackLink(const SignalParams&) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (event.tls == ingest::kNoId && event.ua == ingest::kNoId) return;
    sink.Add((static_cast<uint64_t>(event.tls) << 32) | event.ua);
  }
  std::string Describe(uint64_t key, const ingest::Interners& names) const override {
    auto tls = static_cast<ingest::Id>(key >> 32), ua = static_cast<ingest::Id>(key);
    return fmt::format("tls={} ua={}", tls == ingest::kNoId ? "-" : names.tls.Name(tls),
                       ua == ingest::kNoId ? "-" : names.ua.Name(ua));
  }
};
HG_REGISTER_LINK_SIGNAL(ClientStackLink);

}  // namespace
}  // namespace hydraguard::signals
