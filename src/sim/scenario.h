// Scenario: who is in the simulated traffic. A scenario is a time window and
// a list of groups; each group is an honest segment or a campaign, with its
// size, volume, capability mix, access network, timing and mechanics.
//
//   absl::StatusOr<Scenario> scenario = MakeScenario("mixed", /*scale=*/0.01);
//
// Scenarios: "alibaba-2026", "feb-2026", "mixed" (both campaigns' windows
// inside one honest population), "honest" (no campaign), and "redteam": K
// campaigns each drawn along every axis of the attacker strategy space
// (strategy.h) inside the honest population plus a look-alike segment for
// every axis value. docs/simulator.md explains every group and mechanic and
// the reported figures behind them.
#ifndef HYDRAGUARD_SIM_SCENARIO_H_
#define HYDRAGUARD_SIM_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/prompts.h"
#include "sim/strategy.h"

namespace hydraguard::sim {

enum class Access {
  kResidential,
  kMobile,
  kCloud,
  kVpn,
  kBusiness,
  kProxy,
  kIpv6Privacy,  // a home /64; a new privacy address (RFC 8981) per request
};
enum class Timing { kHuman, kWorkHours, kAroundTheClock };
enum class Behavior {
  kCasual,          // chat users
  kDeveloper,       // coding, multi-turn, working hours
  kSaas,            // one org, few keys, cloud egress, one templated system prompt
  kEval,            // benchmark runs in bursts, chain-of-thought prompts
  kInstitution,     // many accounts behind one NAT, one e-mail domain
  kPopularPaster,   // pastes popular prompts verbatim
  kAgentFramework,  // identical tool definitions and system prompt across customers
  kCodingAgent,     // power users of one coding-agent CLI: same stack, tools, cap, system prompt
  kHackathon,       // fresh accounts behind a venue NAT, shared starter challenges, all night
  kBatch,           // one customer's templated extraction, 24/7
  kJudge,           // an LLM-as-judge company: rubric and pairwise prompts in batches
  kCampaign,        // a distillation campaign
};

// Campaign mechanics; each can be switched off so tests can isolate it.
struct Mechanics {
  // Where requests leave from; kSharedProxyPool is the reported campaigns'
  // commercial proxy network ("proxy=off" switches to kDatacenter).
  NetworkStrategy network = NetworkStrategy::kSharedProxyPool;
  double proxy_datacenter_share = 0.15;  // share of sessions on datacenter exits
  bool rotate_per_request = false;       // new exit every request (else every session)
  bool churn = true;                     // accounts live days, then new ones take over
  double lifetime_min_days = 4, lifetime_max_days = 20;
  bool signup_bursts = true;   // accounts created in batches shortly before use
  bool shared_payment = true;  // instruments shared by groups of accounts
  double accounts_per_payment = 12;
  bool templates = true;             // prompt templates with slot filling
  bool paraphrase = true;            // several wordings of each template
  bool chain_of_thought = true;      // chain-of-thought elicitation phrasings
  bool agentic_trajectories = true;  // multi-turn tool-use conversations
  bool spread_volume = true;         // human-like timing per account
  bool synchronized = false;         // accounts fire in lockstep waves
  double wave_minutes = 20;
  double pivot_share = 0;  // share of traffic moved to a new model at release
  bool ua_mimicry = true;  // SDK user agent over the campaign's own TLS stack
  // Red-team strategy axes (strategy.h); unset keeps the reported campaigns'
  // behaviour above.
  bool free_tier = false;  // no payment instrument at all
  std::optional<EmailStrategy> email;
  std::optional<VerificationStrategy> verification;
  bool trickle = false;   // without signup_bursts: each account created hours before its use
  double aged_share = 0;  // accounts bought with honest history; they switch at their start
  std::optional<ClientStrategy> client;
  std::optional<ContentStrategy> content;
  bool job_waves = false;  // jobs at random times fanned out to random accounts
  double job_gap_hours = 3;
  bool switch_on = false;  // every account starts within the same few hours
  double cover_share = 0;  // share of sessions that are honest-looking (reseller cover)
};

struct GroupSpec {
  std::string name;  // segment name, or campaign id
  Behavior behavior = Behavior::kCasual;
  Access access = Access::kResidential;
  double accounts = 0;          // at scale 1
  double requests_per_day = 1;  // honest: median per account per day
  double rate_sigma = 1.0;      // spread of per-account rates (log-normal)
  double exchanges = 0;         // campaigns: total at scale 1 (sets the rate)
  int64_t start_ms = 0, end_ms = 0;
  std::vector<std::pair<Capability, double>> mix;
  int min_turns = 1, max_turns = 1;
  Timing timing = Timing::kHuman;
  double accounts_per_org = 1;  // > 1: accounts share an org, NAT egress and e-mail domain
  int tools = 0;                // tool definitions sent with agentic requests
  double output_tokens_median = 400;
  Mechanics mechanics;  // campaigns only
  std::vector<std::string> billing_countries = {"US"};
  // Campaigns of the redteam scenario: the drawn strategy, written to the truth.
  std::vector<std::pair<std::string, std::string>> strategy;
  // Honest look-alike knobs (0 / -1: off).
  double free_tier_share = 0;      // accounts with no payment instrument
  double overnight_share = 0;      // accounts that also run around the clock (agents left running)
  double metadata_only_share = 0;  // accounts whose requests carry no text (zero data retention)
  double cot_share = 0;            // opening prompts ending in a chain-of-thought request
  int64_t fixed_max_tokens = 0;    // every account sends this cap
  int64_t client_upgrade_ms = 0;   // accounts move to a new SDK version from here (within days)
  uint32_t nat_addresses = 8;      // kBusiness: addresses in the org's egress range (8 = a /29)
  double signup_window_hours = 0;  // > 0: every account signs up within this long before start
  double cron_minutes = 0;         // > 0: sessions fire on these boundaries of the clock (all accounts alike)
  bool campaign() const { return behavior == Behavior::kCampaign; }
};

struct Scenario {
  std::string name;
  double scale = 1;
  int64_t start_ms = 0, end_ms = 0;
  int64_t model_release_ms = 0;  // a new model appears (campaign pivot)
  std::vector<GroupSpec> groups;
};

// Builds a named scenario at `scale` (1 = the reported sizes). `seed` and
// `campaigns` are used by "redteam" only (the strategies drawn, how many).
absl::StatusOr<Scenario> MakeScenario(std::string_view name, double scale, uint64_t seed = 1, int campaigns = 8);
std::vector<std::string> ScenarioNames();

// The honest population every scenario shares, active from start to end.
std::vector<GroupSpec> HonestSegments(int64_t start_ms, int64_t end_ms);
// The redteam scenario's honest population: HonestSegments (with free-tier
// accounts) plus a look-alike for every strategy axis value (university
// department, hackathon, coding-agent power users, ...). redteam.cc.
std::vector<GroupSpec> RedteamHonestSegments(int64_t start_ms, int64_t end_ms);
// `count` campaigns, each a strategy drawn from (seed, index), named rt00, rt01, ...
std::vector<GroupSpec> RedteamCampaigns(int64_t start_ms, int64_t end_ms, uint64_t seed, int count);
inline constexpr int kRedteamDays = 21;

// Parses "name=on|off" switches onto every campaign's mechanics, e.g.
// "proxy=off". Names are the Mechanics fields.
absl::Status ApplyMechanicSwitch(std::string_view setting, Scenario* scenario);

}  // namespace hydraguard::sim

#endif  // HYDRAGUARD_SIM_SCENARIO_H_
