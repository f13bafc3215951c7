#include "stats/event_stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/test_files.h"

namespace hydraguard::stats {
namespace {

using ::testing::HasSubstr;

struct Computed {
  EventStats stats;
  ingest::ReadCounters counters;
  std::unique_ptr<ingest::BadInputLog> bad_input = std::make_unique<ingest::BadInputLog>(nullptr);
};

Computed Compute(const std::string& contents) {
  Computed out;
  ingest::Interners interners;
  StatsCollector collector;
  absl::Status status = ingest::ReadEvents({testing::WriteTempFile(contents)}, {}, &interners, out.bad_input.get(),
                                           &out.counters, [&](const ingest::Event& event) { collector.Add(event); });
  EXPECT_TRUE(status.ok());
  out.stats = collector.Finish(interners);
  return out;
}

constexpr char kLog[] =
    R"({"ts":1776816000000,"account":"a","ip":"10.0.0.1","org":"o1","asn":1,"endpoint":"/v1/messages","model":"m1","input_tokens":10,"output_tokens":100,"prompt":"x"})"
    "\n"
    R"({"ts":1776902400000,"account":"b","ip":"10.0.0.2","org":"o1","asn":2,"endpoint":"/v1/messages","model":"m2","input_tokens":5,"output_tokens":50})"
    "\n"
    R"({"ts":1776816000500,"account":"a","ip":"10.0.1.1","asn":1,"endpoint":"/v1/chat/completions","model":"m1"})"
    "\n"
    R"({"ts":1776816000500,"account":"c","ip":"2001:db8:1::1"})"
    "\n"
    R"({"ts":1776816000500,"account":"d","ip":"2001:db8:1::2","payment":"p"})"
    "\n"
    "not json\n";

TEST(EventStatsTest, CountsDistinctIdentitiesAndTotals) {
  Computed c = Compute(kLog);
  const EventStats& s = c.stats;
  EXPECT_EQ(s.events, 5u);
  EXPECT_EQ(s.accounts, 4u);
  EXPECT_EQ(s.orgs, 1u);
  EXPECT_EQ(s.payments, 1u);
  EXPECT_EQ(s.ips, 5u);
  EXPECT_EQ(s.ipv4_prefixes, 2u);
  EXPECT_EQ(s.ipv6_prefixes, 1u);
  EXPECT_EQ(s.asns, 2u);
  EXPECT_EQ(s.first_ts_ms, 1776816000000);
  EXPECT_EQ(s.last_ts_ms, 1776902400000);  // Not the last line's time: the latest.
  EXPECT_EQ(s.input_tokens, 15u);
  EXPECT_EQ(s.output_tokens, 150u);
  EXPECT_EQ(s.events_with_prompt, 1u);
  using Ranked = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(s.by_endpoint, (Ranked{{"/v1/messages", 2}, {"(none)", 2}, {"/v1/chat/completions", 1}}));
  EXPECT_EQ(s.by_model, (Ranked{{"m1", 2}, {"(none)", 2}, {"m2", 1}}));
  EXPECT_EQ(c.bad_input->bad_lines(), 1u);
}

TEST(EventStatsTest, TextReportNamesEveryFigure) {
  Computed c = Compute(kLog);
  std::string text = FormatStatsText(c.stats, c.counters, *c.bad_input);
  for (const char* part : {"events                5", "accounts              4", "IPv4 /24 prefixes     2",
                           "2026-04-22T00:00:00.000Z .. 2026-04-23T00:00:00.000Z (1.00 days)", "/v1/messages",
                           "bad lines             1 of 6 lines (16.67%), skipped", "malformed_json (json)"}) {
    EXPECT_THAT(text, HasSubstr(part));
  }
}

TEST(EventStatsTest, JsonReportIsOneObject) {
  Computed c = Compute(kLog);
  std::string json = FormatStatsJson(c.stats, c.counters, *c.bad_input);
  EXPECT_THAT(json, HasSubstr(R"("events":5,"accounts":4,)"));
  EXPECT_THAT(json, HasSubstr(R"j("by_model":{"m1":2,"(none)":2,"m2":1})j"));
  EXPECT_THAT(json, HasSubstr(R"("bad_lines":1,"bad_lines_by_kind":{"malformed_json":1,)"));
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.substr(json.size() - 2), "}\n");
}

TEST(EventStatsTest, EmptyInput) {
  Computed c = Compute("");
  EXPECT_EQ(c.stats.events, 0u);
  EXPECT_THAT(FormatStatsText(c.stats, c.counters, *c.bad_input), HasSubstr("(no events)"));
  EXPECT_THAT(FormatStatsJson(c.stats, c.counters, *c.bad_input), ::testing::Not(HasSubstr("first_ts")));
}

}  // namespace
}  // namespace hydraguard::stats
