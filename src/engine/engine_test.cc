// Scenario tests of the whole engine on small hand-built logs: a hydra is
// found as one campaign with evidence, hard negatives that share cards, NATs
// and prompts are not flagged, and metadata-only logs still work.
#include "engine/engine.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/internal/engine_view.h"
#include "engine/internal/test_scenarios.h"
#include "engine/report.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/event_reader.h"
#include "testing/test_files.h"

namespace hydraguard::engine {
namespace {

using internal::AddHonest;
using internal::AddHydra;
using internal::BurstAndExitsHydra;
using internal::CardGroupsInBurstsHydra;
using internal::HydraIndex;
using internal::kDay;
using internal::kStart;
using internal::Request;
using internal::ToJson;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

struct DetectRun {
  ingest::Interners interners;
  std::unique_ptr<Engine> engine;
  Detection detection;

  const AccountVerdict& Verdict(std::string_view account) const {
    ingest::Id id = interners.account.Find(account);
    EXPECT_NE(id, ingest::kNoId) << account;
    return detection.verdicts.at(id);
  }
  std::set<std::string> Flagged() const {
    std::set<std::string> flagged;
    for (const AccountVerdict& verdict : detection.verdicts) {
      if (Flagged(verdict.action)) flagged.insert(std::string(interners.account.Name(verdict.account)));
    }
    return flagged;
  }
  static bool Flagged(Action action) { return engine::Flagged(action); }
};

std::unique_ptr<DetectRun> Detect(const std::vector<Request>& log, bool with_text, const EngineConfig& config = {}) {
  std::vector<Request> ordered = log;
  std::stable_sort(ordered.begin(), ordered.end(), [](const Request& a, const Request& b) { return a.ts < b.ts; });
  std::string text;
  for (const Request& request : ordered) text += ToJson(request, with_text);
  std::string path = testing::WriteTempFile(text);
  auto run = std::make_unique<DetectRun>();
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(config, nullptr, &run->interners);
  EXPECT_TRUE(engine.ok()) << engine.status();
  run->engine = *std::move(engine);
  ingest::BadInputLog bad_input(nullptr);
  ingest::ReadCounters counters;
  absl::Status read = ingest::ReadEvents({path}, {}, &run->interners, &bad_input, &counters,
                                         [&](const ingest::Event& event) { run->engine->Add(event); });
  EXPECT_TRUE(read.ok()) << read;
  EXPECT_EQ(bad_input.bad_lines(), 0u);
  run->detection = run->engine->Detect();
  return run;
}

std::set<std::string> HydraNames() {
  std::set<std::string> names;
  for (int account = 0; account < 30; ++account) names.insert(fmt::format("hydra_{}", account));
  return names;
}

TEST(EngineTest, FindsTheHydraAsOneCampaignAndNoHonestAccount) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  std::unique_ptr<DetectRun> run = Detect(log, /*with_text=*/true);
  EXPECT_EQ(run->Flagged(), HydraNames());
  ASSERT_EQ(run->detection.campaigns.size(), 1u);
  const Campaign& campaign = run->detection.campaigns[0];
  EXPECT_EQ(campaign.id, "hg-c1");
  EXPECT_EQ(campaign.accounts.size(), 30u);
  EXPECT_EQ(campaign.exchanges, 30u * 14 * 40);
  EXPECT_EQ(campaign.output_tokens, 30u * 14 * 40 * 2200);
  EXPECT_GT(campaign.young_share, 0.99);
  EXPECT_GT(campaign.country_mismatch, 0.8);
  // The log has no ASN, TLS or tool fields: those signals say so; the text
  // signals are all in use.
  std::string unused;
  for (const std::string& name : run->detection.unused_signals) unused += name + "\n";
  EXPECT_THAT(unused, HasSubstr("asn (no asn in the input)"));
  EXPECT_THAT(unused, Not(HasSubstr("prompt")));
  // Indicators name the shared card and system prompt.
  std::set<std::string> indicator_types;
  for (const Indicator& indicator : campaign.indicators) indicator_types.insert(indicator.signal);
  EXPECT_THAT(indicator_types, Contains("payment"));
  EXPECT_THAT(indicator_types, Contains("system_prompt"));
}

TEST(EngineTest, FlaggedAccountsCarryEvidence) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  std::unique_ptr<DetectRun> run = Detect(log, true);
  const AccountVerdict& verdict = run->Verdict("hydra_3");
  EXPECT_EQ(verdict.action, Action::kBlock);
  EXPECT_GT(verdict.score, 0.9);
  EXPECT_EQ(verdict.campaign, 0);
  ASSERT_GE(verdict.reasons.size(), 3u);
  EXPECT_THAT(verdict.reasons[0], HasSubstr("member of campaign hg-c1 (30 accounts"));
  EXPECT_THAT(verdict.reasons, Contains(HasSubstr("shares payment pm_hydra_0 with 9 other campaign accounts")));
  // With the hub null model in words: how many holders are suspicious, and
  // how many chance predicts at the log's rate.
  EXPECT_THAT(verdict.reasons, Contains(MatchesRegex(".*shares payment pm_hydra_0 .* \\(10 of its 10 holders "
                                                     "suspicious; expected by chance: [0-9.<]+.*\\)")));
  // ...and the campaign's indicators carry the same figures.
  const Indicator& indicator = run->detection.campaigns[0].indicators[0];
  EXPECT_GE(indicator.qualified_accounts, 0);
  EXPECT_LT(indicator.expected_by_chance, static_cast<double>(indicator.qualified_accounts));
  EXPECT_THAT(verdict.reasons, Contains(HasSubstr("days after sign-up")));
  // `since`: not before the account's first request nor before the campaign
  // had campaign_min_accounts accounts active.
  EXPECT_GE(verdict.since_ms, kStart);
  EXPECT_EQ(verdict.since_ms, run->detection.campaigns[0].since_ms);
}

