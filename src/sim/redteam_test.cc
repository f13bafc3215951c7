// The redteam scenario: every strategy axis value shows up in the events it
// claims, the truth carries the strategy, and each honest look-alike has the
// properties that would make a naive rule on its axis flag it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "eval/evaluation.h"
#include "ingest/timestamp.h"
#include "io/output_file.h"
#include "sim/scenario.h"
#include "sim/simulator.h"
#include "sim/strategy.h"
#include "simdjson.h"
#include "testing/test_files.h"

namespace hydraguard::sim {
namespace {

constexpr int64_t kHourMs = 3600000, kDayMs = 24 * kHourMs;
const int64_t kStart = ingest::DaysFromCivil(2026, 6, 1) * kDayMs;

struct Line {
  std::string account, ip, payment, email, ua, verified, prompt, system;
  bool has_prompt = false, has_payment = false, stream = false;
  int64_t ts = 0, created = 0, turn = 0, tools = 0, max_tokens = 0;
};

struct Log {
  std::vector<Line> lines;
  eval::Truth truth;
  std::map<std::string, std::vector<const Line*>> by_account;
  std::map<std::string, std::vector<const Line*>> by_segment;
};

// Simulates `groups` over 14 days and reads every line back.
Log Simulated(std::vector<GroupSpec> groups, uint64_t seed = 5) {
  Scenario scenario{.name = "test",
                    .scale = 1,
                    .start_ms = kStart,
                    .end_ms = kStart + 14 * kDayMs,
                    .model_release_ms = kStart + 14 * kDayMs,
                    .groups = std::move(groups)};
  std::string events_path = testing::TempPath(".jsonl"), truth_path = testing::TempPath(".truth.jsonl");
  auto events = io::OutputFile::Open(events_path);
  auto truth = io::OutputFile::Open(truth_path);
  SimulateOptions options{.seed = seed};
  absl::StatusOr<SimulationSummary> summary = Simulate(scenario, options, events->get(), truth->get());
  EXPECT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE((*events)->Close().ok() && (*truth)->Close().ok());
  Log log;
  ingest::BadInputLog bad(stderr);
  log.truth = *eval::ReadTruth(truth_path, &bad);
  EXPECT_EQ(bad.bad_lines(), 0u);
  simdjson::dom::parser parser;
  std::string text = testing::ReadWholeFile(events_path);
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    simdjson::dom::object object = parser.parse(text.data() + begin, end - begin).get_object().value();
    Line line;
    auto str = [&](const char* field, std::string* out) {
      std::string_view value;
      if (!object[field].get_string().get(value)) *out = std::string(value);
      return !object[field].error();
    };
    str("account", &line.account);
    str("ip", &line.ip);
    line.has_payment = str("payment", &line.payment);
    str("email_domain", &line.email);
    str("ua", &line.ua);
    str("verified", &line.verified);
    line.has_prompt = str("prompt", &line.prompt);
    str("system", &line.system);
    line.ts = object["ts"].get_int64().value();
    line.created = object["account_created"].get_int64().value();
    line.turn = object["turn"].get_int64().value();
    line.tools = object["tools"].get_int64().value();
    line.max_tokens = object["max_tokens"].get_int64().value();
    line.stream = object["stream"].get_bool().value();
    log.lines.push_back(std::move(line));
    begin = end + 1;
  }
  std::filesystem::remove(events_path);
  std::filesystem::remove(truth_path);
  for (const Line& line : log.lines) {
    log.by_account[line.account].push_back(&line);
    log.by_segment[log.truth.at(line.account).segment].push_back(&line);
  }
  return log;
}

GroupSpec CampaignWith(Strategy strategy, double accounts = 40) {
  GroupSpec spec{.name = "rt", .behavior = Behavior::kCampaign, .access = Access::kProxy};
  spec.start_ms = kStart + 4 * kDayMs;
  spec.end_ms = kStart + 12 * kDayMs;
  spec.billing_countries = {"US", "SG"};
  strategy.accounts = accounts;
  ApplyStrategy(strategy, &spec);
  return spec;
}

Strategy Base() {
  Strategy s;
  s.requests_per_day = 40;
  s.life = LifeStrategy::kWholeWindow;
  return s;
}

// Accounts per value of `field` among `lines`.
template <typename Field>
std::map<std::string, std::set<std::string>> AccountsBy(const std::vector<const Line*>& lines, Field field) {
  std::map<std::string, std::set<std::string>> out;
  for (const Line* line : lines) out[field(*line)].insert(line->account);
  return out;
}

template <typename Field>
std::map<std::string, std::set<std::string>> AccountsBy(const std::vector<Line>& lines, Field field) {
  std::vector<const Line*> pointers;
  for (const Line& line : lines) pointers.push_back(&line);
  return AccountsBy(pointers, field);
}

size_t LargestGroup(const std::map<std::string, std::set<std::string>>& groups) {
  size_t largest = 0;
  for (const auto& [value, accounts] : groups) largest = std::max(largest, accounts.size());
  return largest;
}

TEST(RedteamScenarioTest, DrawsEveryAxisValueAndWritesTheStrategyToTheTruth) {
  std::map<std::string, std::set<std::string>> seen;
  for (uint64_t index = 0; index < 400; ++index) {
    Rng rng(index);
    for (const auto& [axis, value] : StrategyAxes(DrawStrategy(rng))) seen[axis].insert(value);
  }
  for (const auto& [axis, values] : StrategySpace()) {
    EXPECT_EQ(seen[axis], std::set<std::string>(values.begin(), values.end())) << axis;
  }
  absl::StatusOr<Scenario> scenario = MakeScenario("redteam", 0.01, 7, 3);
  ASSERT_TRUE(scenario.ok());
  int campaigns = 0;
  for (const GroupSpec& group : scenario->groups) campaigns += group.campaign();
  EXPECT_EQ(campaigns, 3);
  Log log = Simulated({CampaignWith(Base())});
  for (const auto& [account, entry] : log.truth) {
    ASSERT_EQ(entry.strategy.size(), StrategySpace().size());
    EXPECT_EQ(entry.strategy[0].first, "cards");
  }
  EXPECT_FALSE(MakeScenario("redteam", 0.01, 7, -1).ok());
}

TEST(RedteamScenarioTest, CardAxis) {
  Strategy s = Base();
  s.cards = CardStrategy::kLargeGroups;
  s.accounts_per_card = 20;
  Log log = Simulated({CampaignWith(s)});
  EXPECT_GE(LargestGroup(AccountsBy(log.lines, [](const Line& l) { return l.payment; })), 15u);
  s.cards = CardStrategy::kSmallGroups;
  s.accounts_per_card = 3;
  log = Simulated({CampaignWith(s)});
  size_t largest = LargestGroup(AccountsBy(log.lines, [](const Line& l) { return l.payment; }));
  EXPECT_GE(largest, 2u);
  EXPECT_LE(largest, 3u);
  s.cards = CardStrategy::kOnePerAccount;
  log = Simulated({CampaignWith(s)});
  EXPECT_EQ(LargestGroup(AccountsBy(log.lines, [](const Line& l) { return l.payment; })), 1u);
  s.cards = CardStrategy::kNone;
  log = Simulated({CampaignWith(s)});
  for (const Line& line : log.lines) EXPECT_FALSE(line.has_payment);
}

TEST(RedteamScenarioTest, EmailAndVerificationAxes) {
  Strategy s = Base();
  s.email = EmailStrategy::kSharedDomain;
  s.verification = VerificationStrategy::kPhone;
  Log log = Simulated({CampaignWith(s)});
  EXPECT_EQ(AccountsBy(log.lines, [](const Line& l) { return l.email; }).size(), 1u);
  for (const Line& line : log.lines) EXPECT_EQ(line.verified, "phone");
  s.email = EmailStrategy::kThrowawayDomains;
  s.verification = VerificationStrategy::kEmail;
  log = Simulated({CampaignWith(s)});
  auto domains = AccountsBy(log.lines, [](const Line& l) { return l.email; });
  EXPECT_GE(domains.size(), 10u);
  EXPECT_LE(LargestGroup(domains), 3u);
  for (const Line& line : log.lines) EXPECT_EQ(line.verified, "email");
  s.email = EmailStrategy::kWebmail;
  log = Simulated({CampaignWith(s)});
  for (const Line& line : log.lines) {
    EXPECT_THAT(line.email, ::testing::AnyOf("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com",
                                             "proton.me", "qq.com", "163.com"));
  }
}

TEST(RedteamScenarioTest, AgeAxis) {
  Strategy s = Base();
  s.age = AgeStrategy::kAged;
  s.cards = CardStrategy::kLargeGroups;
  GroupSpec spec = CampaignWith(s);
  Log log = Simulated({spec});
  size_t with_history = 0;
  for (const auto& [account, lines] : log.by_account) {
    EXPECT_LT(lines.front()->created, spec.start_ms - 59 * kDayMs) << account;
    // Honest history before the switch: the owner's own card and no campaign system prompt.
    std::set<std::string> cards;
    bool before = false;
    for (const Line* line : lines) {
      cards.insert(line->payment);
      before |= line->ts < spec.start_ms;
    }
    with_history += before;
    if (before) {
      EXPECT_EQ(cards.size(), 2u) << account;  // its own card, then the campaign's
    }
  }
  EXPECT_GE(with_history, log.by_account.size() * 8 / 10);
  s.age = AgeStrategy::kTrickle;
  log = Simulated({CampaignWith(s)});
  for (const auto& [account, lines] : log.by_account) {
    EXPECT_LE(lines.front()->ts - lines.front()->created, 49 * kHourMs + 12 * kHourMs) << account;
  }
  s.age = AgeStrategy::kSignupBursts;
  log = Simulated({CampaignWith(s)});
  // Sign-ups in batches: many accounts created within the same 45 minutes.
  auto created_hours = AccountsBy(log.lines, [](const Line& l) { return std::to_string(l.created / kHourMs); });
  EXPECT_GE(LargestGroup(created_hours), 10u);
}

TEST(RedteamScenarioTest, NetworkAxis) {
  Strategy s = Base();
  s.network = NetworkStrategy::kResidentialPerRequest;
  Log log = Simulated({CampaignWith(s)});
  std::set<std::string> ips;
  for (const Line& line : log.lines) ips.insert(line.ip);
  EXPECT_GE(ips.size(), log.lines.size() * 9 / 10);
  s.network = NetworkStrategy::kStaticIsp;
  log = Simulated({CampaignWith(s)});
  auto accounts_by_ip = AccountsBy(log.lines, [](const Line& l) { return l.ip; });
  EXPECT_EQ(accounts_by_ip.size(), log.by_account.size());  // one address per account, none shared
  EXPECT_EQ(LargestGroup(accounts_by_ip), 1u);
  s.network = NetworkStrategy::kIpv6Rotating;
  log = Simulated({CampaignWith(s)});
  std::set<std::string> sites, addresses;
  for (const Line& line : log.lines) {
    ASSERT_NE(line.ip.find(':'), std::string::npos);
    sites.insert(line.ip.substr(0, line.ip.find(':', line.ip.find(':', line.ip.find(':') + 1) + 1)));
    addresses.insert(line.ip);
  }
  EXPECT_LE(sites.size(), 4u);
  EXPECT_GE(sites.size(), 2u);
  EXPECT_GE(addresses.size(), log.lines.size() * 9 / 10);
  s.network = NetworkStrategy::kDatacenter;
  log = Simulated({CampaignWith(s)});
  for (const auto& [account, lines] : log.by_account) {
    EXPECT_EQ(AccountsBy(lines, [](const Line& l) { return l.ip; }).size(), 1u) << account;
  }
}

TEST(RedteamScenarioTest, ClientAxis) {
  Strategy s = Base();
  s.client = ClientStrategy::kOneStack;
  Log log = Simulated({CampaignWith(s)});
  EXPECT_EQ(AccountsBy(log.lines, [](const Line& l) { return l.ua; }).size(), 1u);
  s.client = ClientStrategy::kHonestMix;
  log = Simulated({CampaignWith(s)});
  EXPECT_GE(AccountsBy(log.lines, [](const Line& l) { return l.ua; }).size(), 3u);
  s.client = ClientStrategy::kSwitched;
  GroupSpec spec = CampaignWith(s);
  log = Simulated({spec});
  int64_t middle = spec.start_ms + (spec.end_ms - spec.start_ms) / 2;
  std::set<std::string> before, after;
  for (const Line& line : log.lines) (line.ts < middle ? before : after).insert(line.ua);
  EXPECT_EQ(before.size(), 1u);
  EXPECT_EQ(after.size(), 1u);
  EXPECT_NE(before, after);
}

TEST(RedteamScenarioTest, ContentAxis) {
  Strategy s = Base();
  s.content = ContentStrategy::kNoText;
  Log log = Simulated({CampaignWith(s)});
  for (const Line& line : log.lines) EXPECT_FALSE(line.has_prompt);
  s.content = ContentStrategy::kRawTasks;
  log = Simulated({CampaignWith(s)});
  for (const Line& line : log.lines) EXPECT_TRUE(line.system.empty());
  s.content = ContentStrategy::kTemplate;
  log = Simulated({CampaignWith(s)});
  auto systems = AccountsBy(log.lines, [](const Line& l) { return l.system; });
  EXPECT_LE(systems.size(), 2u);  // one system prompt (two wordings)
  s.content = ContentStrategy::kAgentic;
  log = Simulated({CampaignWith(s)});
  int64_t max_turn = 0, tool_results = 0;
  for (const Line& line : log.lines) {
    max_turn = std::max(max_turn, line.turn);
    tool_results += line.turn > 1 && line.tools > 0;
  }
  EXPECT_GE(max_turn, 10);
  EXPECT_GT(tool_results, static_cast<int64_t>(log.lines.size()) / 2);
  s.content = ContentStrategy::kParaphrased;
  log = Simulated({CampaignWith(s)});
  std::set<std::string> openings;
  uint64_t turn1 = 0;
  for (const Line& line : log.lines) {
    if (line.turn != 1) continue;
    ++turn1;
    openings.insert(line.prompt.substr(0, 30));
  }
  EXPECT_GE(openings.size(), turn1 / 4);  // no fixed prefix
  s.content = ContentStrategy::kGrading;
  log = Simulated({CampaignWith(s)});
  for (const Line& line : log.lines) {
    EXPECT_THAT(line.prompt, ::testing::AnyOf(::testing::HasSubstr("Response A"), ::testing::HasSubstr("ubric"),
                                              ::testing::HasSubstr("core")))
        << line.prompt;
  }
}

// Turn-1 request times of the campaign, as seconds into the hour.
TEST(RedteamScenarioTest, TimingAxis) {
  Strategy s = Base();
  s.requests_per_day = 100;
  s.timing = TimingStrategy::kUniform;
  Log log = Simulated({CampaignWith(s)});
  std::array<uint64_t, 24> hours{};
  for (const Line& line : log.lines) ++hours[(line.ts / kHourMs) % 24];
  EXPECT_GT(*std::min_element(hours.begin(), hours.end()) * 2, *std::max_element(hours.begin(), hours.end()));
  s.timing = TimingStrategy::kDiurnal;
  GroupSpec diurnal = CampaignWith(s);
  diurnal.billing_countries = {"US"};  // one time zone
  log = Simulated({diurnal});
  hours = {};
  for (const Line& line : log.lines) ++hours[(line.ts / kHourMs) % 24];
  EXPECT_LT(*std::min_element(hours.begin(), hours.end()) * 4, *std::max_element(hours.begin(), hours.end()));
  s.timing = TimingStrategy::kJobWaves;
  s.job_gap_hours = 3;
  log = Simulated({CampaignWith(s)});
  // Sessions start within minutes of a dispatch: most turn-1 requests fall in
  // a few busy 15-minute windows.
  std::map<int64_t, std::set<std::string>> windows;
  uint64_t turn1 = 0;
  for (const Line& line : log.lines) {
    if (line.turn != 1) continue;
    ++turn1;
    windows[line.ts / (15 * 60000)].insert(line.account);
  }
  size_t crowded = 0;
  for (const auto& [window, accounts] : windows) crowded += accounts.size() >= 10;
  EXPECT_GT(crowded, 10u);
  s.timing = TimingStrategy::kSameHoursSwitchOn;
  s.requests_per_day = 300;
  GroupSpec spec = CampaignWith(s);
  log = Simulated({spec});
  for (const auto& [account, lines] : log.by_account) {
    EXPECT_LT(lines.front()->ts, spec.start_ms + 6 * kHourMs) << account;
  }
}

TEST(RedteamScenarioTest, VolumeLifeAndCover) {
  Strategy s = Base();
  s.life = LifeStrategy::kHours;
  s.requests_per_day = 200;
  Log log = Simulated({CampaignWith(s, 60)});
  for (const auto& [account, lines] : log.by_account) {
    EXPECT_LE(lines.back()->ts - lines.front()->ts, 25 * kHourMs) << account;
  }
  s.life = LifeStrategy::kWholeWindow;
  s.requests_per_day = 30;
  GroupSpec spec = CampaignWith(s);
  log = Simulated({spec});
  double days = static_cast<double>(spec.end_ms - spec.start_ms) / kDayMs;
  double per_day = static_cast<double>(log.lines.size()) / log.by_account.size() / days;
  EXPECT_GT(per_day, 15);
  EXPECT_LT(per_day, 60);
  s.content = ContentStrategy::kTemplate;
  s.cover_share = 0.5;
  log = Simulated({CampaignWith(s)});
  uint64_t turn1 = 0, covered = 0;
  for (const Line& line : log.lines) {
    if (line.turn != 1) continue;
    ++turn1;
    covered += line.system.empty();
  }
  EXPECT_NEAR(static_cast<double>(covered) / turn1, 0.5, 0.15);
}

std::vector<GroupSpec> LookAlike(std::string_view name, double accounts) {
  for (GroupSpec& spec : RedteamHonestSegments(kStart, kStart + 14 * kDayMs)) {
    if (spec.name != name) continue;
    spec.accounts = accounts;
    return {spec};
  }
  ADD_FAILURE() << "no segment " << name;
  return {};
}

TEST(RedteamLookAlikeTest, UniversityDepartmentSharesCardDomainAndSlash24) {
  Log log = Simulated(LookAlike("university_dept", 60));
  EXPECT_EQ(AccountsBy(log.lines, [](const Line& l) { return l.payment; }).size(), 1u);
  EXPECT_EQ(AccountsBy(log.lines, [](const Line& l) { return l.email; }).size(), 1u);
  EXPECT_EQ(AccountsBy(log.lines, [](const Line& l) { return l.ip.substr(0, l.ip.rfind('.')); }).size(), 1u);
  uint64_t cot = 0;
  for (const Line& line : log.lines)
    cot += line.prompt.find("reason") != std::string::npos || line.prompt.find("step") != std::string::npos;
  EXPECT_GT(cot, log.lines.size() / 5);
}

TEST(RedteamLookAlikeTest, HackathonIsAFreshBurstBehindFewAddressesSharingChallenges) {
  std::vector<GroupSpec> groups = LookAlike("hackathon", 200);
  int64_t event_start = groups[0].start_ms;
  Log log = Simulated(groups);
  EXPECT_GE(log.by_account.size(), 150u);
  EXPECT_LE(AccountsBy(log.lines, [](const Line& l) { return l.ip; }).size(), 4u);
  for (const Line& line : log.lines) EXPECT_GE(line.created, event_start - 2 * kHourMs);
  EXPECT_GE(LargestGroup(AccountsBy(log.lines, [](const Line& l) { return l.turn == 1 ? l.prompt : ""; })), 20u);
  uint64_t night = 0;
  for (const Line& line : log.lines) night += (line.ts / kHourMs) % 24 < 5;
  EXPECT_GT(night, 0u);
}

TEST(RedteamLookAlikeTest, CodingAgentUsersShareOneStack) {
  Log log = Simulated(LookAlike("coding_agent", 40));
  EXPECT_EQ(AccountsBy(log.lines, [](const Line& l) { return l.ua; }).size(), 1u);
  for (const Line& line : log.lines) {
    EXPECT_EQ(line.max_tokens, 32000);
    EXPECT_TRUE(line.stream);
    EXPECT_THAT(line.tools, ::testing::AnyOf(0, 17));
  }
}

TEST(RedteamLookAlikeTest, Ipv6PrivacyAddressesStayInOneSlash64) {
  Log log = Simulated(LookAlike("ipv6_privacy", 300));
  uint64_t rotating = 0;
  for (const auto& [account, lines] : log.by_account) {
    if (lines.front()->ip.find(':') == std::string::npos) continue;
    std::set<std::string> prefixes, addresses;
    for (const Line* line : lines) {
      size_t cut = 0;
      for (int group = 0; group < 4; ++group) cut = line->ip.find(':', cut) + 1;
      prefixes.insert(line->ip.substr(0, cut));
      addresses.insert(line->ip);
    }
    EXPECT_EQ(prefixes.size(), 1u) << account;
    rotating += addresses.size() == lines.size() && lines.size() > 1;
  }
  EXPECT_GT(rotating, 10u);
}

TEST(RedteamLookAlikeTest, OtherLookAlikes) {
  Log zdr = Simulated(LookAlike("zero_retention", 20));
  for (const Line& line : zdr.lines) EXPECT_FALSE(line.has_prompt);
  Log upgrade = Simulated(LookAlike("sdk_upgrade", 60));
  size_t switched = 0;
  for (const auto& [account, lines] : upgrade.by_account) {
    switched += AccountsBy(lines, [](const Line& l) { return l.ua; }).size() == 2;
  }
  EXPECT_GT(switched, upgrade.by_account.size() / 3);
  Log cron = Simulated(LookAlike("scheduled_jobs", 30));
  for (const Line& line : cron.lines) {
    if (line.turn == 1) {
      EXPECT_LT(line.ts % kHourMs, 10000);  // on the hour
    }
  }
  Log judge = Simulated(LookAlike("judge_company", 5));
  EXPECT_GT(judge.lines.size(), 1000u);
  Log batch = Simulated(LookAlike("batch_customer", 2));
  std::array<uint64_t, 24> hours{};
  for (const Line& line : batch.lines) ++hours[(line.ts / kHourMs) % 24];
  EXPECT_GT(*std::min_element(hours.begin(), hours.end()), 0u);
}

}  // namespace
}  // namespace hydraguard::sim
