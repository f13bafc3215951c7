#include "sim/simulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "eval/evaluation.h"
#include "ingest/event_reader.h"
#include "ingest/timestamp.h"
#include "testing/test_files.h"

namespace hydraguard::sim {
namespace {

using ::testing::HasSubstr;

// Values seen per field, by label, to check that no ordinary field gives the
// label away on its own.
using FieldValues = std::map<std::string, std::map<std::string, std::set<std::string>>>;  // field -> label -> values

struct AccountStats {
  std::string label, group;
  uint64_t events = 0;
  int64_t first = INT64_MAX, last = INT64_MIN;
  std::set<uint32_t> ipv4s;  // IPv4 source addresses (CGNAT and NAT sharing is an IPv4 matter)
  uint64_t turn1 = 0, turn1_templated = 0;
};

// One simulated log, read back through the ingest reader, per account.
struct Readback {
  SimulationSummary summary;
  std::map<std::string, AccountStats> accounts;                              // by account name
  std::map<std::string, std::vector<int64_t>> times;                         // by group
  std::map<std::string, std::pair<uint64_t, uint64_t>> new_model_after_day;  // group -> (events, on new model)
  uint64_t events = 0, bad_lines = 0, out_of_order = 0, truth_lines = 0, truth_without_events = 0;
  FieldValues values;
  std::map<std::string, uint64_t> ipv6_events;  // by group
  std::string events_path, truth_path;
};

const GroupSummary& Group(const SimulationSummary& summary, std::string_view name) {
  for (const GroupSummary& group : summary.groups) {
    if (group.name == name) return group;
  }
  static GroupSummary none;
  ADD_FAILURE() << "no group " << name;
  return none;
}

Readback SimulateAndRead(const std::string& name, double scale, uint64_t seed,
                         const std::vector<std::string>& switches = {}) {
  Readback back;
  absl::StatusOr<Scenario> scenario = MakeScenario(name, scale);
  EXPECT_TRUE(scenario.ok());
  for (const std::string& setting : switches) EXPECT_TRUE(ApplyMechanicSwitch(setting, &*scenario).ok());
  back.events_path = testing::TempPath(".jsonl.zst");
  back.truth_path = testing::TempPath(".truth.jsonl");
  auto events = io::OutputFile::Open(back.events_path);
  auto truth = io::OutputFile::Open(back.truth_path);
  SimulateOptions options{.seed = seed};
  absl::StatusOr<SimulationSummary> summary = Simulate(*scenario, options, events->get(), truth->get());
  EXPECT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE((*events)->Close().ok());
  EXPECT_TRUE((*truth)->Close().ok());
  back.summary = *summary;

  ingest::BadInputLog truth_bad(stderr);
  absl::StatusOr<eval::Truth> truth_entries = eval::ReadTruth(back.truth_path, &truth_bad);
  EXPECT_TRUE(truth_entries.ok() && truth_bad.bad_lines() == 0);
  for (const auto& [account, entry] : *truth_entries) {
    ++back.truth_lines;
    AccountStats& stats = back.accounts[account];
    stats.label = entry.campaign ? "campaign" : "legit";
    stats.group = entry.segment;
  }
  ingest::Interners interners;
  ingest::BadInputLog bad_input(stderr);
  int64_t previous = INT64_MIN;
  int64_t release_plus_day = scenario->model_release_ms + 86400000;
  EXPECT_TRUE(ingest::ReadEvents({back.events_path}, {}, &interners, &bad_input, nullptr, [&](const ingest::Event& e) {
                ++back.events;
                if (e.ts_ms < previous) ++back.out_of_order;
                previous = e.ts_ms;
                AccountStats& stats = back.accounts[std::string(interners.account.Name(e.account))];
                ++stats.events;
                stats.first = std::min(stats.first, e.ts_ms);
                stats.last = std::max(stats.last, e.ts_ms);
                if (e.ip.is_v4()) stats.ipv4s.insert(e.ip_id);
                if (e.turn == 1) {
                  ++stats.turn1;
                  for (const char* prefix :
                       {"Task: ", "## Instruction\n", "Problem:\n", "Please solve the following.\n", "Request: "}) {
                    if (e.prompt.starts_with(prefix)) {
                      ++stats.turn1_templated;
                      break;
                    }
                  }
                }
                back.times[stats.group].push_back(e.ts_ms);
                auto note = [&](const char* field, std::string value) {
                  back.values[field][stats.label].insert(value);
                };
                note("tls", std::string(interners.tls.Name(e.tls)));
                note("ua", std::string(interners.ua.Name(e.ua)));
                note("email_domain", std::string(interners.email_domain.Name(e.email_domain)));
                note("billing_country", std::string(interners.country.Name(e.billing_country)));
                note("verified", std::string(ingest::VerificationName(e.verified)));
                note("endpoint", std::string(interners.endpoint.Name(e.endpoint)));
                note("model", std::string(interners.model.Name(e.model)));
                note("max_tokens", std::to_string(e.max_tokens));
                note("tools", std::to_string(e.tools));
                note("asn", std::to_string(e.asn));
                back.ipv6_events[stats.group] += !e.ip.is_v4();
                if (e.ts_ms >= release_plus_day) {
                  auto& [count, on_new] = back.new_model_after_day[stats.group];
                  ++count;
                  on_new += interners.model.Name(e.model) == kNewModel;
                }
              }).ok());
  back.bad_lines = bad_input.bad_lines();
  for (const auto& [name, stats] : back.accounts) back.truth_without_events += stats.events == 0;
  return back;
}

// feb-2026 at 1% of the reported size, shared by the tests below.
const Readback& February() {
  static const Readback* back = new Readback(SimulateAndRead("feb-2026", 0.01, 11));
  return *back;
}

TEST(SimulatorTest, OutputIsValidTimeOrderedAndMatchesTheTruth) {
  const Readback& back = February();
  EXPECT_GT(back.events, 100000u);
  EXPECT_EQ(back.events, back.summary.events);
  EXPECT_EQ(back.bad_lines, 0u);
  EXPECT_EQ(back.out_of_order, 0u);
  EXPECT_EQ(back.truth_without_events, 0u);  // truth lists exactly the accounts that sent requests
  EXPECT_EQ(back.truth_lines, back.accounts.size());
  for (const auto& [name, stats] : back.accounts) {
    EXPECT_TRUE(stats.label == "legit" || stats.label == "campaign") << name;
    EXPECT_EQ(name.find("camp"), std::string::npos);  // names never reveal the label
  }
}

TEST(SimulatorTest, NoOrdinaryFieldGivesTheLabelAway) {
  // Every value campaigns use in these fields is also used by honest traffic:
  // a detector has to combine signals, as it must on real logs.
  const Readback& back = February();
  for (const auto& [field, by_label] : back.values) {
    ASSERT_TRUE(by_label.contains("campaign") && by_label.contains("legit")) << field;
    for (const std::string& value : by_label.at("campaign")) {
      EXPECT_TRUE(by_label.at("legit").contains(value)) << field << "=" << value << " is only ever a campaign's";
    }
  }
}

TEST(SimulatorTest, CampaignVolumesFollowTheReportedFigures) {
  const SimulationSummary& summary = February().summary;
  for (auto [name, accounts, exchanges] :
       {std::tuple{"deepseek-2026", 1200.0, 150e3}, std::tuple{"moonshot-2026", 6800.0, 3.4e6},
        std::tuple{"minimax-2026", 16000.0, 13e6}}) {
    const GroupSummary& group = Group(summary, name);
    SCOPED_TRACE(name);
    EXPECT_NEAR(static_cast<double>(group.accounts), accounts * 0.01, accounts * 0.01 * 0.05 + 1);
    // Sampling noise shrinks with the number of accounts (12 for deepseek at
    // 1%); the scale-1 test below holds all of them to 5%.
    double tolerance = 0.1 + 1.0 / std::sqrt(accounts * 0.01);
    EXPECT_NEAR(static_cast<double>(group.events), exchanges * 0.01, exchanges * 0.01 * tolerance);
  }
}

TEST(SimulatorTest, CampaignAccountsEachStaySmall) {
  // The point of a hydra: every account's volume looks ordinary.
  const SimulationSummary& summary = February().summary;
  for (const char* name : {"moonshot-2026", "minimax-2026"}) {
    const GroupSummary& group = Group(summary, name);
    double per_day = static_cast<double>(group.events) / group.account_days;
    EXPECT_GT(per_day, 10) << name;
    EXPECT_LT(per_day, 60) << name;
  }
  double developer = static_cast<double>(Group(summary, "developer").events) / Group(summary, "developer").account_days;
  EXPECT_GT(developer, 3);  // honest developers are in the same range
}

TEST(SimulatorTest, HonestSegmentsHaveTheirShapes) {
  const Readback& back = February();
  std::map<std::string, std::set<uint32_t>> ips;
  std::map<std::string, uint64_t> accounts, events;
  std::map<std::string, std::vector<uint64_t>> per_account;
  for (const auto& [name, stats] : back.accounts) {
    ips[stats.group].insert(stats.ipv4s.begin(), stats.ipv4s.end());
    ++accounts[stats.group];
    events[stats.group] += stats.events;
    per_account[stats.group].push_back(stats.events);
  }
  // NAT: a whole institution behind very few addresses; CGNAT: many per IP.
  // (each org of 50 sits behind one /29: at most 8 addresses for all of them).
  EXPECT_LE(ips["institution"].size(), 8u * ((accounts["institution"] + 49) / 50));
  EXPECT_LT(ips["mobile"].size() * 10, accounts["mobile"]);
  // SaaS: few accounts, high volume each, from cloud egress.
  EXPECT_LE(accounts["saas"], 3u);
  EXPECT_GT(events["saas"] / accounts["saas"], 5000u);
  // Heavy tail among casual users: the top decile sends far more than the median.
  std::vector<uint64_t>& casual = per_account["casual"];
  std::sort(casual.begin(), casual.end());
  ASSERT_GT(casual.size(), 100u);
  EXPECT_GT(casual[casual.size() * 9 / 10], 3 * casual[casual.size() / 2]);
  // Dual-stack homes and mobile subscribers send over IPv6 too.
  EXPECT_GT(back.ipv6_events.at("casual") * 10, events["casual"]);
  EXPECT_GT(back.ipv6_events.at("mobile") * 10, events["mobile"]);
  // Every honest segment is present.
  for (const char* segment : {"casual", "developer", "saas", "eval", "institution", "mobile", "vpn", "popular_paster",
                              "agent_framework", "proxy_customer"}) {
    EXPECT_GT(accounts[segment], 0u) << segment;
  }
}

TEST(SimulatorTest, CampaignsShareInfrastructureAndPayment) {
  const SimulationSummary& summary = February().summary;
  const GroupSummary& minimax = Group(summary, "minimax-2026");
  EXPECT_LT(minimax.payments * 5, minimax.accounts);  // shared instruments
  EXPECT_GT(minimax.distinct_ips, minimax.accounts);  // proxy rotation: many exits
  const GroupSummary& casual = Group(summary, "casual");
  EXPECT_GT(casual.payments * 10, casual.accounts * 9);  // mostly one per account
}

TEST(SimulatorTest, CampaignPromptsUseTemplatesHonestOnesDoNot) {
  const Readback& back = February();
  uint64_t campaign_turn1 = 0, campaign_templated = 0, honest_turn1 = 0, honest_templated = 0;
  for (const auto& [name, stats] : back.accounts) {
    (stats.label == "campaign" ? campaign_turn1 : honest_turn1) += stats.turn1;
    (stats.label == "campaign" ? campaign_templated : honest_templated) += stats.turn1_templated;
  }
  EXPECT_EQ(campaign_templated, campaign_turn1);
  EXPECT_EQ(honest_templated, 0u);
}

TEST(SimulatorTest, DifferentCampaignsNeverShareASystemPrompt) {
  Scenario scenario = *MakeScenario("mixed", 0.002);
  std::string events = testing::TempPath(".jsonl"), truth = testing::TempPath(".jsonl");
  auto out = io::OutputFile::Open(events);
  auto truth_out = io::OutputFile::Open(truth);
  ASSERT_TRUE(Simulate(scenario, {.seed = 4}, out->get(), truth_out->get()).ok());
  ASSERT_TRUE((*out)->Close().ok());
  ASSERT_TRUE((*truth_out)->Close().ok());
  ingest::BadInputLog truth_bad(nullptr);
  eval::Truth truth_by_account = *eval::ReadTruth(truth, &truth_bad);
  std::map<std::string, std::set<std::string>> campaigns_by_system;
  ingest::Interners interners;
  ingest::BadInputLog bad_input(nullptr);
  ASSERT_TRUE(ingest::ReadEvents({events}, {}, &interners, &bad_input, nullptr, [&](const ingest::Event& e) {
                auto it = truth_by_account.find(std::string(interners.account.Name(e.account)));
                if (it != truth_by_account.end() && it->second.campaign && !e.system.empty()) {
                  campaigns_by_system[std::string(e.system)].insert(it->second.campaign_id);
                }
              }).ok());
  EXPECT_GE(campaigns_by_system.size(), 4u);
  for (const auto& [system, campaigns] : campaigns_by_system) EXPECT_EQ(campaigns.size(), 1u) << system;
}

TEST(SimulatorTest, ChurnShortensCampaignAccountLives) {
  const Readback& back = February();
  int64_t window = 42LL * 86400000;
  uint64_t short_lived = 0, campaign = 0, honest_long = 0, honest = 0;
  for (const auto& [name, stats] : back.accounts) {
    if (stats.events < 20) continue;
    bool is_short = stats.last - stats.first < window * 3 / 4;
    if (stats.label == "campaign") {
      ++campaign;
      short_lived += is_short;
    } else {
      ++honest;
      honest_long += !is_short;
    }
  }
  EXPECT_GT(short_lived * 2, campaign);  // most campaign accounts come and go
  EXPECT_GT(honest_long * 2, honest);    // most active honest accounts stay
}

TEST(SimulatorTest, MinimaxMovesHalfItsTrafficToTheNewModelWithinADay) {
  const Readback& back = February();
  auto share = [&](const std::string& group) {
    auto [events, on_new] = back.new_model_after_day.at(group);
    return static_cast<double>(on_new) / static_cast<double>(events);
  };
  EXPECT_NEAR(share("minimax-2026"), 0.5, 0.06);
  EXPECT_LT(share("moonshot-2026"), 0.35);
  EXPECT_LT(share("developer"), 0.35);
}

TEST(SimulatorTest, SynchronizedAccountsFireInLockstepWaves) {
  const Readback& back = February();
  auto lockstep = [&](const std::string& group) {
    // Share of requests in the busiest 40 s of the 20-minute cycle.
    std::vector<uint64_t> bins(30, 0);
    const std::vector<int64_t>& times = back.times.at(group);
    for (int64_t ts : times) ++bins[static_cast<size_t>((ts % 1200000) / 40000)];
    uint64_t best = 0;
    for (size_t bin = 0; bin < bins.size(); ++bin) best = std::max(best, bins[bin] + bins[(bin + 1) % bins.size()]);
    return static_cast<double>(best) / static_cast<double>(times.size());
  };
  EXPECT_GT(lockstep("deepseek-2026"), 0.6);
  EXPECT_LT(lockstep("minimax-2026"), 0.2);
}

TEST(SimulatorTest, DeterministicBySeed) {
  Readback a = SimulateAndRead("alibaba-2026", 0.002, 5);
  Readback b = SimulateAndRead("alibaba-2026", 0.002, 5);
  Readback c = SimulateAndRead("alibaba-2026", 0.002, 6);
  EXPECT_EQ(testing::ReadWholeFile(a.events_path), testing::ReadWholeFile(b.events_path));
  EXPECT_EQ(testing::ReadWholeFile(a.truth_path), testing::ReadWholeFile(b.truth_path));
  EXPECT_NE(testing::ReadWholeFile(a.events_path), testing::ReadWholeFile(c.events_path));
}

TEST(SimulatorTest, MechanicsCanBeSwitchedOff) {
  Readback back =
      SimulateAndRead("alibaba-2026", 0.002, 3, {"shared_payment=off", "templates=off", "churn=off", "proxy=off"});
  const GroupSummary& alibaba = Group(back.summary, "alibaba-2026");
  EXPECT_EQ(alibaba.payments, alibaba.accounts);  // unique instruments
  EXPECT_LE(alibaba.distinct_ips, 8u * 256);      // own datacenter ranges, no proxy pool
  uint64_t templated = 0, long_lived = 0, campaign = 0;
  for (const auto& [name, stats] : back.accounts) {
    if (stats.label != "campaign") continue;
    ++campaign;
    templated += stats.turn1_templated;
    long_lived += stats.last - stats.first > 40LL * 86400000;
  }
  EXPECT_EQ(templated, 0u);
  EXPECT_GT(long_lived * 10, campaign * 9);  // no churn: accounts live the whole window
}

TEST(SimulatorTest, ScenarioAndSwitchErrors) {
  EXPECT_FALSE(MakeScenario("nope", 1).ok());
  EXPECT_FALSE(MakeScenario("mixed", 0).ok());
  Scenario scenario = *MakeScenario("mixed", 0.01);
  EXPECT_FALSE(ApplyMechanicSwitch("proxy", &scenario).ok());
  EXPECT_FALSE(ApplyMechanicSwitch("proxy=maybe", &scenario).ok());
  EXPECT_FALSE(ApplyMechanicSwitch("warp=on", &scenario).ok());
  EXPECT_TRUE(ApplyMechanicSwitch("proxy=off", &scenario).ok());
}

TEST(SimulatorTest, ExternalPromptPoolsAreUsedWhenGiven) {
  std::string dir = testing::TempPath("_prompts");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/human.jsonl") << "{\"text\":\"HUMAN-POOL-TEXT\",\"source\":\"t\"}\n";
  std::ofstream(dir + "/popular.jsonl") << "{\"text\":\"POPULAR-POOL-TEXT\",\"source\":\"t\"}\n";
  std::ofstream(dir + "/distill.jsonl") << "{\"text\":\"DISTILL-POOL-TEXT\",\"source\":\"t\"}\n";
  Scenario scenario = *MakeScenario("feb-2026", 0.002);
  std::string events = testing::TempPath(".jsonl"), truth = testing::TempPath(".jsonl");
  auto out = io::OutputFile::Open(events);
  auto truth_out = io::OutputFile::Open(truth);
  SimulateOptions options{.seed = 1, .prompts_dir = dir};
  ASSERT_TRUE(Simulate(scenario, options, out->get(), truth_out->get()).ok());
  ASSERT_TRUE((*out)->Close().ok());
  ASSERT_TRUE((*truth_out)->Close().ok());
  std::string text = testing::ReadWholeFile(events);
  for (const char* marker : {"HUMAN-POOL-TEXT", "POPULAR-POOL-TEXT", "DISTILL-POOL-TEXT"}) {
    EXPECT_THAT(text, HasSubstr(marker));
  }
  options.prompts_dir = dir + "/missing";
  EXPECT_FALSE(Simulate(scenario, options, out->get(), truth_out->get()).ok());
}

}  // namespace
}  // namespace hydraguard::sim

namespace hydraguard::sim {
namespace {

// The reported campaigns at full size, counted as they stream (count-only:
// the whole schedule runs; nothing is formatted or held).
TEST(SimulatorScaleOneTest, ReportedTotalsWithinFivePercent) {
#ifdef HYDRAGUARD_SANITIZED
  GTEST_SKIP() << "70 M events: too slow under the sanitizers; runs in `make test`";
#endif
  struct Expected {
    const char* scenario;
    const char* campaign;
    double accounts, exchanges;
  };
  std::map<std::string, SimulationSummary> runs;
  for (const char* name : {"alibaba-2026", "feb-2026"}) {
    SimulateOptions options{.seed = 1, .count_only = true};
    absl::StatusOr<SimulationSummary> summary = Simulate(*MakeScenario(name, 1.0), options, nullptr, nullptr);
    ASSERT_TRUE(summary.ok()) << summary.status();
    runs[name] = *summary;
  }
  double feb_accounts = 0;
  for (const Expected& expected :
       {Expected{"alibaba-2026", "alibaba-2026", 25000, 28.8e6}, Expected{"feb-2026", "deepseek-2026", 1200, 150e3},
        Expected{"feb-2026", "moonshot-2026", 6800, 3.4e6}, Expected{"feb-2026", "minimax-2026", 16000, 13e6}}) {
    const GroupSummary& group = Group(runs[expected.scenario], expected.campaign);
    SCOPED_TRACE(expected.campaign);
    EXPECT_NEAR(static_cast<double>(group.accounts), expected.accounts, expected.accounts * 0.05);
    EXPECT_NEAR(static_cast<double>(group.events), expected.exchanges, expected.exchanges * 0.05);
    if (std::string_view(expected.scenario) == "feb-2026") feb_accounts += static_cast<double>(group.accounts);
  }
  EXPECT_NEAR(feb_accounts, 24000, 24000 * 0.05);  // "~24,000 accounts" across the three
  // ~26 requests per account per day for the 2026 campaign, as reported.
  const GroupSummary& alibaba = Group(runs["alibaba-2026"], "alibaba-2026");
  EXPECT_NEAR(static_cast<double>(alibaba.events) / alibaba.accounts / 44, 26, 3);
}

}  // namespace
}  // namespace hydraguard::sim
