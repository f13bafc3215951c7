// Rescorer must agree with Engine::Detect() after every rescore, on
// hand-built logs and on a simulated mix of campaigns and honest traffic,
// while reading only what changed.
#include "engine/rescorer.h"

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/internal/test_scenarios.h"
#include "fmt/format.h"
#include "gtest/gtest.h"
#include "ingest/event_reader.h"
#include "io/output_file.h"
#include "sim/simulator.h"
#include "testing/test_files.h"

namespace hydraguard::engine {
namespace {

using internal::AddHonest;
using internal::AddHydra;
using internal::kDay;
using internal::kHour;
using internal::kStart;
using internal::Request;
using internal::ToJson;

// Detect() over the same engine: every account's action and points, and the
// campaigns' accounts.
void ExpectSameAsDetect(const Engine& engine, const Rescorer& rescorer, const std::string& when) {
  Detection detection = engine.Detect();
  size_t mismatches = 0;
  for (const AccountVerdict& verdict : detection.verdicts) {
    if (engine.features().Get(verdict.account).events == 0) continue;
    if (rescorer.action(verdict.account) != verdict.action || rescorer.points(verdict.account) != verdict.points) {
      if (++mismatches <= 5) {
        ADD_FAILURE() << when << ": account " << verdict.account << " rescorer "
                      << ActionName(rescorer.action(verdict.account)) << " " << rescorer.points(verdict.account)
                      << ", Detect " << ActionName(verdict.action) << " " << verdict.points;
      }
    }
  }
  std::vector<std::vector<ingest::Id>> expected;
  for (const Campaign& campaign : detection.campaigns) expected.push_back(campaign.accounts);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(rescorer.Campaigns(), expected) << when;
}

struct Replayed {
  ingest::Interners interners;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Rescorer> rescorer;
  size_t rescores = 0;
};

// Reads `path` in order, rescoring every `every_ms` of event time, and
// checks against Detect() every `check_every` rescores and at the end.
std::unique_ptr<Replayed> Replay(const std::string& path, int64_t every_ms, size_t check_every,
                                 const EngineConfig& config = {}) {
  auto run = std::make_unique<Replayed>();
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(config, nullptr, &run->interners);
  EXPECT_TRUE(engine.ok()) << engine.status();
  run->engine = *std::move(engine);
  run->rescorer = std::make_unique<Rescorer>(run->engine.get());
  ingest::BadInputLog bad_input(nullptr);
  ingest::ReadCounters counters;
  int64_t next_ms = INT64_MIN;
  absl::Status read =
      ingest::ReadEvents({path}, {}, &run->interners, &bad_input, &counters, [&](const ingest::Event& event) {
        if (next_ms == INT64_MIN) next_ms = event.ts_ms + every_ms;
        if (event.ts_ms >= next_ms) {
          run->rescorer->Rescore(Freshness::kComplete);
          if (++run->rescores % check_every == 0) {
            ExpectSameAsDetect(*run->engine, *run->rescorer, fmt::format("rescore {}", run->rescores));
          }
          while (next_ms <= event.ts_ms) next_ms += every_ms;
        }
        run->engine->Add(event);
      });
  EXPECT_TRUE(read.ok()) << read;
  run->rescorer->Rescore(Freshness::kComplete);
  ExpectSameAsDetect(*run->engine, *run->rescorer, "end of log");
  return run;
}

std::string WriteLog(const std::vector<Request>& log, bool with_text) {
  std::vector<Request> ordered = log;
  std::stable_sort(ordered.begin(), ordered.end(), [](const Request& a, const Request& b) { return a.ts < b.ts; });
  std::string text;
  for (const Request& request : ordered) text += ToJson(request, with_text);
  return testing::WriteTempFile(text);
}

TEST(RescorerTest, AgreesWithDetectAfterEveryRescoreOnHandBuiltLogs) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  for (bool with_text : {true, false}) {
    SCOPED_TRACE(with_text ? "with text" : "metadata-only");
    std::unique_ptr<Replayed> run = Replay(WriteLog(log, with_text), 3 * kHour, 1);
    EXPECT_GT(run->rescores, 100u);
    EXPECT_EQ(run->rescorer->Campaigns().size(), 1u);
  }
}

// Accounts that join their hubs only because a card partner holds the same
// hub (JoinEvidence::corroborated): the rescorer must follow partners.
// Here cards are shared by two, and the second of each pair starts a week
// late: the first must be judged again when its partner arrives.
TEST(RescorerTest, AgreesWithDetectWhenCardPartnersCorroborateABurst) {
  std::vector<Request> log;
  for (Request& request : internal::CardGroupsInBurstsHydra(true)) {
    if (request.account.starts_with("hydra_")) {
      int account = internal::HydraIndex(request);
      request.payment = fmt::format("pm_duo_{}", account / 2);
      if (account % 2 == 1 && request.ts < kStart + 7 * kDay) continue;
    }
    log.push_back(request);
  }
  std::unique_ptr<Replayed> run = Replay(WriteLog(log, false), 3 * kHour, 1);
  EXPECT_GT(run->rescores, 100u);
  EXPECT_EQ(run->rescorer->Campaigns().size(), 2u);
}

// Random small logs built to move the corroboration rule's inputs while the
// log grows: cards shared by two accounts (vouchers), three sign-up bursts
// (joining hubs that need a second family or a voucher), accounts that start
// late, stop early, or move to another card midway (pairs that come and go),
// and volumes that cross the suspicion thresholds as days pass (member flags
// that flip). Checked after every rescore. (Hubs an account can leave, such
// as a client profile it stops using, are not in these logs.)
std::vector<Request> RandomCardsAndBursts(uint32_t seed) {
  std::mt19937 rng(seed);
  auto below = [&](uint32_t n) { return static_cast<int>(rng() % n); };
  std::vector<Request> log;
  constexpr int kAccounts = 60;
  for (int account = 0; account < kAccounts; ++account) {
    // Cards are held by two accounts each; one account in eight moves to
    // another account's card midway.
    int burst = below(3), card = account / 2, later_card = below(8) == 0 ? below(kAccounts / 2) : card;
    int first_day = below(6), last_day = first_day + 2 + below(8), switch_day = below(14);
    int per_day = 1 + below(60);
    for (int day = first_day; day <= last_day && day < 14; ++day) {
      for (int n = 0; n < per_day; ++n) {
        Request r;
        r.account = fmt::format("acct_{}", account);
        r.ts = kStart + day * kDay + static_cast<int64_t>(rng() % static_cast<uint32_t>(kDay));  // no schedule
        r.ip = fmt::format("198.51.{}.{}", account, below(4));
        r.created = kStart - kDay - burst * 3 * kDay + account * 1000;
        r.payment = fmt::format("pm_{}", day >= switch_day ? later_card : card);
        r.org = fmt::format("org_{}", account);
        r.output_tokens = 300 + 200 * below(10);
        r.ip_country = below(3) == 0 ? "DE" : "US";
        log.push_back(r);
      }
    }
  }
  AddHonest(&log);
  return log;
}

TEST(RescorerTest, AgreesWithDetectOnRandomCardsAndBursts) {
  EngineConfig without_vouchers;
  without_vouchers.pair_corroborates_hub = 0;
  size_t flagged = 0, flagged_without_vouchers = 0;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    std::string path = WriteLog(RandomCardsAndBursts(seed), false);
    std::unique_ptr<Replayed> run = Replay(path, 2 * kHour, 1);
    Detection without = Replay(path, 2 * kHour, 1000000, without_vouchers)->engine->Detect();
    for (const AccountVerdict& verdict : run->engine->Detect().verdicts) flagged += Flagged(verdict.action);
    for (const AccountVerdict& verdict : without.verdicts) flagged_without_vouchers += Flagged(verdict.action);
  }
  // The logs exercise the rule: vouchers flag accounts nothing else would.
  EXPECT_GT(flagged, flagged_without_vouchers);
}