TEST(EngineTest, HonestSharingIsNotACampaign) {
  std::vector<Request> log;
  AddHonest(&log);
  std::unique_ptr<DetectRun> run = Detect(log, true);
  EXPECT_TRUE(run->Flagged().empty());
  EXPECT_TRUE(run->detection.campaigns.empty());
  EXPECT_EQ(run->Verdict("honest_85").action, Action::kAllow);
}

TEST(EngineTest, MetadataOnlyStillFindsTheHydraAndSaysWhatItCouldNotUse) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  std::unique_ptr<DetectRun> run = Detect(log, /*with_text=*/false);
  EXPECT_EQ(run->Flagged(), HydraNames());
  ASSERT_EQ(run->detection.campaigns.size(), 1u);
  EXPECT_EQ(run->detection.campaigns[0].text_events, 0u);
  std::string unused;
  for (const std::string& name : run->detection.unused_signals) unused += name + "\n";
  EXPECT_THAT(unused, HasSubstr("capability_mix (no prompt in the input)"));
  EXPECT_THAT(unused, HasSubstr("prompt_template (no prompt in the input)"));
  EXPECT_THAT(unused, HasSubstr("system_prompt (no system in the input)"));
  EXPECT_THAT(unused, Not(HasSubstr("payment")));
}

TEST(EngineTest, TooFewAccountsAreNotACampaign) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  EngineConfig config;
  config.campaign_min_accounts = 31;
  std::unique_ptr<DetectRun> run = Detect(log, true, config);
  EXPECT_TRUE(run->detection.campaigns.empty());
  EXPECT_TRUE(run->Flagged().empty());
  // Still suspicious on its own: monitored, not flagged.
  EXPECT_EQ(run->Verdict("hydra_0").action, Action::kMonitor);
}

// A hydra that shares one trace only: its own e-mail domain. Every account
// has its own card, its own exits and its own sign-up day, and sends no text.
std::vector<Request> DomainOnlyHydra() {
  std::vector<Request> log;
  AddHydra(&log);
  for (Request& request : log) {
    int account = HydraIndex(request);
    request.payment = fmt::format("pm_own_{}", account);
    request.ip = fmt::format("198.51.{}.{}", account, request.ts / kDay % 200);
    request.created = kStart - (40 + 3 * account) * kDay;
  }
  AddHonest(&log);
  return log;
}

