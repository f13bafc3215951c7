// Strategy: one point in the red-team attacker space. A campaign of the
// `redteam` scenario is drawn independently along every axis (identity,
// network, client, content, timing, volume and life, cover); the strategy is
// written into the truth file so quality can be reported per axis value
// (QUALITY.md), and applied to the campaign's GroupSpec so the simulator
// produces it.
//
//   Rng rng(Rng::Mix(seed, campaign_index));
//   Strategy strategy = DrawStrategy(rng);
//   ApplyStrategy(strategy, &campaign_spec);
//   for (const auto& [axis, value] : StrategyAxes(strategy)) ...  // "network" -> "residential_per_request"
//
// docs/simulator.md describes every value and the honest look-alike that
// shares it.
#ifndef HYDRAGUARD_SIM_STRATEGY_H_
#define HYDRAGUARD_SIM_STRATEGY_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/random.h"

namespace hydraguard::sim {

struct GroupSpec;

enum class CardStrategy { kLargeGroups, kSmallGroups, kOnePerAccount, kNone };
enum class EmailStrategy { kWebmail, kThrowawayDomains, kSharedDomain };
enum class VerificationStrategy { kEmail, kPhone, kMixed };
enum class AgeStrategy { kSignupBursts, kTrickle, kAged, kMix };
enum class NetworkStrategy {
  kDatacenter,             // the campaign's own hosting ranges
  kVpn,                    // commercial VPN exits (honest VPN users share them)
  kResidentialPerRequest,  // a residential proxy exit per request
  kStaticIsp,              // one static ISP-proxy address per account
  kSharedProxyPool,        // a rotating proxy pool honest customers also use
  kIpv6Rotating,           // addresses rotating inside a few /48s
  kMixture,                // each account one of the above
};
enum class ClientStrategy { kOneStack, kHonestMix, kSwitched };
enum class ContentStrategy {
  kTemplate,           // one system prompt plus wrapper templates
  kParaphrased,        // wrapper words and order varied per request
  kRawTasks,           // dataset tasks, no wrapper, no system prompt
  kAgentic,            // multi-turn tool-use sessions with tool results
  kGrading,            // rubric and pairwise-preference (reward-model) prompts
  kReasoningCoercion,  // hidden-reasoning coercion in many phrasings
  kNoText,             // metadata only
};
enum class TimingStrategy { kLockstep, kJobWaves, kUniform, kDiurnal, kSameHoursSwitchOn };
enum class LifeStrategy { kHours, kDays, kWholeWindow };

struct Strategy {
  CardStrategy cards = CardStrategy::kLargeGroups;
  EmailStrategy email = EmailStrategy::kWebmail;
  VerificationStrategy verification = VerificationStrategy::kMixed;
  AgeStrategy age = AgeStrategy::kSignupBursts;
  NetworkStrategy network = NetworkStrategy::kSharedProxyPool;
  ClientStrategy client = ClientStrategy::kOneStack;
  ContentStrategy content = ContentStrategy::kTemplate;
  TimingStrategy timing = TimingStrategy::kDiurnal;
  LifeStrategy life = LifeStrategy::kDays;
  double requests_per_day = 26;  // per account per active day, 3..300
  double cover_share = 0;        // share of honest-looking requests, 0..0.6
  double accounts = 1000;        // at scale 1
  // Details drawn with the axes.
  double accounts_per_card = 12;  // kLargeGroups 8..60, kSmallGroups 2..4
  double wave_minutes = 20;       // kLockstep: 10..60
  double job_gap_hours = 3;       // kJobWaves: mean gap between jobs, 0.5..6
  int tools = 8;                  // tool definitions with tool-use requests
  double output_tokens_median = 1500;
};

// Every axis drawn independently and uniformly over its values; volume
// log-uniform in [3, 300] requests per account-day; cover 0 for a third of
// campaigns, else uniform in (0, 0.6].
Strategy DrawStrategy(Rng& rng);

// (axis, value) pairs in a fixed order, the values as written in the truth
// file. Volume and cover are bucketed (volume: low < 15 <= medium < 60 <=
// high; cover: none, light <= 0.3 < heavy).
std::vector<std::pair<std::string, std::string>> StrategyAxes(const Strategy& strategy);

// Every axis with every value it can take, in the order StrategyAxes writes them.
std::vector<std::pair<std::string, std::vector<std::string>>> StrategySpace();

// Sets the campaign's mechanics, mix, turns, tools and rate from the strategy.
// REQUIRES: spec is a campaign whose start_ms/end_ms are set.
void ApplyStrategy(const Strategy& strategy, GroupSpec* spec);

}  // namespace hydraguard::sim

#endif  // HYDRAGUARD_SIM_STRATEGY_H_