// Writes a simulated log and returns its path.
std::string Simulated(std::string_view name, double scale, uint64_t seed, int campaigns) {
  absl::StatusOr<sim::Scenario> scenario = sim::MakeScenario(name, scale, seed, campaigns);
  EXPECT_TRUE(scenario.ok()) << scenario.status();
  std::string path = testing::TempPath(fmt::format("{}.jsonl", name));
  auto events = io::OutputFile::Open(path);
  auto truth = io::OutputFile::Open(testing::TempPath("truth.jsonl"));
  EXPECT_TRUE(events.ok() && truth.ok());
  absl::StatusOr<sim::SimulationSummary> summary =
      sim::Simulate(*scenario, {.seed = seed}, events->get(), truth->get());
  EXPECT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE((*events)->Close().ok() && (*truth)->Close().ok());
  return path;
}

TEST(RescorerTest, AgreesWithDetectOnASimulatedMix) {
  // Hourly rescores, checked against Detect() once a simulated day.
  std::unique_ptr<Replayed> run = Replay(Simulated("mixed", 0.002, 3, 8), kHour, 24);
  EXPECT_GT(run->rescores, 2000u);
  EXPECT_GE(run->rescorer->Campaigns().size(), 1u);
}

// The red-team grid: hubs without a minimum size, judged against a null rate
// that moves as accounts arrive (every key is judged again when it does).
TEST(RescorerTest, AgreesWithDetectOnTheRedTeamGrid) {
  std::unique_ptr<Replayed> run = Replay(Simulated("redteam", 0.01, 5, 4), kHour, 12);
  EXPECT_GT(run->rescores, 400u);
}