TEST(EngineTest, TheOperatorsOwnDomainJoinsAlone) {
  std::unique_ptr<DetectRun> run = Detect(DomainOnlyHydra(), /*with_text=*/false);
  EXPECT_EQ(run->Flagged(), HydraNames());
  ASSERT_EQ(run->detection.campaigns.size(), 1u);
  EXPECT_THAT(run->Verdict("hydra_7").reasons, Contains(HasSubstr("shares email_domain tmpbox.net")));
  // Without joins_alone the domain is one family, and no other agrees.
  EngineConfig config;
  config.link_signals["email_domain"].params["joins_alone"] = 0;
  EXPECT_TRUE(Detect(DomainOnlyHydra(), false, config)->Flagged().empty());
}

TEST(EngineTest, NetworkRangesJoinNobodyUnlessTheProviderOptsIn) {
  // By default a sign-up burst (identity, 1) and ranges only the campaign
  // uses (never strong) do not join: a hackathon has both.
  EXPECT_TRUE(Detect(BurstAndExitsHydra(true), /*with_text=*/false)->Flagged().empty());
  // Opted in, the /24s are strong but weigh 1: they join with the burst and
  // not alone, and do not join their holders to each other, so each burst
  // is one campaign.
  EngineConfig ranges;
  for (const char* name : {"ip_prefix", "asn"}) ranges.link_signals[name].params["strong_share"] = 1;
  std::unique_ptr<DetectRun> run = Detect(BurstAndExitsHydra(true), false, ranges);
  EXPECT_EQ(run->Flagged(), HydraNames());
  EXPECT_EQ(run->detection.campaigns.size(), 2u);
  EXPECT_THAT(run->Verdict("hydra_7").reasons, Contains(HasSubstr("shares ip_prefix 203.0.")));
  EXPECT_THAT(run->Verdict("hydra_7").reasons, Contains(HasSubstr("shares signup_time")));
  EXPECT_TRUE(Detect(BurstAndExitsHydra(false), false, ranges)->Flagged().empty());
  for (const char* name : {"ip_prefix", "asn"}) ranges.link_signals[name].params["unites"] = 1;
  EXPECT_EQ(Detect(BurstAndExitsHydra(true), false, ranges)->detection.campaigns.size(), 1u);
  // Card pairs across the two bursts join them into one campaign. The
  // hubs that joined each account come first in its reasons, before the
  // card it shares with one other account (pair evidence, weight 2).
  run = Detect(internal::CardGroupsInBurstsHydra(false), false, ranges);
  const std::vector<std::string>& reasons = run->Verdict("hydra_7").reasons;
  ASSERT_GE(reasons.size(), 4u);
  EXPECT_THAT(reasons[0], HasSubstr("member of campaign"));
  EXPECT_THAT(reasons[1], HasSubstr("shares signup_time"));
  EXPECT_THAT(reasons[2], HasSubstr("shares ip_prefix"));
  EXPECT_THAT(reasons[3], HasSubstr("shares payment pm_pair_7 with 1 other"));
}

// Per signal, a member's reasons show the key that joined it: the hydra's
// own card (a strong hub of ten) rather than a family card that all thirty
// hydra accounts and twenty honest people also use (shared with more of the
// campaign, beyond chance, but no hub).
TEST(EngineTest, ReasonsShowTheHubThatJoinedOverABiggerSharedValue) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  for (Request& request : log) {
    bool hydra = request.account.starts_with("hydra_");
    int index = HydraIndex(request);                                   // honest_N parses the same way
    bool odd_request = (request.ts / (internal::kDay / 40)) % 2 == 1;  // every other request of a hydra
    if ((hydra && odd_request) || (!hydra && index < 20)) request.payment = "pm_family";
    if (hydra) request.email_domain = "gmail.com";
  }
  std::unique_ptr<DetectRun> run = Detect(log, /*with_text=*/false);
  EXPECT_EQ(run->Flagged(), HydraNames());
  const std::vector<std::string>& reasons = run->Verdict("hydra_7").reasons;
  EXPECT_THAT(reasons, Contains(HasSubstr("shares payment pm_hydra_0 with 9 other campaign accounts")));
  EXPECT_THAT(reasons, Not(Contains(HasSubstr("pm_family"))));
}

