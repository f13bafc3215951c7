// The linkage, campaign and verdict rules of Engine::Detect() (engine.h,
// steps 2-5), as small functions, so that batch detection (engine.cc) and
// incremental rescoring (rescorer.cc) decide exactly alike: each rule lives
// here and nowhere else.
#ifndef HYDRAGUARD_ENGINE_INTERNAL_LINK_RULES_H_
#define HYDRAGUARD_ENGINE_INTERNAL_LINK_RULES_H_

#include <bit>
#include <cmath>
#include <cstdint>

#include "engine/config.h"
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

// Whether a holder counts toward making a key a hub. Lockstep is
// coordination no honest account shows by chance, so a timing key needs only
// members (not suspicious accounts) behind it.
inline bool QualifiesForHub(Family family, bool suspicious, bool member) {
  return family == Family::kTiming ? member : suspicious;
}

struct HubStatus {
  bool hub = false;     // held mostly by suspicious accounts
  bool strong = false;  // ...and almost none of them clearly honest
  bool operator==(const HubStatus&) const = default;
};

// `qualified`: holders for which QualifiesForHub(); `honest`: holders below
// member_points.
inline HubStatus EvaluateHub(const LinkPolicy& policy, size_t holders, size_t qualified, size_t honest,
                             const EngineConfig& config) {
  HubStatus status;
  if (policy.hub <= 0 || static_cast<double>(holders) < config.hub_min_accounts) return status;
  if (static_cast<double>(qualified) < config.hub_min_accounts ||
      static_cast<double>(qualified) < config.hub_min_suspicious_share * static_cast<double>(holders)) {
    return status;
  }
  status.hub = true;
  status.strong = static_cast<double>(holders - honest) >= policy.strong_share * static_cast<double>(holders);
  return status;
}

// Whether the holders of this hub are joined to each other.
inline bool HubJoins(const HubStatus& status, const EngineConfig& config) {
  return status.hub && (status.strong || config.weak_hubs_join > 0);
}

// Whether an account joins the other holders of its joining hubs.
// `hub_families`: bit per Family of the hubs it holds (0 unless a member);
// `strong_weight`: sum of strong_weight over the signals of its strong hubs.
inline bool JoinsHubs(bool suspicious, bool member, uint32_t hub_families, double strong_weight,
                      const EngineConfig& config) {
  bool eligible = suspicious || (member && (hub_families & (1u << static_cast<int>(Family::kTiming))));
  return eligible && strong_weight >= config.hub_min_strong && std::popcount(hub_families) >= config.hub_min_families;
}

// Whether a kept key counts as held by its account (min_events, min_share).
inline bool Holds(const KeyCounter& counter, const KeyCount& entry, const LinkPolicy& policy) {
  if (counter.events(entry.signal) < policy.min_events) return false;
  uint32_t guaranteed = entry.count - entry.error;
  if (guaranteed < policy.min_count) return false;
  return policy.min_share <= 0 || (guaranteed >= 2 && guaranteed >= policy.min_share * counter.events(entry.signal));
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