// A fleet tied together by co-activity alone: its group grows (and its key
// may change) as the log grows; complete rescores follow it exactly.
TEST(RescorerTest, AgreesWithDetectOnACoactiveFleet) {
  std::vector<Request> log;
  internal::AddJobWavesFleet(&log);
  internal::AddCronJobs(&log);
  AddHonest(&log);
  std::unique_ptr<Replayed> run = Replay(WriteLog(log, false), 6 * kHour, 1);
  EXPECT_GT(run->rescores, 50u);
  ASSERT_EQ(run->rescorer->Campaigns().size(), 1u);
  EXPECT_EQ(run->rescorer->Campaigns()[0].size(), 40u);
}

// Scheduled rescores find co-active groups again only once the log's time
// has moved refresh_hours and the log has grown by refresh_growth; a
// complete one brings them up to date (and reads the accounts whose group
// changed, though they sent nothing new).
TEST(RescorerTest, ScheduledRescoresRefreshCoactivityEveryRefreshHours) {
  std::vector<Request> log;
  internal::AddJobWavesFleet(&log);
  internal::AddCronJobs(&log);
  AddHonest(&log);
  for (auto [refresh_hours, refresh_growth] : std::vector<std::pair<double, double>>{{1000, 0.1}, {6, 1e6}, {6, 0.1}}) {
    SCOPED_TRACE(fmt::format("refresh_hours {} refresh_growth {}", refresh_hours, refresh_growth));
    bool stale = refresh_hours > 100 || refresh_growth > 100;
    EngineConfig config;
    config.link_signals["coactivity"].params["refresh_hours"] = refresh_hours;
    config.link_signals["coactivity"].params["refresh_growth"] = refresh_growth;
    ingest::Interners interners;
    absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(config, nullptr, &interners);
    ASSERT_TRUE(engine.ok()) << engine.status();
    Rescorer rescorer(engine->get());
    ingest::BadInputLog bad_input(nullptr);
    ingest::ReadCounters counters;
    int64_t next_ms = kStart + kHour;
    ASSERT_TRUE(ingest::ReadEvents({WriteLog(log, false)}, {}, &interners, &bad_input, &counters,
                                   [&](const ingest::Event& event) {
                                     if (event.ts_ms >= next_ms) {
                                       rescorer.Rescore();
                                       while (next_ms <= event.ts_ms) next_ms += kHour;
                                     }
                                     (*engine)->Add(event);
                                   })
                    .ok());
    rescorer.Rescore();
    size_t flagged_scheduled = 0;
    for (int account = 0; account < 40; ++account) {
      flagged_scheduled += Flagged(rescorer.action(interners.account.Find(fmt::format("fleet_{}", account))));
    }
    if (stale) {
      EXPECT_EQ(flagged_scheduled, 0u);  // groups as of the first hour: none yet
    } else {
      EXPECT_EQ(flagged_scheduled, 40u);  // groups at most six hours old (and 10% of the log)
    }
    RescoreStats complete = rescorer.Rescore(Freshness::kComplete);
    if (stale) {
      EXPECT_GE(complete.accounts, 40u);
    }
    ExpectSameAsDetect(**engine, rescorer, "complete rescore");
    EXPECT_EQ(rescorer.Campaigns().size(), 1u);
  }
}