TEST(EngineTest, CardPartnersInTheSameBurstJoinIt) {
  // Each card joins two or three accounts (pair evidence), and each burst is
  // a hub too weak to join alone; a card's holders sharing the same burst
  // are two coincidences on one pair, and join the burst.
  std::unique_ptr<DetectRun> run = Detect(CardGroupsInBurstsHydra(true), /*with_text=*/false);
  EXPECT_EQ(run->Flagged(), HydraNames());
  EXPECT_EQ(run->detection.campaigns.size(), 2u);  // one per burst
  EXPECT_THAT(run->Verdict("hydra_7").reasons, Contains(HasSubstr("shares signup_time")));
  EXPECT_THAT(run->Verdict("hydra_7").reasons, Contains(HasSubstr("shares payment pm_trio_2 with 2 other")));
  // The same cards, each pair's partner in the other burst: nothing agrees.
  EXPECT_TRUE(Detect(CardGroupsInBurstsHydra(false), false)->Flagged().empty());
  EngineConfig off;
  off.pair_corroborates_hub = 0;
  EXPECT_TRUE(Detect(CardGroupsInBurstsHydra(true), false, off)->Flagged().empty());
}

TEST(EngineTest, SharedPromptTemplatesDoNotMakeOperatorsOne) {
  // Three card groups of ten (each card joins alone) that share only their
  // prompt templates (no system prompt, no e-mail domain of their own, each
  // group signed up on its own day): three operators harvesting the same
  // tasks, three campaigns.
  std::vector<Request> log;
  AddHydra(&log);
  for (Request& request : log) {
    request.system.clear();
    request.email_domain = "gmail.com";
    request.created -= HydraIndex(request) / 10 * 5 * kDay;
    request.ip = fmt::format("198.51.{}.{}", HydraIndex(request), request.ts / kDay % 200);
  }
  AddHonest(&log);
  std::unique_ptr<DetectRun> run = Detect(log, /*with_text=*/true);
  EXPECT_EQ(run->Flagged(), HydraNames());
  EXPECT_EQ(run->detection.campaigns.size(), 3u);
  EngineConfig uniting;
  uniting.link_signals["prompt_template"].params["unites"] = 1;
  EXPECT_EQ(Detect(log, true, uniting)->detection.campaigns.size(), 1u);
}

// Co-active groups are found once per state of the log (Engine caches
// them): a Detect() after more events must see the fleet those events bring.
TEST(EngineTest, CoactiveGroupsFollowNewEvents) {
  std::vector<Request> background, fleet;
  internal::AddCronJobs(&background);
  AddHonest(&background);
  internal::AddJobWavesFleet(&fleet);
  std::unique_ptr<DetectRun> run = Detect(background, /*with_text=*/false);
  EXPECT_TRUE(run->Flagged().empty());
  EXPECT_TRUE(run->engine->Detect().campaigns.empty());  // asked again: the same
  std::stable_sort(fleet.begin(), fleet.end(), [](const Request& a, const Request& b) { return a.ts < b.ts; });
  std::string text;
  for (const Request& request : fleet) text += ToJson(request, false);
  ingest::BadInputLog bad_input(nullptr);
  ingest::ReadCounters counters;
  ASSERT_TRUE(ingest::ReadEvents({testing::WriteTempFile(text)}, {}, &run->interners, &bad_input, &counters,
                                 [&](const ingest::Event& event) { run->engine->Add(event); })
                  .ok());
  run->detection = run->engine->Detect();
  EXPECT_EQ(run->Flagged().size(), 40u);
  EXPECT_EQ(run->detection.campaigns.size(), 1u);
}

