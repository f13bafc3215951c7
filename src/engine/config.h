// EngineConfig: every threshold of the detection engine and every signal's
// parameters, with defaults meant to be right for a provider who changes
// nothing. `hydraguard detect --config hydraguard.yaml` overrides any subset;
// `hydraguard detect --print-config` prints the full default file with
// comments (docs/detection.md explains each value).
//
//   absl::StatusOr<EngineConfig> config = LoadConfig("hydraguard.yaml");
//
// A YAML file may set any top-level threshold and, under `account_signals:`
// or `link_signals:`, per signal `enabled: false` or any of its parameters.
// Unknown keys, unknown signals and non-numeric values are errors naming the
// file, line and key (a typo must not silently keep a default).
#ifndef HYDRAGUARD_ENGINE_CONFIG_H_
#define HYDRAGUARD_ENGINE_CONFIG_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/signal.h"

namespace hydraguard::engine {

struct SignalOverride {
  bool enabled = true;
  SignalParams params;  // only the parameters the user set
};

struct EngineConfig {
  // An account whose own points reach this is *suspicious*: it may be joined
  // to others through keys they mostly share with suspicious accounts.
  double suspicious_points = 2.5;
  // A shared key is a hub when more of its holders are suspicious than
  // chance explains: under the log's own rate of suspicious accounts, as
  // many would be found on at most this many keys per million
  // (internal/link_rules.h, EvaluateHub).
  double hub_false_per_million = 1;
  // ...and when holding it multiplies the odds that an account is
  // suspicious at least this many times (HubOddsRatio).
  double hub_min_odds_ratio = 10;
  // A hub is strong when at least its signal's strong_share of holders are
  // not clearly honest, or when its clearly honest holders are so few that
  // the background they stand for brings at most this many suspicious
  // holders by chance (ChanceQualifiedPerHonest): a sign-up burst of 60
  // with one honest sign-up in the same hour is the campaign's burst.
  double hub_strong_chance_joins = 0.3;
  // A suspicious account is joined through hubs only if it is in hubs of at
  // least this many link-signal families (identity, network, content,
  // timing): one shared prompt frame or one busy proxy network alone is not
  // enough to call it part of a campaign. Strong hubs of signals with
  // `joins_alone` (a shared card, the operator's own e-mail domain or system
  // prompt: fingerprints that strangers do not share beyond chance) that
  // weigh hub_min_strong by themselves need no second family.
  double hub_min_families = 2;
  // Strong hubs: each link signal's `strong_share` parameter says from which
  // share of holders at member_points (not clearly honest) its hubs are
  // strong: 0 for a shared card or lockstep, 0.99 for a sign-up burst, an
  // e-mail domain or a campaign's own prompt text, never for network keys,
  // which honest people share with campaigns through residential proxies and
  // VPNs (and a hackathon with its venue). The strong hubs' `strong_weight`s,
  // once per family (its largest), must add up to hub_min_strong: a card, a
  // domain, lockstep or a campaign's own prompt text count 2; a sign-up burst
  // counts 1, because an honest sign-up in the same hour as a campaign's
  // burst is a coincidence that happens at scale.
  double hub_min_strong = 2;
  // 1: weak hubs (network keys, generic prompt frames) join accounts too;
  // 0: they only count as a family and only strong hubs join, so campaigns
  // that share a proxy network or a prompt frame stay apart.
  double weak_hubs_join = 0;
  // 1: an account joins its hubs when a member it is joined to by pair
  // evidence (a shared card) holds one of them too (JoinsHubs); 0: only
  // hub_min_families and hub_min_strong decide.
  double pair_corroborates_hub = 1;
  // Two suspicious accounts whose pair evidence (sum of rarity-weighted
  // shared keys) reaches this are joined; any two accounts at the strong
  // threshold are joined. Either way part of the evidence must be identity
  // (a shared card or a rare e-mail domain): network sharing alone never
  // joins a pair.
  double pair_points = 1.0;
  double strong_pair_points = 3.0;
  // An account below suspicious_points but at member_points joins a
  // suspicious account with identity pair evidence (a shared card, ...) of
  // member_pair_points; shared network alone never pulls it in.
  double member_points = 1.0;
  double member_pair_points = 1.5;
  // A cluster is reported as a campaign when it has this many accounts and
  // the median of its members' own points reaches `campaign_median_points`.
  double campaign_min_accounts = 5;
  double campaign_median_points = 2.0;
  // Flagged campaign members get `block` at suspicious_points, else
  // `challenge`. Accounts outside campaigns get `monitor` from this many
  // points, else `allow`.
  double monitor_points = 2.5;

  // Campaign indicators (replay, gateway): a key of a link signal with
  // `indicator: 1`, held by at least indicator_min_accounts accounts of which
  // at least indicator_min_share are flagged. A request from an account not
  // yet scored is refused when it carries indicators of at least
  // indicator_min_signals different signals (one alone, e.g. a prompt
  // template band, is also found in honest benchmark traffic).
  double indicator_min_accounts = 5;
  double indicator_min_share = 1.0;
  double indicator_min_signals = 2;

  // 0: ignore prompt and system text even when the events carry it (as if
  // the log were metadata-only; for privacy, or to measure that mode).
  double use_text = 1;
  // 1: analyse prompt and system text on opening turns only (turn 1, or no
  // turn field); 0: on every turn (several times slower on agentic logs).
  double text_opening_turns_only = 1;

  std::map<std::string, SignalOverride, std::less<>> account_signals;
  std::map<std::string, SignalOverride, std::less<>> link_signals;
};

// Reads a YAML config (see above). Missing values keep their defaults.
absl::StatusOr<EngineConfig> LoadConfig(const std::string& path);
absl::StatusOr<EngineConfig> ParseConfig(std::string_view yaml_text, std::string_view origin);

// The default configuration as a commented YAML document.
std::string DefaultConfigYaml();

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_CONFIG_H_
