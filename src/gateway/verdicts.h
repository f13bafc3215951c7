// Verdicts: what the detection engine (or an operator) has decided about
// accounts, campaigns and the infrastructure they use, applied by the gateway
// to every request.
//
// An entry is (kind, value) → action, e.g. ("account", "a17") → block,
// ("ip_prefix", "203.0.113.0/24") → throttle, ("prompt_template",
// "template:3f9a...") → from campaign c2. Kinds:
//   account, campaign                       who
//   payment, email_domain, client_stack,    indicators the engine lists per
//   system_prompt, prompt_template          campaign (campaigns.json)
//   ip, ip_prefix, asn                      infrastructure values ("AS64500"; "64500" accepted)
//
// Sources, merged into one immutable VerdictSet:
//   - the engine's verdicts.jsonl (accounts, with their campaign) and
//     campaigns.json (indicators: each listed value points at its campaign);
//   - a Redis hash (field "kind:value", value {"action":..,"campaign":..,"reason":..});
//   - the admin API (same JSON).
//
// How a request is judged (Evaluate): an account an operator set to `allow`
// is allowed whatever else matches (an honest customer caught by a popular
// template and a shared card can be vouched for); otherwise the strongest of
//   - its account's verdict, and its campaign's (an account's campaign comes
//     from the key table or from its verdict);
//   - every entry with an explicit action that the request matches;
//   - engine indicators (no action of their own): when the request carries
//     values of at least `indicator_min_signals` different indicator kinds,
//     `indicator_action`; one kind: `weak_indicator_action`. One popular
//     prompt template alone must not refuse an honest customer.
//
//   VerdictSet set = VerdictSet::FromEngineFiles("verdicts.jsonl", "campaigns.json").value();
//   Judgement judgement = set.Evaluate(facts, rules);
//
// Thread-safety: VerdictSet is immutable; VerdictStore is safe for
// concurrent use (readers take a snapshot, writers swap it).
#ifndef HYDRAGUARD_GATEWAY_VERDICTS_H_
#define HYDRAGUARD_GATEWAY_VERDICTS_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/verdict.h"

namespace hydraguard::gateway {

// "account", "campaign", "payment", ...; false for anything else.
bool IsVerdictKind(std::string_view kind);
// Kinds the engine lists as campaign indicators.
bool IsIndicatorKind(std::string_view kind);
// The one spelling of `value` that requests are matched on, or
// InvalidArgument naming what is wrong: an entry that can never match is
// refused, never stored. asn: "AS64500" ("64500", "as64500" accepted); ip:
// an IPv4 or IPv6 address, written canonically (no leading zeros); ip_prefix:
// the network of an IPv4 /24 or IPv6 /48, the prefixes requests are keyed on
// (no host bits). Other kinds: any non-empty value, as given.
absl::StatusOr<std::string> CanonicalVerdictValue(std::string_view kind, std::string_view value);

struct VerdictEntry {
  std::optional<engine::Action> action;  // nullopt: an engine indicator (see Evaluate)
  std::string campaign;
  std::string reason;

  // {"action":"block","campaign":"c1","reason":"..."}; action may be absent
  // only for indicator kinds.
  std::string ToJson() const;
  static absl::StatusOr<VerdictEntry> FromJson(std::string_view json, std::string_view kind);
};

// What one request carries, as (kind, value) pairs to look up.
struct RequestFacts {
  std::string account;
  std::string campaign;                                          // from the key table, if known
  std::vector<std::pair<std::string_view, std::string>> values;  // e.g. {"ip_prefix", "203.0.113.0/24"}
};

struct VerdictRules {
  int indicator_min_signals = 2;
  engine::Action indicator_action = engine::Action::kChallenge;
  engine::Action weak_indicator_action = engine::Action::kMonitor;
};

struct Judgement {
  engine::Action action = engine::Action::kAllow;
  std::string campaign;  // the campaign the strongest match points at, if any
  std::string reason;    // e.g. "account", "campaign c1", "indicators payment+prompt_template", "ip_prefix"
  std::string source;    // metrics label: "none", "account", "campaign", "indicator", "infrastructure", "template"
};

class VerdictSet {
 public:
  // Either path may be empty (not loaded).
  static absl::StatusOr<VerdictSet> FromEngineFiles(const std::string& verdicts_path,
                                                    const std::string& campaigns_path);
  static absl::StatusOr<VerdictSet> FromHashEntries(const std::vector<std::pair<std::string, std::string>>& entries,
                                                    std::string_view origin);

  // Adds or replaces one entry. InvalidArgument for an unknown kind.
  absl::Status Set(std::string_view kind, std::string_view value, VerdictEntry entry);
  bool Remove(std::string_view kind, std::string_view value);
  // Entries of `other` replace this set's.
  void Merge(const VerdictSet& other);

  const VerdictEntry* Find(std::string_view kind, std::string_view value) const;
  Judgement Evaluate(const RequestFacts& facts, const VerdictRules& rules) const;

  size_t size() const { return entries_.size(); }
  // Every entry as (kind, value, entry), sorted.
  std::vector<std::tuple<std::string, std::string, const VerdictEntry*>> List() const;

 private:
  // Key: kind + '\x1f' + value.
  absl::flat_hash_map<std::string, VerdictEntry> entries_;
};

// The gateway's current verdicts: a base (files or Redis, replaced by each
// refresh) with the admin API's changes on top.
class VerdictStore {
 public:
  std::shared_ptr<const VerdictSet> Snapshot() const;
  // `drop_overrides`: the base is the shared source of truth (a Redis hash
  // that admin writes go to), so local admin changes are now part of it.
  void ReplaceBase(VerdictSet base, bool drop_overrides = false);
  absl::Status SetOverride(std::string_view kind, std::string_view value, VerdictEntry entry);
  bool RemoveOverride(std::string_view kind, std::string_view value);

 private:
  void Rebuild();  // REQUIRES: mutex_ held

  mutable std::mutex mutex_;
  VerdictSet base_, overrides_;
  std::vector<std::pair<std::string, std::string>> removed_;  // admin removals of base entries
  std::shared_ptr<const VerdictSet> snapshot_ = std::make_shared<VerdictSet>();
};

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_VERDICTS_H_