TEST(EngineTest, CoactiveFleetIsOneCampaignAndCronJobsAreNot) {
  // Nothing shared but the time: co-activity alone joins the fleet. Cron
  // jobs on the hour fire together too; here they are most of the log's
  // activity at those minutes, so the null expects their overlap (in a
  // provider's log they may form a group: its holders are not members
  // beyond chance, so it is no hub).
  std::vector<Request> log;
  internal::AddJobWavesFleet(&log);
  internal::AddCronJobs(&log);
  AddHonest(&log);
  std::unique_ptr<DetectRun> run = Detect(log, /*with_text=*/false);
  std::set<std::string> fleet;
  for (int account = 0; account < 40; ++account) fleet.insert(fmt::format("fleet_{}", account));
  EXPECT_EQ(run->Flagged(), fleet);
  ASSERT_EQ(run->detection.campaigns.size(), 1u);
  EXPECT_THAT(run->Verdict("fleet_7").reasons,
              Contains(MatchesRegex("shares coactivity group of fleet_[0-9]+ \\(in the same 15-minute windows far "
                                    "beyond chance\\) with 39 other campaign accounts \\(40 of its 40 holders "
                                    "members; expected by chance: .*")));
  EXPECT_THAT(run->Verdict("fleet_7").reasons,
              Contains(MatchesRegex("active in the same 15-minute window as fleet_[0-9]+ in [0-9]+ of its [0-9]+ "
                                    "windows; expected by chance: [0-9.]+ \\(p = 1e-[0-9]+\\)")));
  std::set<std::string> indicator_types;
  for (const Indicator& indicator : run->detection.campaigns[0].indicators) indicator_types.insert(indicator.signal);
  EXPECT_THAT(indicator_types, Contains("coactivity"));
  // The fleet is one co-active group; the cron jobs are not in it.
  absl::flat_hash_map<uint32_t, internal::CoactiveGroup> groups = internal::EngineView(*run->engine).CoactiveGroups();
  auto group_of = [&](std::string_view account) {
    auto found = groups.find(run->interners.account.Find(account));
    return found == groups.end() ? UINT64_MAX : found->second.key;
  };
  EXPECT_NE(group_of("fleet_0"), UINT64_MAX);
  EXPECT_EQ(groups.at(run->interners.account.Find("fleet_0")).size, 40u);
  EXPECT_NE(group_of("cron_0"), group_of("fleet_0"));
  EngineConfig off;
  off.link_signals["coactivity"].enabled = false;
  EXPECT_TRUE(Detect(log, false, off)->Flagged().empty());
}

TEST(EngineTest, StrongWeightAddsFamiliesNotSignals) {
  ingest::Interners interners;
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(EngineConfig{}, nullptr, &interners);
  ASSERT_TRUE(engine.ok());
  std::vector<std::string> names = (*engine)->LinkSignalNames();
  auto bits = [&](std::initializer_list<const char*> signals) {
    uint32_t set = 0;
    for (const char* name : signals) {
      auto found = std::find(names.begin(), names.end(), name);
      EXPECT_NE(found, names.end()) << name;
      set |= 1u << (found - names.begin());
    }
    return set;
  };
  internal::EngineView view(**engine);
  EXPECT_EQ(view.StrongWeight(bits({"ip_prefix", "asn"})), 1);  // one family: the largest, 1
  EXPECT_EQ(view.StrongWeight(bits({"ip_prefix", "signup_time"})), 2);
  EXPECT_EQ(view.StrongWeight(bits({"payment", "signup_time"})), 2);  // identity: max(2, 1)
  EXPECT_EQ(view.StrongWeight(bits({"payment", "ip_prefix"})), 3);
  EXPECT_EQ(view.StrongWeight(bits({"payment", "ip_prefix"}), /*joins_alone_only=*/true), 2);
  EXPECT_EQ(view.StrongWeight(0), 0);
}

