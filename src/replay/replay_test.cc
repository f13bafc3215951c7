// Replay figures on hand-built logs whose answers are known by
// construction: scripted verdicts (ScriptedVerdicts) make every refusal
// predictable; one test runs the real engine and checks that the verdicts
// at the end of the log are batch detection's.
#include "replay/replay.h"

#include <map>
#include <string>
#include <vector>

#include "engine/internal/test_scenarios.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/event_reader.h"
#include "replay/report.h"
#include "testing/test_files.h"

namespace hydraguard::replay {
namespace {

using engine::Action;
using ::testing::HasSubstr;

constexpr int64_t kStart = 1776816000000;  // 2026-04-22T00:00:00Z, a whole hour
constexpr int64_t kMinute = 60000;
constexpr int64_t kHour = 60 * kMinute;

// Verdicts set by the test: from a time on, an account gets an action. A
// rescore applies every entry whose time has come, and counts every account
// given to Add() before it as scored.
class ScriptedVerdicts : public VerdictSource {
 public:
  struct Entry {
    ingest::Id account;
    int64_t from_ms;
    Action action;
  };
  std::vector<Entry> script;
  std::vector<ingest::Id> indicator_payments;  // requests paying with these match

  void Add(const ingest::Event& event) override { seen_.push_back(event.account); }
  size_t Rescore(int64_t now_ms, engine::Freshness freshness) override {
    ++rescores;
    freshness_of_rescores.push_back(freshness);
    size_t changes = 0;
    for (ingest::Id account : seen_) scored_[account] = true;
    for (const Entry& entry : script) {
      if (entry.from_ms <= now_ms && actions_[entry.account] != entry.action) {
        actions_[entry.account] = entry.action;
        ++changes;
      }
    }
    return changes;
  }
  Action action(ingest::Id account) const override {
    auto found = actions_.find(account);
    return found == actions_.end() ? Action::kAllow : found->second;
  }
  bool scored(ingest::Id account) const override { return scored_.contains(account); }
  std::string MatchesIndicator(const ingest::Event& event) const override {
    bool match = event.has(ingest::Field::kPayment) && std::find(indicator_payments.begin(), indicator_payments.end(),
                                                                 event.payment) != indicator_payments.end();
    return match ? "payment" : "";
  }
  size_t indicator_count() const override { return indicator_payments.size(); }
  int rescores = 0;
  std::vector<engine::Freshness> freshness_of_rescores;

