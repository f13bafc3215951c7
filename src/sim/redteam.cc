// The redteam scenario: campaigns drawn from the strategy space (strategy.h)
// inside an honest population that holds a look-alike for every axis value.
#include <array>
#include <cmath>

#include "fmt/format.h"
#include "sim/scenario.h"
#include "sim/strategy.h"

namespace hydraguard::sim {
namespace {

constexpr int64_t kHourMs = 3600000;
constexpr int64_t kDayMs = 24 * kHourMs;
using Mix = std::vector<std::pair<Capability, double>>;

}  // namespace

std::vector<GroupSpec> RedteamHonestSegments(int64_t start, int64_t end) {
  std::vector<GroupSpec> segments = HonestSegments(start, end);
  // Free tiers: many people never add a card, so "no card" alone is no tell.
  for (GroupSpec& spec : segments) {
    if (spec.behavior == Behavior::kCasual || spec.behavior == Behavior::kPopularPaster) spec.free_tier_share = 0.5;
  }
  auto add = [&](GroupSpec spec) {
    if (spec.start_ms == 0) {
      spec.start_ms = start;
      spec.end_ms = end;
    }
    segments.push_back(std::move(spec));
  };
  // cards shared by a group, one e-mail domain, one /24, chain-of-thought
  // research questions (look-alike of large card groups, a shared domain,
  // reasoning coercion).
  GroupSpec university{
      .name = "university_dept",
      .behavior = Behavior::kInstitution,
      .access = Access::kBusiness,
      .accounts = 600,
      .requests_per_day = 5,
      .rate_sigma = 1.0,
      .mix = Mix{{Capability::kReasoning, 0.6}, {Capability::kCode, 0.25}, {Capability::kDataAnalysis, 0.15}},
      .min_turns = 1,
      .max_turns = 3,
      .timing = Timing::kWorkHours,
      .accounts_per_org = 60,
      .output_tokens_median = 1200};
  university.billing_countries = {"US", "GB", "DE"};
  university.cot_share = 0.8;
  university.nat_addresses = 256;
  add(university);
  // Hundreds of fresh accounts within two hours behind a few NAT addresses,
  // the same starter challenges, up all night (look-alike of sign-up bursts,
  // same-hours switch-on, shared prompts, accounts living hours).
  GroupSpec hackathon{.name = "hackathon",
                      .behavior = Behavior::kHackathon,
                      .access = Access::kBusiness,
                      .accounts = 400,
                      .requests_per_day = 40,
                      .rate_sigma = 0.8,
                      .start_ms = start + 9 * kDayMs + 17 * kHourMs,
                      .end_ms = start + 11 * kDayMs + 5 * kHourMs,
                      .mix = Mix{{Capability::kCode, 0.75}, {Capability::kAgentic, 0.25}},
                      .min_turns = 1,
                      .max_turns = 6,
                      .timing = Timing::kAroundTheClock,
                      .accounts_per_org = 400,
                      .tools = 6,
                      .output_tokens_median = 900};
  hackathon.billing_countries = {"US", "IN", "DE", "GB", "BR"};
  hackathon.free_tier_share = 0.7;
  hackathon.nat_addresses = 4;
  hackathon.signup_window_hours = 2;
  add(hackathon);
  // Power users of one coding agent: identical client stack, tool count,
  // max_tokens and system prompt, streamed, some agents left running all night
  // (look-alike of one client stack, templates, agentic content, high volume).
  GroupSpec coding_agent{.name = "coding_agent",
                         .behavior = Behavior::kCodingAgent,
                         .accounts = 1500,
                         .requests_per_day = 40,
                         .rate_sigma = 0.9,
                         .mix = Mix{{Capability::kAgentic, 0.6}, {Capability::kCode, 0.4}},
                         .min_turns = 3,
                         .max_turns = 30,
                         .timing = Timing::kWorkHours,
                         .tools = 17,
                         .output_tokens_median = 900};
  coding_agent.billing_countries = {"US", "DE", "GB", "IN", "FR", "CA", "JP"};
  coding_agent.fixed_max_tokens = 32000;
  coding_agent.overnight_share = 0.2;
  add(coding_agent);
  // An LLM-as-judge company: rubric and pairwise prompts in batches from the
  // cloud (look-alike of grading content, job waves, datacenter network).
  GroupSpec judge{.name = "judge_company",
                  .behavior = Behavior::kJudge,
                  .access = Access::kCloud,
                  .accounts = 10,
                  .requests_per_day = 1500,
                  .rate_sigma = 0.5,
                  .mix = Mix{{Capability::kRubric, 1.0}},
                  .timing = Timing::kAroundTheClock,
                  .accounts_per_org = 5,
                  .output_tokens_median = 400};
  add(judge);
  // One account extracting from documents 24/7 with one template (look-alike
  // of uniform timing, templates, high volume, whole-window life).
  GroupSpec batch{.name = "batch_customer",
                  .behavior = Behavior::kBatch,
                  .access = Access::kCloud,
                  .accounts = 4,
                  .requests_per_day = 4000,
                  .rate_sigma = 0.3,
                  .mix = Mix{{Capability::kDataAnalysis, 1.0}},
                  .timing = Timing::kAroundTheClock,
                  .output_tokens_median = 300};
  add(batch);
  // Home users on IPv6 whose privacy address changes per request inside
  // their /64 (look-alike of IPv6 rotation).
  GroupSpec ipv6 = segments.front();  // casual
  ipv6.name = "ipv6_privacy";
  ipv6.access = Access::kIpv6Privacy;
  ipv6.accounts = 8000;
  ipv6.requests_per_day = 1.5;
  ipv6.free_tier_share = 0.3;
  add(ipv6);
  // Developers moving to a new SDK release within days of each other
  // (look-alike of a client switched mid-campaign, change points).
  GroupSpec upgrade = segments[1];  // developer
  upgrade.name = "sdk_upgrade";
  upgrade.accounts = 2000;
  upgrade.client_upgrade_ms = start + 8 * kDayMs;
  add(upgrade);
  // Zero-data-retention business customers: no text is logged (look-alike
  // of metadata-only campaigns).
  GroupSpec zdr = segments[1];
  zdr.name = "zero_retention";
  zdr.accounts = 600;
  zdr.requests_per_day = 25;
  zdr.metadata_only_share = 1;
  add(zdr);
  // Scheduled jobs of unrelated customers that all fire on the hour
  // (look-alike of lockstep timing).
  GroupSpec cron{.name = "scheduled_jobs",
                 .behavior = Behavior::kSaas,
                 .access = Access::kCloud,
                 .accounts = 300,
                 .requests_per_day = 24,
                 .rate_sigma = 0.4,
                 .mix = Mix{{Capability::kChat, 0.5}, {Capability::kDataAnalysis, 0.5}},
                 .timing = Timing::kAroundTheClock,
                 .output_tokens_median = 300};
  cron.cron_minutes = 60;
  add(cron);
  return segments;
}

std::vector<GroupSpec> RedteamCampaigns(int64_t start, int64_t end, uint64_t seed, int count) {
  static constexpr std::array<const char*, 10> kCountries = {"US", "SG", "HK", "MY", "GB",
                                                             "AE", "JP", "DE", "IN", "NL"};
  std::vector<GroupSpec> campaigns;
  for (int index = 0; index < count; ++index) {
    Rng rng(Rng::Mix(seed, 0x7ed7ea0000ull + static_cast<uint64_t>(index)));
    Strategy strategy = DrawStrategy(rng);
    GroupSpec spec{.name = fmt::format("rt{:02}", index), .behavior = Behavior::kCampaign, .access = Access::kProxy};
    // Aged accounts need days of honest history in the log before they switch.
    spec.start_ms = start + static_cast<int64_t>(rng.Uniform(3, 8) * kDayMs);
    spec.end_ms = std::min(end, spec.start_ms + static_cast<int64_t>(rng.Uniform(8, 18) * kDayMs));
    spec.billing_countries.clear();
    for (int pick = 0; pick < 3; ++pick) spec.billing_countries.push_back(kCountries[rng.Below(kCountries.size())]);
    ApplyStrategy(strategy, &spec);
    campaigns.push_back(std::move(spec));
  }
  return campaigns;
}

}  // namespace hydraguard::sim