TEST(EngineTest, DisabledSignalsAreGoneAndUnknownOnesAreErrors) {
  EngineConfig config;
  config.link_signals["payment"].enabled = false;
  ingest::Interners interners;
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(config, nullptr, &interners);
  ASSERT_TRUE(engine.ok());
  EXPECT_THAT((*engine)->LinkSignalNames(), Not(Contains("payment")));
  EXPECT_THAT((*engine)->LinkSignalNames(), Contains("ip_prefix"));

  config.link_signals["paymnet"].params["weight"] = 1;
  EXPECT_THAT(std::string(Engine::Create(config, nullptr, &interners).status().message()),
              HasSubstr("unknown signal \"paymnet\""));
  EngineConfig bad_param;
  bad_param.account_signals["volume"].params["wieght"] = 1;
  EXPECT_THAT(std::string(Engine::Create(bad_param, nullptr, &interners).status().message()),
              HasSubstr("volume: unknown parameter \"wieght\""));
  for (auto [param, value] : std::vector<std::pair<std::string, double>>{
           {"window_minutes", 7}, {"window_minutes", 0}, {"min_windows", 1}, {"expected_false_pairs", 0}}) {
    EngineConfig bad_coactivity;
    bad_coactivity.link_signals["coactivity"].params[param] = value;
    EXPECT_THAT(std::string(Engine::Create(bad_coactivity, nullptr, &interners).status().message()),
                HasSubstr("link_signals.coactivity: window_minutes must divide 60"))
        << param << " " << value;
  }
}

TEST(EngineTest, DetectionIsRepeatableAndIncremental) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  std::unique_ptr<DetectRun> run = Detect(log, true);
  // Detect() does not change the state: a second call gives the same result.
  Detection again = run->engine->Detect();
  ASSERT_EQ(again.campaigns.size(), run->detection.campaigns.size());
  EXPECT_EQ(again.campaigns[0].accounts, run->detection.campaigns[0].accounts);
  // Only the first week: the hydra is already a campaign.
  std::vector<Request> first_week;
  for (const Request& request : log) {
    if (request.ts < kStart + 7 * kDay) first_week.push_back(request);
  }
  EXPECT_EQ(Detect(first_week, true)->Flagged(), HydraNames());
}

TEST(EngineTest, CountsEventsOutOfTimeOrder) {
  ingest::Interners interners;
  auto engine = Engine::Create({}, nullptr, &interners);
  ASSERT_TRUE(engine.ok());
  ingest::Event event;
  event.account = interners.account.Intern("a");
  event.present = 0x7;
  for (int64_t ts : {kStart + 3000, kStart + 1000, kStart + 2000, kStart + 4000}) {
    event.ts_ms = ts;
    (*engine)->Add(event);
  }
  EXPECT_EQ((*engine)->Detect().out_of_order_events, 2u);
}

// Prompts in a language the text model does not cover are counted and said
// in the summary; with the cue phrases every prompt is read.
TEST(EngineTest, SaysHowManyPromptsItCouldNotRead) {
  for (bool model : {true, false}) {
    ingest::Interners interners;
    auto engine = Engine::Create({}, nullptr, &interners, model ? &text::TextModel::Shipped() : nullptr);
    ASSERT_TRUE(engine.ok());
    ingest::Event event;
    event.account = interners.account.Intern("a");
    event.present = 0x7 | 1u << static_cast<int>(ingest::Field::kPrompt);
    event.ts_ms = kStart;
    event.prompt = "Write a Python function that merges two sorted lists.";
    (*engine)->Add(event);
    event.ts_ms += 1000;
    event.prompt =
        "Escribe una función en Python que invierta una lista enlazada y comenta cada paso del "
        "razonamiento antes de responder.";
    (*engine)->Add(event);
    Detection detection = (*engine)->Detect();
    EXPECT_EQ(detection.prompts_read, 2u);
    EXPECT_EQ(detection.prompts_not_covered, model ? 1u : 0u);
    EXPECT_EQ(SummaryText(detection).find("1 of 2 prompts read are in a language the text classifier does not cover") !=
                  std::string::npos,
              model);
  }
}

}  // namespace
}  // namespace hydraguard::engine
