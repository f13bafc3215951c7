// Scenario: who is in the simulated traffic. A scenario is a time window and
// a list of groups; each group is an honest segment or a campaign, with its
// size, volume, capability mix, access network, timing and mechanics.
//
//   absl::StatusOr<Scenario> scenario = MakeScenario("mixed", /*scale=*/0.01);
//
// Scenarios: "alibaba-2026", "feb-2026", "mixed" (both campaigns' windows
// inside one honest population), "honest" (no campaign). docs/simulator.md
// explains every group and mechanic and the reported figures behind them.
#ifndef HYDRAGUARD_SIM_SCENARIO_H_
#define HYDRAGUARD_SIM_SCENARIO_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/prompts.h"

namespace hydraguard::sim {

enum class Access { kResidential, kMobile, kCloud, kVpn, kBusiness, kProxy };
enum class Timing { kHuman, kWorkHours, kAroundTheClock };
enum class Behavior {
  kCasual,          // chat users
  kDeveloper,       // coding, multi-turn, working hours
  kSaas,            // one org, few keys, cloud egress, one templated system prompt
  kEval,            // benchmark runs in bursts, chain-of-thought prompts
  kInstitution,     // many accounts behind one NAT, one e-mail domain
  kPopularPaster,   // pastes popular prompts verbatim
  kAgentFramework,  // identical tool definitions and system prompt across customers
  kCampaign,        // a distillation campaign
};

// Campaign mechanics; each can be switched off so tests can isolate it.
struct Mechanics {
  bool proxy = true;                     // requests leave through the proxy network
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
  bool campaign() const { return behavior == Behavior::kCampaign; }
};

struct Scenario {
  std::string name;
  double scale = 1;
  int64_t start_ms = 0, end_ms = 0;
  int64_t model_release_ms = 0;  // a new model appears (campaign pivot)
  std::vector<GroupSpec> groups;
};

// Builds a named scenario at `scale` (1 = the reported sizes).
absl::StatusOr<Scenario> MakeScenario(std::string_view name, double scale);
std::vector<std::string> ScenarioNames();

// Parses "name=on|off" switches onto every campaign's mechanics, e.g.
// "proxy=off". Names are the Mechanics fields.
absl::Status ApplyMechanicSwitch(std::string_view setting, Scenario* scenario);

}  // namespace hydraguard::sim

#endif  // HYDRAGUARD_SIM_SCENARIO_H_