 private:
  std::vector<ingest::Id> seen_;
  std::map<ingest::Id, bool> scored_;
  std::map<ingest::Id, Action> actions_;
};

eval::Truth MakeTruth() {
  eval::Truth truth;
  for (const char* account : {"c1_a", "c1_b", "c1_c"}) truth[account] = {true, "c1", "hydra"};
  for (const char* account : {"c2_a", "c2_b"}) truth[account] = {true, "c2", "hydra"};  // never sends
  truth["h_casual"] = {false, "", "casual"};
  truth["h_dev"] = {false, "", "developer"};
  truth["h_quiet"] = {false, "", "developer"};  // never sends
  return truth;
}

struct Fixture {
  ingest::Interners interners;
  ScriptedVerdicts verdicts;
  std::unique_ptr<Replayer> replayer;
  explicit Fixture(ReplayOptions options = {}) {
    replayer = std::make_unique<Replayer>(&verdicts, MakeTruth(), &interners, options);
  }
  ingest::Id Id(std::string_view account) { return interners.account.Intern(account); }
  void Send(std::string_view account, int64_t ts_ms, uint32_t output_tokens = 100, std::string_view payment = "") {
    ingest::Event event;
    event.account = Id(account);
    event.ts_ms = ts_ms;
    event.output_tokens = output_tokens;
    event.present = (1u << static_cast<int>(ingest::Field::kTs)) | (1u << static_cast<int>(ingest::Field::kAccount)) |
                    (1u << static_cast<int>(ingest::Field::kOutputTokens));
    if (!payment.empty()) {
      event.payment = interners.payment.Intern(payment);
      event.present |= 1u << static_cast<int>(ingest::Field::kPayment);
    }
    replayer->Process(event);
  }
};

const CampaignReplay& Campaign(const ReplayResult& result, std::string_view id) {
  for (const CampaignReplay& campaign : result.campaigns) {
    if (campaign.campaign == id) return campaign;
  }
  ADD_FAILURE() << "no campaign " << id;
  return result.campaigns.front();
}

const SegmentReplay& Segment(const ReplayResult& result, std::string_view name) {
  for (const SegmentReplay& segment : result.honest) {
    if (segment.segment == name) return segment;
  }
  ADD_FAILURE() << "no segment " << name;
  return result.honest.front();
}

// Three campaign accounts send one request an hour at :30 for ten hours and
// are blocked from the rescore at hour 4: 12 of 30 requests are served.
TEST(ReplayTest, LeakageAndContainmentOfAScriptedCampaign) {
  Fixture fixture;
  for (const char* account : {"c1_a", "c1_b", "c1_c"}) {
    fixture.verdicts.script.push_back({fixture.Id(account), kStart + 4 * kHour, Action::kBlock});
  }
  for (int hour = 0; hour < 10; ++hour) {
    for (const char* account : {"c1_a", "c1_b", "c1_c"}) fixture.Send(account, kStart + hour * kHour + 30 * kMinute);
    fixture.Send("h_casual", kStart + hour * kHour + 31 * kMinute, 50);
  }
  ReplayResult result = fixture.replayer->Finish();
  const CampaignReplay& c1 = Campaign(result, "c1");
  EXPECT_EQ(c1.accounts, 3u);
  EXPECT_EQ(c1.accounts_seen, 3u);
  EXPECT_EQ(c1.accounts_flagged, 3u);
  EXPECT_EQ(c1.traffic.requests, 30u);
  EXPECT_EQ(c1.traffic.served, 12u);
  EXPECT_EQ(c1.traffic.refused, 18u);
  EXPECT_EQ(c1.traffic.refused_by_verdict, 18u);
  EXPECT_EQ(c1.traffic.output_tokens, 3000u);
  EXPECT_EQ(c1.traffic.output_tokens_served, 1200u);
  EXPECT_DOUBLE_EQ(*c1.leakage(), 0.4);
  EXPECT_EQ(c1.first_ms, kStart + 30 * kMinute);
  EXPECT_EQ(c1.last_ms, kStart + 9 * kHour + 30 * kMinute);
  ASSERT_TRUE(c1.contained_ms.has_value());
  EXPECT_EQ(*c1.contained_ms, kStart + 4 * kHour);
  EXPECT_EQ(*c1.time_to_containment_ms(), 3 * kHour + 30 * kMinute);
  EXPECT_EQ(c1.series.served, (std::vector<uint64_t>{3, 3, 3, 3}));
  EXPECT_EQ(c1.series.refused, (std::vector<uint64_t>{0, 0, 0, 0, 3, 3, 3, 3, 3, 3}));
  // Honest traffic untouched.
  EXPECT_EQ(result.honest_total.requests, 10u);
  EXPECT_EQ(result.honest_total.refused, 0u);
  EXPECT_EQ(result.honest_accounts, 1u);
  EXPECT_EQ(result.honest_accounts_affected, 0u);
  EXPECT_EQ(result.start_ms, kStart);
  EXPECT_EQ(result.events, 40u);
  EXPECT_EQ(result.rescores, 10u);  // nine hour boundaries crossed, and the last one
  // Whole-log evidence on schedule, then complete at the end (equal to batch).
  std::vector<engine::Freshness> freshness(9, engine::Freshness::kScheduled);
  freshness.push_back(engine::Freshness::kComplete);
  EXPECT_EQ(fixture.verdicts.freshness_of_rescores, freshness);
  EXPECT_FALSE(result.unknown.has_value());
}

TEST(ReplayTest, EmptyCampaignsAndQuietAccountsHaveNoFigures) {
  Fixture fixture;
  fixture.Send("c1_a", kStart);
  ReplayResult result = fixture.replayer->Finish();
  const CampaignReplay& c2 = Campaign(result, "c2");
  EXPECT_EQ(c2.accounts, 2u);
  EXPECT_EQ(c2.accounts_seen, 0u);
  EXPECT_EQ(c2.traffic.requests, 0u);
  EXPECT_FALSE(c2.leakage().has_value());
  EXPECT_FALSE(c2.contained_ms.has_value());
  EXPECT_FALSE(c2.time_to_containment_ms().has_value());
  EXPECT_TRUE(c2.series.served.empty());
  // c1_a was never given a verdict: allowed, so never contained.
  const CampaignReplay& c1 = Campaign(result, "c1");
  EXPECT_EQ(c1.traffic.served, 1u);
  EXPECT_FALSE(c1.contained_ms.has_value());
  EXPECT_EQ(Segment(result, "developer").accounts, 0u);  // h_quiet never sent
  std::string text = ReplayReportText(result);
  EXPECT_THAT(text, HasSubstr("not contained"));
  EXPECT_THAT(text, HasSubstr("n/a"));
}

TEST(ReplayTest, NothingAtAll) {
  Fixture fixture;
  ReplayResult result = fixture.replayer->Finish();
  EXPECT_EQ(result.events, 0u);
  EXPECT_EQ(result.rescores, 0u);
  EXPECT_EQ(Campaign(result, "c1").traffic.requests, 0u);
  EXPECT_THAT(ReplayReportJson(result), HasSubstr(R"("leakage":null)"));
}

// Ties: requests at the very time of a rescore are judged by its verdicts;
// requests sharing a timestamp are judged alike; a bin refused at exactly the
// containment share counts as contained.
TEST(ReplayTest, TiesAtRescoreTimesAndAtTheContainmentShare) {
  Fixture fixture;
  fixture.verdicts.script.push_back({fixture.Id("c1_a"), kStart + kHour, Action::kBlock});
  fixture.Send("c1_a", kStart + 10 * kMinute);
  for (int copy = 0; copy < 3; ++copy) fixture.Send("c1_a", kStart + kHour);  // at the rescore: refused
  // Hour 2: c1_b (never flagged) sends 1, c1_a sends 9: 90% refused, exactly the share.
  fixture.Send("c1_b", kStart + 2 * kHour);
  for (int n = 0; n < 9; ++n) fixture.Send("c1_a", kStart + 2 * kHour + n * kMinute);
  ReplayResult result = fixture.replayer->Finish();
  const CampaignReplay& c1 = Campaign(result, "c1");
  EXPECT_EQ(c1.traffic.requests, 14u);
  EXPECT_EQ(c1.traffic.served, 2u);
  EXPECT_EQ(c1.series.refused, (std::vector<uint64_t>{0, 3, 9}));
  ASSERT_TRUE(c1.contained_ms.has_value());
  EXPECT_EQ(*c1.contained_ms, kStart + kHour);
}

TEST(ReplayTest, IndicatorsHoldAccountsNotYetScored) {
  Fixture fixture;
  fixture.verdicts.indicator_payments.push_back(fixture.interners.payment.Intern("pm_bad"));
  fixture.Send("c1_a", kStart, 100, "pm_good");                 // served: no indicator
  fixture.Send("c1_b", kStart + kMinute, 100, "pm_bad");        // refused, and held
  fixture.Send("c1_b", kStart + 2 * kMinute, 100, "pm_ok");     // still held
  fixture.Send("h_dev", kStart + 2 * kHour, 100, "pm_good");    // not scored, no indicator: served
  fixture.Send("c1_a", kStart + 2 * kHour, 100, "pm_bad");      // scored already: not checked
  fixture.Send("stranger", kStart + 3 * kHour, 100, "pm_bad");  // not in the truth
  ReplayResult result = fixture.replayer->Finish();
  const CampaignReplay& c1 = Campaign(result, "c1");
  EXPECT_EQ(c1.traffic.requests, 4u);
  EXPECT_EQ(c1.traffic.refused_by_indicator, 2u);
  EXPECT_EQ(c1.traffic.held_by_signal.at("payment"), 1u);
  EXPECT_EQ(c1.traffic.served, 2u);
  EXPECT_EQ(result.honest_total.refused, 0u);
  ASSERT_TRUE(result.unknown.has_value());
  EXPECT_EQ(result.unknown->segment, "(not in truth)");
  EXPECT_EQ(result.unknown->accounts, 1u);
  EXPECT_EQ(result.unknown->accounts_affected, 1u);
  EXPECT_EQ(result.unknown->traffic.refused_by_indicator, 1u);
}

TEST(ReplayTest, ThrottledAccountsAreServedOncePerInterval) {
  Fixture fixture({.rescore_ms = kHour, .throttle_ms = kMinute});
  fixture.verdicts.script.push_back({fixture.Id("h_dev"), kStart, Action::kThrottle});
  fixture.Send("h_casual", kStart);  // before the first rescore
  // From the rescore at hour 1: a request every 30 s: every other one served.
  for (int n = 0; n < 10; ++n) fixture.Send("h_dev", kStart + kHour + n * 30000);
  ReplayResult result = fixture.replayer->Finish();
  const SegmentReplay& developer = Segment(result, "developer");
  EXPECT_EQ(developer.traffic.served, 5u);
  EXPECT_EQ(developer.traffic.refused_by_throttle, 5u);
  EXPECT_EQ(developer.accounts_affected, 1u);
  EXPECT_EQ(result.honest_accounts_affected, 1u);
}

TEST(ReplayTest, LateEventsAreCountedAndReplayedAtTheClock) {
  Fixture fixture;
  fixture.Send("h_casual", kStart + 2 * kHour);
  fixture.Send("h_casual", kStart + kHour);  // late
  ReplayResult result = fixture.replayer->Finish();
  EXPECT_EQ(result.late_events, 1u);
  EXPECT_EQ(Segment(result, "casual").series.served, (std::vector<uint64_t>{2}));  // both at the clock
  EXPECT_THAT(ReplayReportText(result), HasSubstr("1 events were earlier"));
}

TEST(ReplayTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration("1h"), kHour);
  EXPECT_EQ(ParseDuration("30m"), 30 * kMinute);
  EXPECT_EQ(ParseDuration("90s"), 90000);
  EXPECT_EQ(ParseDuration("1500ms"), 1500);
  EXPECT_EQ(ParseDuration("2d"), 48 * kHour);
  EXPECT_EQ(ParseDuration("60"), 60000);
  for (const char* bad : {"", "h", "0h", "-1h", "1x", "1.5h", "99999999999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(ReplayTest, JsonCarriesEveryFigure) {
  Fixture fixture;
  fixture.verdicts.script.push_back({fixture.Id("c1_a"), kStart, Action::kChallenge});
  fixture.Send("c1_a", kStart);
  fixture.Send("c1_a", kStart + kHour);
  ReplayResult result = fixture.replayer->Finish();
  std::string json = ReplayReportJson(result);
  for (const char* expected :
       {R"("campaign":"c1","accounts":3,"accounts_seen":1,"accounts_flagged":1,"requests":2,"served":1,"refused":1)",
        R"("leakage":0.50000000)", R"("time_to_containment_ms":3600000)", R"("served_by_interval":[1])",
        R"("refused_by_interval":[0,1])", R"("not_in_truth":null)", R"("segment":"casual")"}) {
    EXPECT_THAT(json, HasSubstr(expected));
  }
}

// The real engine on the hand-built hydra: every hydra account ends refused,
// no honest request is, and the verdicts at the end are batch detection's.
TEST(ReplayTest, EngineReplayEndsWithBatchVerdicts) {
  std::vector<engine::internal::Request> log;
  engine::internal::AddHydra(&log);
  engine::internal::AddHonest(&log);
  std::stable_sort(log.begin(), log.end(), [](const auto& a, const auto& b) { return a.ts < b.ts; });
  std::string text;
  for (const auto& request : log) text += engine::internal::ToJson(request, true);
  eval::Truth truth;
  for (int n = 0; n < 30; ++n) truth[fmt::format("hydra_{}", n)] = {true, "hydra", "hydra"};
  for (int n = 0; n < 100; ++n) truth[fmt::format("honest_{}", n)] = {false, "", "people"};

  ingest::Interners interners;
  auto engine = engine::Engine::Create({}, nullptr, &interners);
  ASSERT_TRUE(engine.ok());
  EngineVerdicts verdicts(engine->get());
  Replayer replayer(&verdicts, truth, &interners, {});
  ingest::BadInputLog bad_input(nullptr);
  ingest::ReadCounters counters;
  ASSERT_TRUE(ingest::ReadEvents({testing::WriteTempFile(text)}, {}, &interners, &bad_input, &counters,
                                 [&](const ingest::Event& event) { replayer.Process(event); })
                  .ok());
  ReplayResult result = replayer.Finish();
  const CampaignReplay& hydra = Campaign(result, "hydra");
  EXPECT_EQ(hydra.accounts_flagged, 30u);
  EXPECT_EQ(hydra.traffic.requests, 30u * 14 * 40);
  EXPECT_LT(*hydra.leakage(), 0.5);
  EXPECT_TRUE(hydra.contained_ms.has_value());
  EXPECT_EQ(result.honest_total.refused, 0u);
  engine::Detection batch = (*engine)->Detect();
  for (const engine::AccountVerdict& verdict : batch.verdicts) {
    EXPECT_EQ(verdicts.action(verdict.account), verdict.action) << interners.account.Name(verdict.account);
  }
}

}  // namespace
}  // namespace hydraguard::replay
