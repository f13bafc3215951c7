// The linkage, campaign and verdict rules of Engine::Detect() (engine.h,
// steps 2-5), as small functions, so that batch detection (engine.cc) and
// incremental rescoring (rescorer.cc) decide exactly alike: each rule lives
// here and nowhere else.
#ifndef HYDRAGUARD_ENGINE_INTERNAL_LINK_RULES_H_
#define HYDRAGUARD_ENGINE_INTERNAL_LINK_RULES_H_

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/config.h"
#include "engine/internal/tails.h"
#include "engine/key_counter.h"
#include "engine/signal.h"
#include "engine/verdict.h"

namespace hydraguard::engine::internal {

// Pair evidence is summed in fixed point (millionths), so that a total does
// not depend on the order its parts were added or taken away in.
struct PairEvidence {
  int64_t total = 0;
  int64_t identity = 0;  // from identity keys (payment, sign-up, e-mail domain)
};

inline int64_t EvidenceUnits(double points) { return std::llround(points * 1e6); }

// What one key held by `holders` accounts adds to each pair of them: full
// weight for two holders, falling with the log of the count; 0 above pair_cap.
inline int64_t PairWeight(const LinkPolicy& policy, size_t holders) {
  if (holders < 2 || static_cast<double>(holders) > policy.pair_cap) return 0;
  double weight = policy.rarity > 0 ? policy.weight * std::log1p(policy.pair_cap / static_cast<double>(holders)) /
                                          std::log1p(policy.pair_cap / 2)
                                    : policy.weight;
  return EvidenceUnits(weight);
}

// Network sharing alone never joins a pair: proxy exits are shared with
// honest customers. Identity evidence (a card, a rare domain) must be part of it.
inline bool PairJoined(const PairEvidence& evidence, bool suspicious_a, bool suspicious_b, bool member_a, bool member_b,
                       const EngineConfig& config) {
  if (evidence.identity <= 0) return false;
  return evidence.total >= EvidenceUnits(config.strong_pair_points) ||
         (evidence.total >= EvidenceUnits(config.pair_points) && suspicious_a && suspicious_b) ||
         (evidence.identity >= EvidenceUnits(config.member_pair_points) && (suspicious_a || suspicious_b) && member_a &&
          member_b);
}

// Whether a joined pair's evidence is identity strong enough for one account
// to vouch for the other's hubs (JoinEvidence::corroborated): a card, not a
// small e-mail domain (a team from one company at a hackathon shares that
// and the venue's sign-up hour).
inline bool PairCorroborates(const PairEvidence& evidence, const EngineConfig& config) {
  return evidence.identity >= EvidenceUnits(config.member_pair_points);
}

// Whether a holder counts toward making a key a hub. Lockstep is
// coordination no honest account shows by chance, so its keys
// (policy.members_qualify) need only members (not suspicious accounts)
// behind them.
inline bool QualifiesForHub(const LinkPolicy& policy, bool suspicious, bool member) {
  return policy.members_qualify > 0 ? member : suspicious;
}

// What QualifiesForHub() counts, in words for reasons.
inline const char* QualifiedName(const LinkPolicy& policy) {
  return policy.members_qualify > 0 ? "members" : "suspicious";
}

// The null rate that goes with QualifiesForHub(): the member rate for keys
// members qualify for, the suspicious rate for every other key.
inline double NullRateFor(const LinkPolicy& policy, double suspicious_rate, double member_rate) {
  return policy.members_qualify > 0 ? member_rate : suspicious_rate;
}

// How many suspicious (qualifying) holders chance brings per clearly honest
// holder of a key: a key's clearly honest holders are background, and the
// background qualifies at the log's ratio of qualifying accounts to clearly
// honest ones. `member_rate` is rounded up (HubNullRate), so this errs high.
inline double ChanceQualifiedPerHonest(double null_rate, double member_rate) {
  return member_rate >= 1 ? std::numeric_limits<double>::infinity() : null_rate / (1 - member_rate);
}

struct HubStatus {
  bool hub = false;     // more qualified holders than chance explains
  bool strong = false;  // ...and almost none of them clearly honest
  bool unites = true;   // policy.unites: it may join its holders to each other
  bool operator==(const HubStatus&) const = default;
};

// The null model of a hub: the chance that an account of this log qualifies
// (QualifiesForHub) whatever keys it holds, i.e. the share of active accounts
// that qualify. Rounded up to the next 1/8 octave, so that it moves in steps
// (the Rescorer re-judges every key when it does) and errs toward fewer hubs.
inline double HubNullRate(size_t qualified_accounts, size_t active_accounts) {
  if (qualified_accounts == 0 || active_accounts == 0) return 0;
  double rate = static_cast<double>(qualified_accounts) / static_cast<double>(active_accounts);
  return std::min(1.0, std::exp2(std::ceil(8 * std::log2(rate)) / 8));
}

// How much holding a key multiplies the odds that an account qualifies: the
// odds among its holders (one unqualified holder added, so that a key held
// only by qualified accounts stays finite) over the odds in the whole log.
inline double HubOddsRatio(size_t holders, size_t qualified, double null_rate) {
  if (null_rate <= 0) return 0;
  double odds_in_key = static_cast<double>(qualified) / static_cast<double>(holders - qualified + 1);
  return null_rate >= 1 ? 0 : odds_in_key * (1 - null_rate) / null_rate;
}

// A key is a hub when (1) so many of its holders qualify that chance (each
// holder qualifying independently at `null_rate`) would give as many on at
// most config.hub_false_per_million keys in a million, and (2) holding it
// multiplies the odds that an account qualifies at least
// config.hub_min_odds_ratio times (a webmail domain or an SDK that a large
// campaign also uses passes (1) but not (2): for any one holder it is weak
// evidence). No minimum number of holders and no fixed share.
// `qualified`: holders for which QualifiesForHub(); `honest`: holders below
// member_points. A hub is strong when at least policy.strong_share of its
// holders are not clearly honest, or (policy.strong_share <= 1) when its
// honest holders bring at most config.hub_strong_chance_joins qualifying ones
// by chance, at `chance_per_honest` (ChanceQualifiedPerHonest) each.
inline HubStatus EvaluateHub(const LinkPolicy& policy, size_t holders, size_t qualified, size_t honest,
                             double null_rate, double chance_per_honest, const EngineConfig& config) {
  HubStatus status;
  if (policy.hub <= 0 || holders < 2 || qualified < 2) return status;
  double log10_p = BinomialUpperTailLog10(static_cast<uint32_t>(qualified), static_cast<uint32_t>(holders), null_rate);
  if (config.hub_false_per_million <= 0 || log10_p > std::log10(config.hub_false_per_million * 1e-6)) return status;
  if (HubOddsRatio(holders, qualified, null_rate) < config.hub_min_odds_ratio) return status;
  status.hub = true;
  status.unites = policy.unites > 0;
  status.strong =
      static_cast<double>(holders - honest) >= policy.strong_share * static_cast<double>(holders) ||
      (policy.strong_share <= 1 && static_cast<double>(honest) * chance_per_honest <= config.hub_strong_chance_joins);
  return status;
}

// Whether the holders of this hub are joined to each other (those that
// JoinsHubs()).
inline bool HubJoins(const HubStatus& status, const EngineConfig& config) {
  return status.hub && status.unites && (status.strong || config.weak_hubs_join > 0);
}

// What an account brings toward joining its hubs (all zero unless it is a
// member).
struct JoinEvidence {
  uint32_t hub_families = 0;  // bit per Family of the hubs it holds
  bool member_hub = false;    // one of them is a hub of a members_qualify signal
  double strong_weight = 0;   // sum of strong_weight over the signals of its strong hubs
  double alone_weight = 0;    // the same over those of them with joins_alone
  // A member it is joined to by pair evidence (PairJoined) with
  // PairCorroborates() holds one of its joining hubs (HubJoins) too.
  bool corroborated = false;
};

// Whether an account joins the other holders of its joining hubs: its strong
// hubs weigh hub_min_strong, and hubs of hub_min_families families agree, or
// its strong hubs of joins_alone signals weigh hub_min_strong by themselves.
// Suspicious accounts may join; members only through a hub of a
// members_qualify signal (lockstep). A tie by pair evidence (a card shared
// with a suspicious account) does not count toward the weight: an honest
// household whose suspicious member signed up in the same hour as a
// campaign's burst would be joined to the campaign (mixed, scale 1). What
// does count is a pair partner holding the same hub (`corroborated`): two
// accounts that share a card and also the same sign-up burst (or client
// profile, or prompt) are two coincidences on one pair of accounts, which
// strangers do not show; the household's other member signed up years ago.
inline bool JoinsHubs(bool suspicious, bool member, const JoinEvidence& evidence, const EngineConfig& config) {
  bool eligible = suspicious || (member && evidence.member_hub);
  if (!eligible) return false;
  if (evidence.corroborated && config.pair_corroborates_hub > 0) return true;
  if (evidence.strong_weight < config.hub_min_strong) return false;
  return std::popcount(evidence.hub_families) >= config.hub_min_families ||
         evidence.alone_weight >= config.hub_min_strong;
}

// Whether two ascending lists share a value.
inline bool SortedIntersect(const std::vector<uint32_t>& left, const std::vector<uint32_t>& right) {
  auto a = left.begin(), b = right.begin();
  while (a != left.end() && b != right.end()) {
    if (*a == *b) return true;
    if (*a < *b) {
      ++a;
    } else {
      ++b;
    }
  }
  return false;
}

// Whether a kept key counts as held by its account (min_events, min_share).
inline bool Holds(const KeyCounter& counter, const KeyCount& entry, const LinkPolicy& policy) {
  if (counter.events(entry.signal) < policy.min_events) return false;
  uint32_t guaranteed = entry.count - entry.error;
  if (guaranteed < policy.min_count) return false;
  return policy.min_share <= 0 || (guaranteed >= 2 && guaranteed >= policy.min_share * counter.events(entry.signal));
}

// Every (signal, key) an account holds, the one definition for
// Engine::CollectHoldings() and the Rescorer: its kept keys that pass Holds()
// for the signals the input allows (`usable`, by signal), then its co-active
// group's key (`coactive_key`, null when it is in no group) under
// `coactivity_signal` (-1: no such signal). `policy_of(signal)` returns the
// signal's LinkPolicy; `visit(signal, key)` is called once per key.
template <typename PolicyOf, typename Visit>
void ForEachHeldKey(const KeyCounter& counter, const std::vector<bool>& usable, PolicyOf policy_of,
                    int coactivity_signal, const uint64_t* coactive_key, Visit visit) {
  for (const KeyCount& entry : counter.entries()) {
    if (!usable[entry.signal] || !Holds(counter, entry, policy_of(entry.signal))) continue;
    visit(entry.signal, entry.key);
  }
  if (coactivity_signal >= 0 && coactive_key != nullptr && usable[coactivity_signal]) {
    visit(static_cast<uint16_t>(coactivity_signal), *coactive_key);
  }
}

// A key that refuses requests from accounts not yet scored.
inline bool IsIndicator(const LinkPolicy& policy, size_t holders, size_t flagged, const EngineConfig& config) {
  return policy.indicator > 0 && holders > 0 && static_cast<double>(holders) >= config.indicator_min_accounts &&
         static_cast<double>(flagged) >= config.indicator_min_share * static_cast<double>(holders);
}

// A cluster is a campaign when it has enough accounts and its members look
// like harvesters on their own (the median of their own points).
inline bool IsCampaign(size_t accounts, double median_points, const EngineConfig& config) {
  return static_cast<double>(accounts) >= config.campaign_min_accounts &&
         median_points >= config.campaign_median_points;
}

// A campaign member is blocked when suspicious on its own, else challenged;
// any other account is monitored or allowed by its own points.
inline Action AccountAction(bool in_campaign, bool suspicious, double points, const EngineConfig& config) {
  if (in_campaign) return suspicious ? Action::kBlock : Action::kChallenge;
  return points >= config.monitor_points ? Action::kMonitor : Action::kAllow;
}

}  // namespace hydraguard::engine::internal

#endif  // HYDRAGUARD_ENGINE_INTERNAL_LINK_RULES_H_
