// Every registered account signal, with its default parameters, on
// hand-built AccountFeatures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/account_features.h"
#include "engine/signal.h"
#include "text/capability.h"

namespace hydraguard::signals {
namespace {

using engine::AccountFeatures;
using engine::AccountSignal;
using engine::Evidence;
using engine::Registry;
using engine::SignalParams;
using ingest::Verification;
using ::testing::HasSubstr;
using text::Capability;

constexpr int64_t kStart = 1776816000000;  // 2026-04-22T00:00:00Z
constexpr int64_t kDay = 24 * 3600000LL;

std::unique_ptr<AccountSignal> Make(const std::string& name) {
  const engine::SignalFactory<AccountSignal>& factory = Registry<AccountSignal>().at(name);
  return factory.make(factory.info.defaults);
}

// The signal built with some defaults overridden.
std::unique_ptr<AccountSignal> MakeWith(const std::string& name, const SignalParams& overrides) {
  const engine::SignalFactory<AccountSignal>& factory = Registry<AccountSignal>().at(name);
  SignalParams params = factory.info.defaults;
  for (const auto& [key, value] : overrides) params[key] = value;
  return factory.make(params);
}

double Points(const AccountSignal& signal, const AccountFeatures& f) {
  std::optional<Evidence> evidence = signal.Score(f);
  EXPECT_TRUE(evidence);
  return evidence ? evidence->points : NAN;
}

// An account whose first request came `days` after sign-up.
AccountFeatures Aged(double days) {
  AccountFeatures f;
  f.events = 5;
  f.created_ms = kStart;
  f.first_ms = kStart + static_cast<int64_t>(days * kDay);
  f.last_ms = f.first_ms;
  return f;
}

// An account with `before` requests over `history_days`, then `after` over
// `after_days` since its first change of client or card.
AccountFeatures Switched(uint32_t before, double history_days, uint32_t after, double after_days) {
  AccountFeatures f;
  f.first_ms = kStart;
  f.switched = true;
  f.switch_ms = kStart + static_cast<int64_t>(history_days * kDay);
  f.last_ms = f.switch_ms + static_cast<int64_t>(after_days * kDay);
  f.events = before + after;
  f.events_before_switch = before;
  f.events_after_switch = after;
  return f;
}

AccountFeatures WithCapabilities(std::vector<std::pair<Capability, uint32_t>> counts) {
  AccountFeatures f;
  for (const auto& [capability, count] : counts) {
    f.capabilities[static_cast<size_t>(capability)] += count;
    f.with_text += count;
    f.events += count;
  }
  return f;
}

// The registry holds exactly the shipped account signals.
TEST(AccountSignalsTest, RegisteredNames) {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry<AccountSignal>()) {
    names.push_back(name);
    EXPECT_EQ(factory.info.name, name);
    EXPECT_FALSE(factory.info.description.empty()) << name;
    EXPECT_EQ(factory.info.family, engine::Family::kNone) << name;
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre(
                         "young_account", "verification", "volume", "output_harvest", "around_the_clock",
                         "regular_timing", "tool_use", "single_turn", "capability_mix", "reasoning_elicitation",
                         "dataset_tasks", "country_mismatch", "exit_countries", "hosting_exits", "account_switch"));
}

// Full weight for a day-old account, nothing at two months, negative points
// for an account older than old_days, a ramp in between, and nothing to say
// when the sign-up time is unknown.
TEST(AccountSignalsTest, YoungAccount) {
  auto signal = Make("young_account");
  EXPECT_DOUBLE_EQ(Points(*signal, Aged(0)), 1.2);
  EXPECT_DOUBLE_EQ(Points(*signal, Aged(1)), 1.2);
  EXPECT_NEAR(Points(*signal, Aged(16.5)), 0.6, 1e-9);  // halfway from 3 to 30 days
  EXPECT_DOUBLE_EQ(Points(*signal, Aged(60)), 0.0);
  EXPECT_DOUBLE_EQ(Points(*signal, Aged(400)), -0.8);
  AccountFeatures unknown = Aged(1);
  unknown.created_ms = -1;
  EXPECT_FALSE(signal->Score(unknown));
  AccountFeatures no_events = Aged(1);
  no_events.events = 0;
  EXPECT_FALSE(signal->Score(no_events));
  EXPECT_THAT(signal->Score(Aged(1))->reason, HasSubstr("1.0 days"));
  // Parameters are honoured.
  EXPECT_DOUBLE_EQ(Points(*MakeWith("young_account", {{"weight", 2.0}}), Aged(1)), 2.0);
  EXPECT_DOUBLE_EQ(Points(*MakeWith("young_account", {{"old_days", 50}}), Aged(60)), -0.8);
}

// Strong verification counts against, none counts for, email or phone is
// neutral, unknown says nothing.
TEST(AccountSignalsTest, Verification) {
  auto signal = Make("verification");
  auto tier = [](Verification verified) {
    AccountFeatures f;
    f.events = 1;
    f.verified = verified;
    return f;
  };
  EXPECT_FALSE(signal->Score(tier(Verification::kUnknown)));
  EXPECT_DOUBLE_EQ(Points(*signal, tier(Verification::kNone)), 0.3);
  EXPECT_DOUBLE_EQ(Points(*signal, tier(Verification::kEmail)), 0.0);
  EXPECT_DOUBLE_EQ(Points(*signal, tier(Verification::kPhone)), 0.0);
  EXPECT_DOUBLE_EQ(Points(*signal, tier(Verification::kPayment)), -1.0);
  EXPECT_DOUBLE_EQ(Points(*signal, tier(Verification::kId)), -1.0);
  EXPECT_DOUBLE_EQ(Points(*signal, tier(Verification::kEnterprise)), -1.0);
  EXPECT_THAT(signal->Score(tier(Verification::kPayment))->reason, HasSubstr("payment"));
}

// A couple of requests a day counts against; heavy daily volume counts for,
// on a log scale between 5 and 50 per day.
TEST(AccountSignalsTest, Volume) {
  auto signal = Make("volume");
  auto per_day = [](uint64_t events, uint32_t days) {
    AccountFeatures f;
    f.events = events;
    f.active_days = days;
    return f;
  };
  EXPECT_DOUBLE_EQ(Points(*signal, per_day(10, 10)), -0.5);   // 1 a day
  EXPECT_DOUBLE_EQ(Points(*signal, per_day(20, 10)), -0.5);   // 2 a day: still light
  EXPECT_DOUBLE_EQ(Points(*signal, per_day(40, 10)), 0.0);    // 4 a day: below the ramp
  EXPECT_DOUBLE_EQ(Points(*signal, per_day(5000, 10)), 0.8);  // 500 a day
  // sqrt(5 * 50) per day is halfway on the log scale.
  EXPECT_NEAR(Points(*signal, per_day(1581, 100)), 0.4, 0.01);
  EXPECT_GT(Points(*signal, per_day(300, 10)), Points(*signal, per_day(100, 10)));
}

// Long answers count for harvesting: none below 700 tokens per request,
// full weight from 2000; no events, nothing to say.
TEST(AccountSignalsTest, OutputHarvest) {
  auto signal = Make("output_harvest");
  auto mean_output = [](uint64_t tokens) {
    AccountFeatures f;
    f.events = 10;
    f.input_tokens = 10 * 100;
    f.output_tokens = 10 * tokens;
    return f;
  };
  EXPECT_DOUBLE_EQ(Points(*signal, mean_output(200)), 0.0);
  EXPECT_NEAR(Points(*signal, mean_output(1350)), 0.3, 1e-9);
  EXPECT_DOUBLE_EQ(Points(*signal, mean_output(3000)), 0.6);
  EXPECT_FALSE(signal->Score(AccountFeatures{}));
  EXPECT_THAT(signal->Score(mean_output(3000))->reason, HasSubstr("3000 output tokens"));
}

// Activity in every hour of the day counts; half the day does not; fewer
// than min_events (48) requests are too few to judge.
TEST(AccountSignalsTest, AroundTheClock) {
  auto signal = Make("around_the_clock");
  auto hours = [](int covered, uint64_t events) {
    AccountFeatures f;
    f.events = events;
    for (int hour = 0; hour < covered; ++hour) f.by_utc_hour[hour] = 1;
    return f;
  };
  EXPECT_FALSE(signal->Score(hours(24, 47)));
  EXPECT_DOUBLE_EQ(Points(*signal, hours(24, 48)), 0.5);
  EXPECT_DOUBLE_EQ(Points(*signal, hours(12, 100)), 0.0);
  EXPECT_NEAR(Points(*signal, hours(18, 100)), 0.5 * (0.75 - 0.6) / 0.3, 1e-9);
}

// Machine-regular gaps (low variation) count; bursty gaps do not; too few
// gaps say nothing.
TEST(AccountSignalsTest, RegularTiming) {
  auto signal = Make("regular_timing");
  auto timing = [](uint32_t gaps, double mean, double cv) {
    AccountFeatures f;
    f.events = gaps + 1;
    f.gaps = gaps;
    f.gap_mean = mean;
    f.gap_m2 = (cv * mean) * (cv * mean) * (gaps - 1);
    return f;
  };
  EXPECT_DOUBLE_EQ(Points(*signal, timing(50, 4.5, 0.0)), 0.3);
  EXPECT_DOUBLE_EQ(Points(*signal, timing(50, 4.5, 1.0)), 0.0);
  EXPECT_NEAR(Points(*signal, timing(50, 4.5, 0.325)), 0.15, 1e-6);
  EXPECT_FALSE(signal->Score(timing(10, 4.5, 0.0)));  // below min_gaps
  EXPECT_FALSE(signal->Score(AccountFeatures{}));
}

// Tool definitions in most requests count a little.
TEST(AccountSignalsTest, ToolUse) {
  auto signal = Make("tool_use");
  auto tools = [](uint32_t with_tools) {
    AccountFeatures f;
    f.events = 10;
    f.with_tools = with_tools;
    return f;
  };
  EXPECT_DOUBLE_EQ(Points(*signal, tools(0)), 0.0);
  EXPECT_DOUBLE_EQ(Points(*signal, tools(1)), 0.0);
  EXPECT_NEAR(Points(*signal, tools(4)), 0.1, 1e-9);
  EXPECT_DOUBLE_EQ(Points(*signal, tools(8)), 0.2);
}

// Nearly all one-shot requests count a little; too few turns known, no opinion.
TEST(AccountSignalsTest, SingleTurn) {
  auto signal = Make("single_turn");
  auto turns = [](uint32_t with_turn, uint32_t first_turns) {
    AccountFeatures f;
    f.events = with_turn;
    f.with_turn = with_turn;
    f.first_turns = first_turns;
    return f;
  };
  EXPECT_DOUBLE_EQ(Points(*signal, turns(100, 100)), 0.2);
  EXPECT_DOUBLE_EQ(Points(*signal, turns(100, 40)), 0.0);
  EXPECT_NEAR(Points(*signal, turns(100, 89)), 0.1, 1e-9);
  EXPECT_FALSE(signal->Score(turns(10, 10)));  // below min_events
  EXPECT_FALSE(signal->Score(AccountFeatures{}));
}

// Off by default (weight 0): no points whatever the mix.
TEST(AccountSignalsTest, CapabilityMixIsOffByDefault) {
  auto signal = Make("capability_mix");
  EXPECT_DOUBLE_EQ(Points(*signal, WithCapabilities({{Capability::kCode, 10}})), 0);
  EXPECT_DOUBLE_EQ(Points(*signal, WithCapabilities({{Capability::kChat, 10}})), 0);
}

// When enabled: chat-heavy traffic counts against, code-heavy for; no text, no opinion.
TEST(AccountSignalsTest, CapabilityMix) {
  auto signal = MakeWith("capability_mix", {{"weight", 0.8}, {"chat_points", -1.0}});
  EXPECT_DOUBLE_EQ(Points(*signal, WithCapabilities({{Capability::kChat, 8}, {Capability::kCreative, 2}})), -1.0);
  EXPECT_DOUBLE_EQ(Points(*signal, WithCapabilities({{Capability::kCode, 10}})), 0.8);
  EXPECT_DOUBLE_EQ(Points(*signal, WithCapabilities({{Capability::kReasoning, 5}, {Capability::kRubric, 5}})), 0.8);
  EXPECT_NEAR(Points(*signal, WithCapabilities({{Capability::kCode, 7}, {Capability::kChat, 3}})), 0.4, 1e-9);
  // Exactly half chat is chat_share: counts against.
  EXPECT_DOUBLE_EQ(Points(*signal, WithCapabilities({{Capability::kCode, 5}, {Capability::kChat, 5}})), -1.0);
  AccountFeatures metadata_only;
  metadata_only.events = 100;
  EXPECT_FALSE(signal->Score(metadata_only));
  EXPECT_THAT(signal->Score(WithCapabilities({{Capability::kCode, 10}}))->reason, HasSubstr("mostly code"));
}

// Prompts asking for step-by-step reasoning count, from 10% up to full
// weight at 50%; no text, no opinion.
TEST(AccountSignalsTest, ReasoningElicitation) {
  auto signal = Make("reasoning_elicitation");
  auto eliciting = [](uint32_t count) {
    AccountFeatures f = WithCapabilities({{Capability::kReasoning, 10}});
    f.eliciting_reasoning = count;
    return f;
  };
  EXPECT_DOUBLE_EQ(Points(*signal, eliciting(0)), 0.0);
  EXPECT_DOUBLE_EQ(Points(*signal, eliciting(1)), 0.0);
  EXPECT_NEAR(Points(*signal, eliciting(3)), 0.3, 1e-9);
  EXPECT_DOUBLE_EQ(Points(*signal, eliciting(5)), 0.6);
  EXPECT_DOUBLE_EQ(Points(*signal, eliciting(10)), 0.6);
  EXPECT_FALSE(signal->Score(AccountFeatures{}));
}

// Dataset-style tasks count from half the prompts up to full weight (0.25)
// at 90%; no covered text, no opinion.
TEST(AccountSignalsTest, DatasetTasks) {
  auto signal = Make("dataset_tasks");
  auto tasks = [](uint32_t count) {
    AccountFeatures f = WithCapabilities({{Capability::kCode, 10}});
    f.dataset_tasks = count;
    return f;
  };
  EXPECT_DOUBLE_EQ(Points(*signal, tasks(0)), 0.0);
  EXPECT_DOUBLE_EQ(Points(*signal, tasks(5)), 0.0);
  EXPECT_NEAR(Points(*signal, tasks(7)), 0.125, 1e-9);
  EXPECT_DOUBLE_EQ(Points(*signal, tasks(10)), 0.25);
  AccountFeatures other_language;
  other_language.text_not_covered = 10;
  other_language.events = 10;
  EXPECT_FALSE(signal->Score(other_language));
}

// IP country unlike the billing country counts, when both are known.
TEST(AccountSignalsTest, CountryMismatch) {
  auto signal = Make("country_mismatch");
  auto mismatch = [](uint32_t with, uint32_t mismatched) {
    AccountFeatures f;
    f.events = with;
    f.with_countries = with;
    f.country_mismatch = mismatched;
    return f;
  };
  EXPECT_FALSE(signal->Score(mismatch(0, 0)));
  EXPECT_DOUBLE_EQ(Points(*signal, mismatch(10, 0)), 0.0);
  EXPECT_DOUBLE_EQ(Points(*signal, mismatch(10, 2)), 0.0);
  EXPECT_NEAR(Points(*signal, mismatch(100, 45)), 0.3, 1e-9);
  EXPECT_DOUBLE_EQ(Points(*signal, mismatch(10, 10)), 0.6);
}

// Exits in many countries count; one or two do not; none known, no opinion.
TEST(AccountSignalsTest, ExitCountries) {
  auto signal = Make("exit_countries");
  auto countries = [](int count) {
    AccountFeatures f;
    f.events = 10;
    for (int country = 0; country < count; ++country) f.ip_country_bits[0] |= uint64_t{1} << (country * 7);
    return f;
  };
  EXPECT_FALSE(signal->Score(countries(0)));
  EXPECT_DOUBLE_EQ(Points(*signal, countries(1)), 0.0);
  EXPECT_DOUBLE_EQ(Points(*signal, countries(2)), 0.0);
  EXPECT_NEAR(Points(*signal, countries(4)), 0.4, 1e-9);
  EXPECT_DOUBLE_EQ(Points(*signal, countries(5)), 0.6);
  EXPECT_DOUBLE_EQ(Points(*signal, countries(9)), 0.6);
  EXPECT_THAT(signal->Score(countries(5))->reason, HasSubstr("5 countries"));
}

// Datacenter or VPN exits count (the larger share); none, no opinion (logs
// without --netlists look the same).
TEST(AccountSignalsTest, HostingExits) {
  auto signal = Make("hosting_exits");
  auto exits = [](uint32_t datacenter, uint32_t vpn) {
    AccountFeatures f;
    f.events = 10;
    f.datacenter = datacenter;
    f.vpn = vpn;
    return f;
  };
  EXPECT_FALSE(signal->Score(exits(0, 0)));
  EXPECT_DOUBLE_EQ(Points(*signal, exits(10, 0)), 0.3);
  EXPECT_DOUBLE_EQ(Points(*signal, exits(0, 6)), 0.3);
  EXPECT_DOUBLE_EQ(Points(*signal, exits(1, 6)), 0.3);
  EXPECT_NEAR(Points(*signal, exits(1, 0)), 0.3 * (0.1 - 0.05) / 0.45, 1e-9);
}

// On an account every signal has an opinion about, every signal gives a
// reason to show.
TEST(AccountSignalsTest, EveryReasonIsNonEmpty) {
  AccountFeatures f = WithCapabilities({{Capability::kCode, 60}, {Capability::kChat, 40}});
  f.active_days = 2;
  f.created_ms = kStart;
  f.first_ms = kStart + kDay;
  f.last_ms = kStart + 3 * kDay;
  f.verified = Verification::kNone;
  f.by_utc_hour.fill(4);
  f.eliciting_reasoning = 30;
  f.dataset_tasks = 80;
  f.input_tokens = 10000;
  f.output_tokens = 100000;
  f.with_tools = 50;
  f.datacenter = 20;
  f.with_countries = 100;
  f.country_mismatch = 50;
  f.ip_country_bits[0] = 0b1011;
  f.with_turn = 100;
  f.first_turns = 90;
  f.gaps = 99;
  f.gap_mean = 4;
  f.gap_m2 = 10;
  f.events_before_switch = 5;  // 5 requests over 3 days, then 95 in 2
  f.events_after_switch = 95;
  f.switched = true;
  f.switch_ms = kStart + 4 * kDay;
  f.last_ms = kStart + 6 * kDay;
  ASSERT_EQ(Registry<AccountSignal>().size(), 15u);
  for (const auto& [name, factory] : Registry<AccountSignal>()) {
    std::optional<Evidence> evidence = factory.make(factory.info.defaults)->Score(f);
    ASSERT_TRUE(evidence) << name;
    EXPECT_FALSE(evidence->reason.empty()) << name;
    EXPECT_TRUE(std::isfinite(evidence->points)) << name;
  }
}

TEST(AccountSwitchSignalTest, ABoughtAccountSurgesAfterItsSetupChanges) {
  std::unique_ptr<AccountSignal> signal = Make("account_switch");
  // 1.5 a day for 10 days, then 60 a day for 5 days: 40 times, full weight.
  EXPECT_DOUBLE_EQ(Points(*signal, Switched(15, 10, 300, 5)), 1.2);
  EXPECT_THAT(signal->Score(Switched(15, 10, 300, 5))->reason,
              HasSubstr("60.0 requests a day since its client or card changed on 2026-05-02, after 10 days at 1.5"));
  // 6.5 times: halfway between low_surge 3 and high_surge 10.
  EXPECT_NEAR(Points(*signal, Switched(20, 10, 65, 5)), 0.6, 1e-9);
  // An SDK upgrade: the same volume with a new client.
  EXPECT_FALSE(signal->Score(Switched(30, 10, 15, 5)));
  // Two clients from the start: no history before the switch.
  EXPECT_FALSE(signal->Score(Switched(1, 0.1, 300, 5)));
  // Too little after the switch to call it a surge.
  EXPECT_FALSE(signal->Score(Switched(15, 10, 9, 0.2)));
  EXPECT_FALSE(signal->Score(AccountFeatures{}));  // never switched
}

}  // namespace
}  // namespace hydraguard::signals