TEST(RescorerTest, ReadsOnlyWhatChanged) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  std::unique_ptr<Replayed> run = Replay(WriteLog(log, true), kDay, 1);
  // Nothing new: nothing is read or re-examined, nothing changes.
  RescoreStats idle = run->rescorer->Rescore();
  EXPECT_EQ(idle.accounts, 0u);
  EXPECT_EQ(idle.clusters, 0u);
  EXPECT_TRUE(run->rescorer->changes().empty());
  // One honest account's request: it alone is read; the hydra's campaign is untouched.
  ingest::Event event;
  event.account = run->interners.account.Find("honest_3");
  event.ts_ms = kStart + 15 * kDay;
  event.present = (1u << static_cast<int>(ingest::Field::kTs)) | (1u << static_cast<int>(ingest::Field::kAccount));
  run->engine->Add(event);
  RescoreStats one = run->rescorer->Rescore();
  EXPECT_EQ(one.accounts, 1u);
  EXPECT_EQ(one.reexamined, 1u);
  ExpectSameAsDetect(*run->engine, *run->rescorer, "after one request");
}

TEST(RescorerTest, ReportsChangesAndIndicators) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  std::unique_ptr<Replayed> run = Replay(WriteLog(log, true), 14 * kDay, 1000);
  // The single rescore at the end flagged the hydra: 30 changes to block or challenge.
  size_t flagged = 0;
  for (const VerdictChange& change : run->rescorer->changes()) flagged += Flagged(change.after);
  EXPECT_EQ(flagged, 30u);
  EXPECT_GT(run->rescorer->indicator_count(), 0u);

  // A new account paying with a hydra card, or sending the hydra's system
  // prompt, matches; an honest-looking request does not.
  ingest::Event fresh;
  fresh.account = run->interners.account.Intern("new_account");
  fresh.ts_ms = kStart + 15 * kDay;
  fresh.present = (1u << static_cast<int>(ingest::Field::kTs)) | (1u << static_cast<int>(ingest::Field::kAccount));
  EXPECT_EQ(run->rescorer->MatchesIndicator(fresh), "");
  ingest::Event card = fresh;
  card.payment = run->interners.payment.Find("pm_hydra_1");
  card.present |= 1u << static_cast<int>(ingest::Field::kPayment);
  EXPECT_EQ(run->rescorer->MatchesIndicator(card), "");  // one signal is not enough
  ingest::Event honest_card = fresh;
  honest_card.payment = run->interners.payment.Find("pm_house_1");
  honest_card.present |= 1u << static_cast<int>(ingest::Field::kPayment);
  EXPECT_EQ(run->rescorer->MatchesIndicator(honest_card), "");
  ingest::Event system = fresh;
  system.system = "You are a meticulous expert. Answer every request in full, showing the method.";
  system.present |= 1u << static_cast<int>(ingest::Field::kSystem);
  EXPECT_EQ(run->rescorer->MatchesIndicator(system), "");
  ingest::Event both = card;
  both.system = system.system;
  both.present |= 1u << static_cast<int>(ingest::Field::kSystem);
  EXPECT_EQ(run->rescorer->MatchesIndicator(both), "payment+system_prompt");
  EXPECT_FALSE(run->rescorer->scored(fresh.account));
}

TEST(RescorerTest, AStartedEngineIsReadWhole) {
  std::vector<Request> log;
  AddHydra(&log);
  AddHonest(&log);
  ingest::Interners interners;
  auto engine = Engine::Create({}, nullptr, &interners);
  ASSERT_TRUE(engine.ok());
  ingest::BadInputLog bad_input(nullptr);
  ingest::ReadCounters counters;
  ASSERT_TRUE(
      ingest::ReadEvents({WriteLog(log, true)}, {}, &interners, &bad_input, &counters, [&](const ingest::Event& event) {
        (*engine)->Add(event);
      }).ok());
  Rescorer rescorer(engine->get());
  EXPECT_EQ(rescorer.Rescore().accounts, 130u);
  ExpectSameAsDetect(**engine, rescorer, "first rescore");
}

}  // namespace
}  // namespace hydraguard::engine
