// Detection signals are plug-ins. There are two kinds:
//
//  * AccountSignal: reads one account's own features (account_features.h)
//    and returns points for or against it with a human-readable reason.
//    The sum of an account's points is its own score.
//  * LinkSignal: reads each event and emits keys (a payment fingerprint, an
//    IP prefix, a prompt-template band, ...). Accounts that share a key are
//    linked; how much a shared key counts depends on how many accounts share
//    it (rarity) and on who they are (see engine.h).
//
// Adding a signal touches no core code: write signals/foo.cc with a class and
// one registration line, e.g.
//
//   HG_REGISTER_ACCOUNT_SIGNAL(YoungAccountSignal);
//
// The class must have a constructor taking `const SignalParams&` and a static
// `SignalInfo Info()` that gives its name, what it reads and its default
// parameters (which hydraguard.yaml may override, see config.h).
//
// Thread-safety: signals are immutable after construction; Score() and
// Keys() may be called from several threads at once.
#ifndef HYDRAGUARD_ENGINE_SIGNAL_H_
#define HYDRAGUARD_ENGINE_SIGNAL_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/account_features.h"
#include "ingest/event.h"
#include "ingest/interner.h"

namespace hydraguard::engine {

// Named numeric parameters of a signal, e.g. {"weight": 1.0, "max_days": 7}.
using SignalParams = std::map<std::string, double, std::less<>>;

// What a link signal's keys are about. Hub links need agreement between
// families (see EngineConfig::hub_min_families): a proxy network or a popular
// prompt frame alone never makes an account part of a campaign.
enum class Family { kNone, kIdentity, kNetwork, kContent, kTiming, kBehavior };
inline constexpr size_t kFamilyCount = static_cast<size_t>(Family::kBehavior) + 1;  // the last one + 1

struct SignalInfo {
  std::string name;                   // registered name, used in config and reasons
  std::string description;            // one line, for docs and --print-config
  std::vector<ingest::Field> inputs;  // optional fields it needs; unusable if none was ever present
  SignalParams defaults;              // every parameter it accepts, with its default
  Family family = Family::kNone;      // link signals only
  bool needs_netlists = false;        // unusable without --netlists
  // Link signals only: its keys come from the whole log rather than from
  // each event. The engine finds co-active groups (engine/internal/
  // coactivity.h) with the signal's parameters window_minutes, min_windows
  // and expected_false_pairs; its Keys() emits nothing.
  bool coactivity = false;
};

// Points with a reason, e.g. {1.0, "signed up 3 h before first use"}.
struct Evidence {
  double points = 0;
  std::string reason;
};

class AccountSignal {
 public:
  virtual ~AccountSignal() = default;
  // nullopt: nothing to say about this account (e.g. no prompt text).
  virtual std::optional<Evidence> Score(const AccountFeatures& features) const = 0;
};

// Up to kMaxKeysPerEvent keys from one event.
inline constexpr int kMaxKeysPerEvent = 8;
struct KeySink {
  uint64_t keys[kMaxKeysPerEvent];
  int size = 0;
  void Add(uint64_t key) {
    if (size < kMaxKeysPerEvent) keys[size++] = key;
  }
};

// How the engine treats a link signal's keys. Every field is a parameter of
// every link signal (same name; the signal's own defaults override these),
// which hydraguard.yaml may override.
struct LinkPolicy {
  double weight = 1;           // evidence of one shared key held by two accounts
  double pair_cap = 0;         // keys held by more accounts than this link no pairs (0: never)
  double rarity = 1;           // 1: pair weight falls with the number of holders; 0: flat
  double hub = 1;              // 1: a key held mostly by suspicious accounts joins them all
  double strong_share = 2;     // a hub is strong when this share of its holders are at least
                               // members (not clearly honest); > 1: never
  double strong_weight = 2;    // what one strong hub of this signal counts toward
                               // EngineConfig::hub_min_strong (a family counts its
                               // largest, once)
  double members_qualify = 0;  // 1: members (not only suspicious accounts) count toward its
                               // hubs, and may join through them (lockstep)
  double unites = 1;           // 1: the holders of its joining hubs are joined to each other;
                               // 0: its strong hubs only count toward an account's joining
                               // (a proxy range that several operators rent from one pool
                               // says an account is in a campaign, not in which)
  double joins_alone = 0;      // 1: its strong hubs may join an account that has no hub of
                               // another family (an operator's fingerprint no stranger shares
                               // by chance: a card, its own domain or system prompt); 0:
                               // another family must agree
  double capacity = 8;         // keys kept per account (heaviest first)
  double min_share = 0;        // a key counts for an account only if this share of the
                               // account's events (with keys from the signal) carried it
  double min_events = 0;       // ...and only for accounts with this many such events
  double min_count = 0;        // ...and only if it was on at least this many of them (a key
                               // seen once is often noise, and would change at every request)
  double indicator = 0;        // 1: a key held only by flagged accounts (EngineConfig::
                               // indicator_min_*) refuses requests from accounts not yet
                               // scored (replay, gateway); for keys one request carries
};

class LinkSignal {
 public:
  virtual ~LinkSignal() = default;
  virtual void Keys(const ingest::Event& event, KeySink& sink) const = 0;
  // The key as shown in evidence, e.g. "pm_3f9a" or "203.0.113.0/24".
  virtual std::string Describe(uint64_t key, const ingest::Interners& interners) const = 0;
};

template <typename Signal>
struct SignalFactory {
  SignalInfo info;
  std::function<std::unique_ptr<Signal>(const SignalParams&)> make;
};

// The registry of one kind of signal, in name order.
template <typename Signal>
std::map<std::string, SignalFactory<Signal>, std::less<>>& Registry() {
  static auto* registry = new std::map<std::string, SignalFactory<Signal>, std::less<>>();
  return *registry;
}

// Adds the LinkPolicy fields a link signal's defaults do not set.
void AddLinkPolicyDefaults(SignalParams* params);

// The LinkPolicy a link signal's parameters (defaults filled in by
// AddLinkPolicyDefaults, overrides applied) describe.
LinkPolicy LinkPolicyFrom(const SignalParams& params);

template <typename Signal, typename Impl>
struct Registration {
  Registration() {
    SignalInfo info = Impl::Info();
    if constexpr (std::is_same_v<Signal, LinkSignal>) AddLinkPolicyDefaults(&info.defaults);
    std::string name = info.name;
    Registry<Signal>().emplace(
        name, SignalFactory<Signal>{std::move(info), [](const SignalParams& params) -> std::unique_ptr<Signal> {
                                      return std::make_unique<Impl>(params);
                                    }});
  }
};

#define HG_SIGNAL_CONCAT_INNER(a, b) a##b
#define HG_SIGNAL_CONCAT(a, b) HG_SIGNAL_CONCAT_INNER(a, b)
#define HG_REGISTER_ACCOUNT_SIGNAL(Impl)                                                                       \
  static const ::hydraguard::engine::Registration<::hydraguard::engine::AccountSignal, Impl> HG_SIGNAL_CONCAT( \
      hg_registration_, __LINE__)
#define HG_REGISTER_LINK_SIGNAL(Impl)                                                                       \
  static const ::hydraguard::engine::Registration<::hydraguard::engine::LinkSignal, Impl> HG_SIGNAL_CONCAT( \
      hg_registration_, __LINE__)

// Reads a parameter known to be in `params` (the registry fills in defaults).
double Param(const SignalParams& params, std::string_view name);

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_SIGNAL_H_
