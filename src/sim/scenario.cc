#include "sim/scenario.h"

#include <cmath>

#include "fmt/format.h"
#include "ingest/timestamp.h"

namespace hydraguard::sim {
namespace {

constexpr int64_t kDayMs = 86400000;

int64_t Date(int year, unsigned month, unsigned day) { return ingest::DaysFromCivil(year, month, day) * kDayMs; }

using Mix = std::vector<std::pair<Capability, double>>;

}  // namespace

// The honest population. Per-day volumes (medians, with log-normal tails)
// give ~275,000 requests a day at scale 1.
std::vector<GroupSpec> HonestSegments(int64_t start, int64_t end) {
  std::vector<GroupSpec> segments;
  auto add = [&](GroupSpec spec) {
    spec.start_ms = start;
    spec.end_ms = end;
    segments.push_back(std::move(spec));
  };
  GroupSpec casual{.name = "casual",
                   .behavior = Behavior::kCasual,
                   .accounts = 100000,
                   .requests_per_day = 0.4,
                   .rate_sigma = 1.2,
                   .mix = Mix{{Capability::kChat, 0.7},
                              {Capability::kCreative, 0.2},
                              {Capability::kReasoning, 0.05},
                              {Capability::kCode, 0.05}},
                   .min_turns = 1,
                   .max_turns = 4,
                   .output_tokens_median = 350};
  casual.billing_countries = {"US", "US", "GB", "DE", "IN", "BR", "JP", "FR", "KR", "AU"};
  add(casual);
  GroupSpec developer{.name = "developer",
                      .behavior = Behavior::kDeveloper,
                      .accounts = 8000,
                      .requests_per_day = 6,
                      .rate_sigma = 1.0,
                      .mix = Mix{{Capability::kCode, 0.65},
                                 {Capability::kAgentic, 0.1},
                                 {Capability::kChat, 0.1},
                                 {Capability::kDataAnalysis, 0.1},
                                 {Capability::kComputerUse, 0.05}},
                      .min_turns = 1,
                      .max_turns = 8,
                      .timing = Timing::kWorkHours,
                      .tools = 4,
                      .output_tokens_median = 700};
  developer.billing_countries = {"US", "US", "DE", "IN", "GB", "CN", "BR", "CA"};
  add(developer);
  GroupSpec saas{.name = "saas",
                 .behavior = Behavior::kSaas,
                 .access = Access::kCloud,
                 .accounts = 30,
                 .requests_per_day = 800,
                 .rate_sigma = 0.6,
                 .mix = Mix{{Capability::kChat, 1.0}},
                 .timing = Timing::kAroundTheClock,
                 .accounts_per_org = 3,
                 .output_tokens_median = 250};
  add(saas);
  GroupSpec eval{.name = "eval",
                 .behavior = Behavior::kEval,
                 .access = Access::kCloud,
                 .accounts = 20,
                 .requests_per_day = 1000,
                 .rate_sigma = 0.5,
                 .mix = Mix{{Capability::kReasoning, 0.5}, {Capability::kCode, 0.35}, {Capability::kRubric, 0.15}},
                 .timing = Timing::kAroundTheClock,
                 .output_tokens_median = 900};
  add(eval);
  GroupSpec institution{.name = "institution",
                        .behavior = Behavior::kInstitution,
                        .access = Access::kBusiness,
                        .accounts = 1500,
                        .requests_per_day = 2,
                        .rate_sigma = 1.0,
                        .mix = Mix{{Capability::kCode, 0.4},
                                   {Capability::kChat, 0.3},
                                   {Capability::kReasoning, 0.15},
                                   {Capability::kDataAnalysis, 0.15}},
                        .min_turns = 1,
                        .max_turns = 5,
                        .timing = Timing::kWorkHours,
                        .accounts_per_org = 50,
                        .output_tokens_median = 500};
  institution.billing_countries = {"US", "GB", "DE"};
  add(institution);
  GroupSpec mobile = casual;
  mobile.name = "mobile";
  mobile.access = Access::kMobile;
  mobile.accounts = 15000;
  add(mobile);
  GroupSpec vpn = casual;
  vpn.name = "vpn";
  vpn.access = Access::kVpn;
  vpn.accounts = 4000;
  vpn.requests_per_day = 0.5;
  vpn.mix = Mix{{Capability::kChat, 0.6}, {Capability::kCode, 0.3}, {Capability::kCreative, 0.1}};
  add(vpn);
  GroupSpec popular = casual;
  popular.name = "popular_paster";
  popular.behavior = Behavior::kPopularPaster;
  popular.accounts = 8000;
  popular.requests_per_day = 0.3;
  add(popular);
  GroupSpec agents{.name = "agent_framework",
                   .behavior = Behavior::kAgentFramework,
                   .accounts = 2000,
                   .requests_per_day = 8,
                   .rate_sigma = 1.0,
                   .mix = Mix{{Capability::kAgentic, 0.7}, {Capability::kCode, 0.2}, {Capability::kComputerUse, 0.1}},
                   .min_turns = 3,
                   .max_turns = 15,
                   .tools = 14,
                   .output_tokens_median = 600};
  agents.billing_countries = {"US", "DE", "GB", "IN", "FR", "CA"};
  add(agents);
  GroupSpec proxy_customers = casual;
  proxy_customers.name = "proxy_customer";
  proxy_customers.access = Access::kProxy;
  proxy_customers.accounts = 1500;
  proxy_customers.requests_per_day = 1;
  proxy_customers.mix = Mix{{Capability::kChat, 0.5}, {Capability::kCode, 0.3}, {Capability::kDataAnalysis, 0.2}};
  add(proxy_customers);
  return segments;
}

namespace {

GroupSpec Campaign(std::string id, int64_t start, int days, double accounts, double exchanges, Mix mix) {
  GroupSpec spec{.name = std::move(id),
                 .behavior = Behavior::kCampaign,
                 .access = Access::kProxy,
                 .accounts = accounts,
                 .rate_sigma = 0.35,
                 .exchanges = exchanges,
                 .start_ms = start,
                 .end_ms = start + days * kDayMs,
                 .mix = std::move(mix),
                 .min_turns = 1,
                 .max_turns = 3,
                 .timing = Timing::kHuman,
                 .output_tokens_median = 2000};
  return spec;
}

// Alibaba/Qwen-linked, 2026: ~25,000 accounts, ~28.8 M exchanges, 22 April to
// 5 June (44 days); software engineering, agentic reasoning, long-horizon tasks.
GroupSpec Alibaba() {
  GroupSpec spec = Campaign("alibaba-2026", Date(2026, 4, 22), 44, 25000, 28.8e6,
                            Mix{{Capability::kCode, 0.45},
                                {Capability::kAgentic, 0.35},
                                {Capability::kReasoning, 0.1},
                                {Capability::kDataAnalysis, 0.05},
                                {Capability::kChat, 0.05}});
  spec.tools = 9;
  spec.max_turns = 30;                    // long-horizon agentic trajectories
  spec.mechanics.lifetime_min_days = 20;  // ~26-36 requests per account-day, as reported
  spec.mechanics.lifetime_max_days = 44;
  spec.billing_countries = {"SG", "US", "HK", "MY", "GB"};
  return spec;
}

// Early 2026, three campaigns over ~24,000 accounts.
std::vector<GroupSpec> February(int64_t start) {
  GroupSpec deepseek =
      Campaign("deepseek-2026", start, 42, 1200, 150e3,
               Mix{{Capability::kReasoning, 0.5}, {Capability::kRubric, 0.35}, {Capability::kCode, 0.15}});
  deepseek.mechanics.synchronized = true;        // synchronized accounts
  deepseek.mechanics.accounts_per_payment = 60;  // shared payment methods
  deepseek.mechanics.lifetime_min_days = 10;
  deepseek.mechanics.lifetime_max_days = 30;
  deepseek.output_tokens_median = 1500;
  deepseek.billing_countries = {"HK", "SG", "US"};
  GroupSpec moonshot = Campaign("moonshot-2026", start, 42, 6800, 3.4e6,
                                Mix{{Capability::kAgentic, 0.35},
                                    {Capability::kCode, 0.25},
                                    {Capability::kDataAnalysis, 0.2},
                                    {Capability::kComputerUse, 0.15},
                                    {Capability::kReasoning, 0.05}});
  moonshot.tools = 12;
  moonshot.max_turns = 20;
  moonshot.mechanics.lifetime_min_days = 8;
  moonshot.mechanics.lifetime_max_days = 25;
  moonshot.billing_countries = {"US", "SG", "JP"};
  GroupSpec minimax =
      Campaign("minimax-2026", start, 42, 16000, 13e6, Mix{{Capability::kCode, 0.5}, {Capability::kAgentic, 0.5}});
  minimax.tools = 16;
  minimax.max_turns = 25;
  minimax.mechanics.lifetime_min_days = 15;
  minimax.mechanics.lifetime_max_days = 42;
  minimax.mechanics.pivot_share = 0.5;  // half its traffic to the new model within 24 h
  minimax.billing_countries = {"SG", "US", "AE"};
  return {deepseek, moonshot, minimax};
}

}  // namespace

std::vector<std::string> ScenarioNames() { return {"alibaba-2026", "feb-2026", "mixed", "honest", "redteam"}; }

absl::StatusOr<Scenario> MakeScenario(std::string_view name, double scale, uint64_t seed, int campaigns) {
  if (!(scale > 0) || scale > 10) return absl::InvalidArgumentError(fmt::format("scale {} is not in (0, 10]", scale));
  if (campaigns < 0 || campaigns > 1000) {
    return absl::InvalidArgumentError(fmt::format("campaigns {} is not in [0, 1000]", campaigns));
  }
  Scenario scenario;
  scenario.name = std::string(name);
  scenario.scale = scale;
  int64_t feb_start = Date(2026, 2, 2);
  int64_t release = Date(2026, 2, 23);  // a new model, three weeks into February's campaigns
  if (name == "alibaba-2026") {
    scenario.start_ms = Date(2026, 4, 22);
    scenario.end_ms = scenario.start_ms + 44 * kDayMs;
    scenario.groups = HonestSegments(scenario.start_ms, scenario.end_ms);
    scenario.groups.push_back(Alibaba());
  } else if (name == "feb-2026") {
    scenario.start_ms = feb_start;
    scenario.end_ms = feb_start + 42 * kDayMs;
    scenario.groups = HonestSegments(scenario.start_ms, scenario.end_ms);
    for (GroupSpec& spec : February(feb_start)) scenario.groups.push_back(std::move(spec));
  } else if (name == "mixed") {
    scenario.start_ms = feb_start;
    scenario.end_ms = Date(2026, 4, 22) + 44 * kDayMs;
    scenario.groups = HonestSegments(scenario.start_ms, scenario.end_ms);
    for (GroupSpec& spec : February(feb_start)) scenario.groups.push_back(std::move(spec));
    scenario.groups.push_back(Alibaba());
  } else if (name == "honest") {
    scenario.start_ms = Date(2026, 4, 22);
    scenario.end_ms = scenario.start_ms + 14 * kDayMs;
    scenario.groups = HonestSegments(scenario.start_ms, scenario.end_ms);
  } else if (name == "redteam") {
    scenario.start_ms = Date(2026, 6, 1);
    scenario.end_ms = scenario.start_ms + kRedteamDays * kDayMs;
    scenario.groups = RedteamHonestSegments(scenario.start_ms, scenario.end_ms);
    for (GroupSpec& spec : RedteamCampaigns(scenario.start_ms, scenario.end_ms, seed, campaigns)) {
      scenario.groups.push_back(std::move(spec));
    }
    scenario.model_release_ms = scenario.end_ms;  // no release inside the window
    return scenario;
  } else {
    return absl::InvalidArgumentError(
        fmt::format("unknown scenario \"{}\": expected alibaba-2026, feb-2026, mixed, honest or redteam", name));
  }
  scenario.model_release_ms = release;
  return scenario;
}

absl::Status ApplyMechanicSwitch(std::string_view setting, Scenario* scenario) {
  size_t equals = setting.find('=');
  if (equals == std::string_view::npos) {
    return absl::InvalidArgumentError(fmt::format("mechanic \"{}\": expected NAME=on|off", setting));
  }
  std::string_view name = setting.substr(0, equals), value = setting.substr(equals + 1);
  if (value != "on" && value != "off") {
    return absl::InvalidArgumentError(fmt::format("mechanic \"{}\": value must be on or off", setting));
  }
  bool on = value == "on";
  for (GroupSpec& group : scenario->groups) {
    if (!group.campaign()) continue;
    Mechanics& m = group.mechanics;
    if (name == "proxy")
      m.network = on ? NetworkStrategy::kSharedProxyPool : NetworkStrategy::kDatacenter;
    else if (name == "rotate_per_request")
      m.rotate_per_request = on;
    else if (name == "churn")
      m.churn = on;
    else if (name == "signup_bursts")
      m.signup_bursts = on;
    else if (name == "shared_payment")
      m.shared_payment = on;
    else if (name == "templates")
      m.templates = on;
    else if (name == "paraphrase")
      m.paraphrase = on;
    else if (name == "chain_of_thought")
      m.chain_of_thought = on;
    else if (name == "agentic_trajectories")
      m.agentic_trajectories = on;
    else if (name == "spread_volume")
      m.spread_volume = on;
    else if (name == "synchronized")
      m.synchronized = on;
    else if (name == "pivot")
      m.pivot_share = on ? (m.pivot_share > 0 ? m.pivot_share : 0.5) : 0;
    else if (name == "ua_mimicry")
      m.ua_mimicry = on;
    else
      return absl::InvalidArgumentError(fmt::format("unknown mechanic \"{}\"", name));
  }
  return absl::OkStatus();
}

}  // namespace hydraguard::sim
