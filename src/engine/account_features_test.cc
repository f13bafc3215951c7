#include "engine/account_features.h"

#include <gtest/gtest.h>

#include <optional>

namespace hydraguard::engine {
namespace {

using ingest::Event;
using ingest::Field;

constexpr int64_t kStart = 1776816000000;  // 2026-04-22T00:00:00Z
constexpr int64_t kMinute = 60000, kHour = 60 * kMinute, kDay = 24 * kHour;

Event MakeEvent(ingest::Id account, int64_t ts) {
  Event event;
  event.ts_ms = ts;
  event.account = account;
  event.ip = *ingest::IpAddress::Parse("198.51.100.7");
  event.present = (1u << static_cast<int>(Field::kTs)) | (1u << static_cast<int>(Field::kAccount)) |
                  (1u << static_cast<int>(Field::kIp));
  return event;
}
void Set(Event& event, Field field) { event.present |= 1u << static_cast<int>(field); }

TEST(AccountFeaturesTest, VolumeTokensAndDays) {
  AccountFeatureTable table(nullptr);
  for (int index = 0; index < 6; ++index) {
    Event event = MakeEvent(0, kStart + (index < 4 ? index * kHour : kDay + index * kHour));
    event.input_tokens = 100;
    event.output_tokens = 400;
    table.Add(event);
  }
  const AccountFeatures& f = table.Get(0);
  EXPECT_EQ(f.events, 6u);
  EXPECT_EQ(f.active_days, 2u);
  EXPECT_DOUBLE_EQ(f.RequestsPerActiveDay(), 3.0);
  EXPECT_DOUBLE_EQ(f.OutputInputRatio(), 4.0);
  EXPECT_EQ(f.first_ms, kStart);
  EXPECT_EQ(f.last_ms, kStart + kDay + 5 * kHour);
}

TEST(AccountFeaturesTest, HourCoverageSeesAroundTheClockOperation) {
  AccountFeatureTable table(nullptr);
  for (int hour = 0; hour < 48; ++hour) table.Add(MakeEvent(0, kStart + hour * kHour + 7 * kMinute));
  for (int index = 0; index < 10; ++index) table.Add(MakeEvent(1, kStart + 20 * kHour + index * kMinute));
  EXPECT_DOUBLE_EQ(table.Get(0).HourCoverage(), 1.0);
  EXPECT_DOUBLE_EQ(table.Get(1).HourCoverage(), 1.0 / 24);
}

TEST(AccountFeaturesTest, InterArrivalRegularity) {
  AccountFeatureTable table(nullptr);
  for (int index = 0; index < 50; ++index) table.Add(MakeEvent(0, kStart + index * 90 * 1000));  // every 90 s
  int64_t ts = kStart;
  for (int64_t gap : {5, 3600, 20, 86400, 60, 7200, 2, 40000, 300, 15}) {
    ts += gap * 1000;
    table.Add(MakeEvent(1, ts));
  }
  table.Add(MakeEvent(2, kStart));
  EXPECT_LT(*table.Get(0).InterArrivalCv(), 0.01);
  EXPECT_GT(*table.Get(1).InterArrivalCv(), 0.3);
  EXPECT_FALSE(table.Get(2).InterArrivalCv());
}

TEST(AccountFeaturesTest, TurnsAndTools) {
  AccountFeatureTable table(nullptr);
  for (int index = 0; index < 4; ++index) {
    Event event = MakeEvent(0, kStart + index * kMinute);
    Set(event, Field::kTurn);
    event.turn = index % 2 == 0 ? 1 : 2;
    Set(event, Field::kTools);
    event.tools = index == 0 ? 5 : 0;
    table.Add(event);
  }
  table.Add(MakeEvent(1, kStart));
  EXPECT_DOUBLE_EQ(*table.Get(0).SingleTurnShare(), 0.5);
  EXPECT_DOUBLE_EQ(table.Get(0).ToolShare(), 0.25);
  EXPECT_FALSE(table.Get(1).SingleTurnShare());  // no turn field: unknown, not zero
}

TEST(AccountFeaturesTest, TextFeaturesOnlyFromEventsWithText) {
  AccountFeatureTable table(nullptr);
  for (int index = 0; index < 3; ++index) {
    Event event = MakeEvent(0, kStart + index * kMinute);
    Set(event, Field::kPrompt);
    event.prompt = "Write a Python function that parses dates. Think step by step.";
    table.Add(event);
  }
  Event chat = MakeEvent(0, kStart + 10 * kMinute);
  Set(chat, Field::kPrompt);
  chat.prompt = "What should I cook tonight?";
  table.Add(chat);
  table.Add(MakeEvent(1, kStart));  // metadata only
  const AccountFeatures& f = table.Get(0);
  EXPECT_DOUBLE_EQ(*f.ReasoningShare(), 0.75);
  EXPECT_DOUBLE_EQ(*f.CapabilityConcentration(), 0.75 * 0.75 + 0.25 * 0.25);
  EXPECT_EQ(*f.TopCapability(), text::Capability::kCode);
  EXPECT_FALSE(table.Get(1).ReasoningShare());
  EXPECT_FALSE(table.Get(1).CapabilityConcentration());
  EXPECT_FALSE(table.Get(1).TopCapability());
}

// With a text model, prompts in a language it does not cover are counted
// apart and leave the shares alone; dataset-style tasks are counted.
TEST(AccountFeaturesTest, TextModelCountsDatasetTasksAndLeavesOtherLanguagesOut) {
  AccountFeatureTable table(nullptr, &text::TextModel::Shipped());
  auto add = [&](int64_t minute, const char* prompt) {
    Event event = MakeEvent(0, kStart + minute * kMinute);
    Set(event, Field::kPrompt);
    event.prompt = prompt;
    table.Add(event);
  };
  add(0, "Write a Python function that merges two sorted lists. Think step by step.");
  add(1, "hey, quick question: is it safe to give my dog a little bit of cheese?");
  add(2,
      "Escribe una función en Python que invierta una lista enlazada y comenta cada paso del razonamiento antes "
      "de responder.");
  const AccountFeatures& f = table.Get(0);
  EXPECT_EQ(f.with_text, 2u);
  EXPECT_EQ(f.text_not_covered, 1u);
  EXPECT_DOUBLE_EQ(*f.ReasoningShare(), 0.5);
  EXPECT_DOUBLE_EQ(*f.DatasetTaskShare(), 0.5);
  EXPECT_FALSE(AccountFeatures{}.DatasetTaskShare());
}

TEST(AccountFeaturesTest, InfrastructureFromNetworkLists) {
  netinfo::NetworkLists lists;
  ASSERT_TRUE(lists.AddCidr("198.51.100.0/24", netinfo::kDatacenter).ok());
  lists.AddAsn(9009, netinfo::kVpn);
  lists.Seal();
  AccountFeatureTable table(&lists);
  table.Add(MakeEvent(0, kStart));  // datacenter range
  Event vpn = MakeEvent(0, kStart + kMinute);
  vpn.ip = *ingest::IpAddress::Parse("203.0.113.5");
  Set(vpn, Field::kAsn);
  vpn.asn = 9009;
  table.Add(vpn);
  Event home = MakeEvent(0, kStart + 2 * kMinute);
  home.ip = *ingest::IpAddress::Parse("203.0.113.6");
  table.Add(home);
  Event far = MakeEvent(0, kStart + 3 * kMinute);
  far.ip = *ingest::IpAddress::Parse("203.0.113.6");
  table.Add(far);
  EXPECT_DOUBLE_EQ(table.Get(0).DatacenterShare(), 0.25);
  EXPECT_DOUBLE_EQ(table.Get(0).VpnShare(), 0.25);
  AccountFeatureTable without(nullptr);
  without.Add(MakeEvent(0, kStart));
  EXPECT_DOUBLE_EQ(without.Get(0).DatacenterShare(), 0.0);
}

TEST(AccountFeaturesTest, CountriesAgeAndVerification) {
  AccountFeatureTable table(nullptr);
  for (int index = 0; index < 4; ++index) {
    Event event = MakeEvent(0, kStart + index * kMinute);
    Set(event, Field::kBillingCountry);
    Set(event, Field::kIpCountry);
    event.billing_country = 1;
    event.ip_country = index == 0 ? 1 : 2;
    Set(event, Field::kAccountCreated);
    event.account_created_ms = kStart - 2 * kDay;
    Set(event, Field::kVerified);
    event.verified = index == 2 ? ingest::Verification::kPhone : ingest::Verification::kEmail;
    table.Add(event);
  }
  const AccountFeatures& f = table.Get(0);
  EXPECT_DOUBLE_EQ(*f.CountryMismatchShare(), 0.75);
  EXPECT_DOUBLE_EQ(*f.AgeAtFirstUseDays(), 2.0);
  EXPECT_EQ(f.verified, ingest::Verification::kPhone);  // the strongest seen
  table.Add(MakeEvent(1, kStart));
  EXPECT_FALSE(table.Get(1).AgeAtFirstUseDays());
  EXPECT_FALSE(table.Get(1).CountryMismatchShare());
}

TEST(AccountFeaturesTest, SwitchIsTheFirstRequestWithAnotherClientOrCard) {
  AccountFeatureTable table(nullptr);
  // Account 0: 4 requests over 4 days with client 1 / card 7, then client 2
  // (the card stays) at 40 requests over the next day.
  for (int day = 0; day < 4; ++day) {
    Event event = MakeEvent(0, kStart + day * kDay);
    event.ua = 1;
    event.tls = 1;
    event.payment = 7;
    table.Add(event);
  }
  for (int n = 0; n < 40; ++n) {
    Event event = MakeEvent(0, kStart + 4 * kDay + n * 30 * kMinute);
    event.ua = 2;
    event.tls = 1;
    event.payment = 7;
    table.Add(event);
  }
  std::optional<AccountFeatures::SetupSwitch> change = table.Get(0).Switch();
  ASSERT_TRUE(change);
  EXPECT_EQ(change->at_ms, kStart + 4 * kDay);
  EXPECT_DOUBLE_EQ(change->history_days, 4.0);
  EXPECT_EQ(change->before, 4u);
  EXPECT_EQ(change->after, 40u);
  EXPECT_DOUBLE_EQ(change->rate_before, 1.0);
  EXPECT_DOUBLE_EQ(change->rate_after, 40.0);  // 19.5 hours count as a day
  // Account 1: one client and card throughout; then a new card alone is a switch.
  for (int n = 0; n < 3; ++n) {
    Event event = MakeEvent(1, kStart + n * kHour);
    event.payment = n < 2 ? 5 : 6;
    table.Add(event);
  }
  ASSERT_TRUE(table.Get(1).Switch());
  EXPECT_EQ(table.Get(1).Switch()->before, 2u);
  Event same = MakeEvent(2, kStart);
  table.Add(same);
  same.ts_ms += kHour;
  table.Add(same);
  EXPECT_FALSE(table.Get(2).Switch());
  // Account 3: a field a request lacks is no change (a sign-up call without
  // a card, a request without a user agent), and an out-of-order request
  // counts on neither side.
  Event first = MakeEvent(3, kStart + kDay);
  first.ua = 1;
  table.Add(first);  // no card yet
  Event carded = MakeEvent(3, kStart + 2 * kDay);
  carded.ua = 1;
  carded.payment = 9;
  table.Add(carded);
  Event bare = MakeEvent(3, kStart + 3 * kDay);  // no user agent, no card
  table.Add(bare);
  EXPECT_FALSE(table.Get(3).Switch());
  Event late = MakeEvent(3, kStart);  // out of order, another card
  late.payment = 10;
  table.Add(late);
  EXPECT_FALSE(table.Get(3).Switch());
  Event moved = MakeEvent(3, kStart + 4 * kDay);
  moved.ua = 2;
  table.Add(moved);
  table.Add(late);  // out of order again: not after the switch either
  ASSERT_TRUE(table.Get(3).Switch());
  EXPECT_EQ(table.Get(3).Switch()->before, 3u);
  EXPECT_EQ(table.Get(3).Switch()->after, 1u);
}

TEST(AccountFeaturesTest, OutOfOrderEventsAreCountedNotTimed) {
  AccountFeatureTable table(nullptr);
  table.Add(MakeEvent(7, kStart + kHour));  // sparse ids: the table grows
  table.Add(MakeEvent(7, kStart));          // earlier than the last
  table.Add(MakeEvent(7, kStart + 2 * kHour));
  const AccountFeatures& f = table.Get(7);
  EXPECT_EQ(table.size(), 8u);
  EXPECT_EQ(f.events, 3u);
  EXPECT_EQ(f.out_of_order, 1u);
  EXPECT_EQ(f.first_ms, kStart);
  EXPECT_EQ(f.gaps, 1u);
  EXPECT_EQ(table.Get(3).events, 0u);
}

}  // namespace
}  // namespace hydraguard::engine
