#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/timestamp.h"
#include "replay/report.h"

namespace hydraguard::replay {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int64_t kHourMs = 3600000;

size_t Count(std::string_view text, std::string_view needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// The point lists of the data lines (class "series") of the page.
std::vector<std::string> SeriesPoints(const std::string& html) {
  std::vector<std::string> points;
  constexpr std::string_view kOpen = "<polyline class=\"series\" points=\"";
  for (size_t at = html.find(kOpen); at != std::string::npos; at = html.find(kOpen, at + 1)) {
    const size_t begin = at + kOpen.size();
    points.push_back(html.substr(begin, html.find('"', begin) - begin));
  }
  return points;
}

size_t PointCount(const std::string& points) {
  std::istringstream stream(points);
  size_t count = 0;
  for (std::string point; stream >> point;) ++count;
  return count;
}

SegmentReplay Segment(std::string name, uint64_t requests, uint64_t refused, uint64_t accounts, uint64_t affected) {
  SegmentReplay segment;
  segment.segment = std::move(name);
  segment.accounts = accounts;
  segment.accounts_affected = affected;
  segment.traffic.requests = requests;
  segment.traffic.served = requests - refused;
  segment.traffic.refused = refused;
  segment.traffic.refused_by_verdict = refused;
  return segment;
}

ReplayResult MakeResult() {
  ReplayResult result;
  result.options.rescore_ms = kHourMs;
  result.start_ms = ingest::ParseRfc3339Millis("2026-04-22T00:00:00Z").value();
  result.end_ms = result.start_ms + 47 * kHourMs + 1800000;
  result.events = 20600;
  result.rescores = 48;
  result.rescore_seconds = 1.25;
  result.max_rescore_seconds = 0.08;
  result.verdict_changes = 37;
  result.indicators = 4;

  CampaignReplay active;
  active.campaign = "camp-alpha";
  active.accounts = 10;
  active.accounts_seen = 10;
  active.accounts_flagged = 9;
  active.traffic = {.requests = 500,
                    .served = 30,
                    .refused = 470,
                    .refused_by_verdict = 400,
                    .refused_by_indicator = 60,
                    .refused_by_throttle = 10,
                    .output_tokens = 100000,
                    .output_tokens_served = 6000};
  active.first_ms = result.start_ms + 2 * kHourMs;
  active.last_ms = result.start_ms + 40 * kHourMs;
  active.contained_ms = result.start_ms + 5 * kHourMs;
  active.series.served.assign(48, 0);
  active.series.refused.assign(40, 0);  // shorter: the missing bins are 0
  active.series.served[2] = 20;
  active.series.served[3] = 10;
  for (size_t bin = 5; bin < 40; ++bin) active.series.refused[bin] = bin < 39 ? 13 : 16;
  result.campaigns.push_back(active);

  CampaignReplay empty;
  empty.campaign = "camp-empty";
  empty.accounts = 3;
  result.campaigns.push_back(empty);

  result.honest.push_back(Segment("casual", 12000, 2, 800, 1));
  result.honest.push_back(Segment("saas", 8000, 1, 40, 1));
  result.honest[0].series.refused.assign(48, 0);
  result.honest[0].series.refused[10] = 2;
  result.honest[1].series.refused.assign(30, 0);
  result.honest[1].series.refused[20] = 1;
  result.honest_total = {.requests = 20000, .served = 19997, .refused = 3, .refused_by_verdict = 3};
  result.honest_accounts = 840;
  result.honest_accounts_affected = 2;
  result.unknown = Segment("<script>&\"unknown'", 100, 0, 5, 0);
  return result;
}

TEST(ReportHtmlTest, SelfContainedPage) {
  const std::string html = ReplayReportHtml(MakeResult());
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html, HasSubstr("<title>hydraguard replay report</title>"));
  EXPECT_THAT(html, HasSubstr("2026-04-22T00:00:00.000Z .. 2026-04-23T23:30:00.000Z"));
  EXPECT_THAT(html, HasSubstr("<td>1 h</td>"));
  EXPECT_EQ(Count(html, "<svg"), 3u);  // one per campaign, one for honest traffic
  EXPECT_EQ(Count(html, "</svg>"), 3u);
  EXPECT_THAT(html, HasSubstr("camp-alpha"));
  EXPECT_THAT(html, HasSubstr("camp-empty"));
  EXPECT_THAT(html, HasSubstr("2026-04-23"));  // an x tick

  // Nothing from the network, no script.
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=")));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  constexpr std::string_view kSvgNamespace = "http://www.w3.org/2000/svg";
  for (size_t at = html.find("http"); at != std::string::npos; at = html.find("http", at + 1)) {
    EXPECT_EQ(std::string_view(html).substr(at, kSvgNamespace.size()), kSvgNamespace) << html.substr(at, 60);
  }
}

TEST(ReportHtmlTest, EscapesNames) {
  const std::string html = ReplayReportHtml(MakeResult());
  EXPECT_THAT(html, HasSubstr("<td>&lt;script&gt;&amp;&quot;unknown&#39;</td>"));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("unknown'")));
}

TEST(ReportHtmlTest, CampaignFigures) {
  const std::string html = ReplayReportHtml(MakeResult());
  EXPECT_THAT(html, HasSubstr(">6.00%<"));  // leakage 30/500: a goal missed
  EXPECT_THAT(html, HasSubstr("<td class=\"num fail\">6.00%</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">3.0 h</td>"));  // contained 3 h after its first request
  EXPECT_THAT(html, HasSubstr(">6000 of 100000<"));
  EXPECT_THAT(html, HasSubstr(">contained</text>"));  // the containment marker
  EXPECT_THAT(html, HasSubstr(">n/a<"));              // the empty campaign
  EXPECT_THAT(html, HasSubstr("no request from this campaign"));
  EXPECT_THAT(html, Not(HasSubstr("not contained")));
  EXPECT_THAT(html, HasSubstr("requests per 1 h"));
}

TEST(ReportHtmlTest, NotContained) {
  ReplayResult result = MakeResult();
  result.campaigns[0].contained_ms.reset();
  result.campaigns[0].traffic.served = 5;
  result.campaigns[0].traffic.refused = 495;
  const std::string html = ReplayReportHtml(result);
  EXPECT_THAT(html, HasSubstr("<td class=\"num fail\">not contained</td>"));
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">1.00%</td>"));
  EXPECT_THAT(html, Not(HasSubstr(">contained</text>")));
}

TEST(ReportHtmlTest, LateContainmentFails) {
  ReplayResult result = MakeResult();
  result.campaigns[0].contained_ms = result.campaigns[0].first_ms + 30 * kHourMs;
  const std::string html = ReplayReportHtml(result);
  EXPECT_THAT(html, HasSubstr("<td class=\"num fail\">30.0 h</td>"));
}

TEST(ReportHtmlTest, HonestTable) {
  const std::string html = ReplayReportHtml(MakeResult());
  EXPECT_THAT(html, HasSubstr("<td>casual</td>"));
  EXPECT_THAT(html, HasSubstr("<td>saas</td>"));
  EXPECT_THAT(html, HasSubstr("<tr class=\"total\"><td>all honest</td><td class=\"num\">840</td>"));
  EXPECT_THAT(html, HasSubstr(">0.0150%<"));  // 3 of 20000
  EXPECT_THAT(html, HasSubstr(">0.0167%<"));  // 2 of 12000
  EXPECT_THAT(html, Not(HasSubstr("no honest request refused")));
}

TEST(ReportHtmlTest, NoHonestRequestRefused) {
  ReplayResult result = MakeResult();
  for (SegmentReplay& segment : result.honest) segment.series.refused.clear();
  const std::string html = ReplayReportHtml(result);
  EXPECT_THAT(html, HasSubstr("no honest request refused"));
  EXPECT_EQ(Count(html, "<svg"), 3u);
}

TEST(ReportHtmlTest, EmptyResult) {
  const std::string html = ReplayReportHtml(ReplayResult{});
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_EQ(Count(html, "<svg"), 1u);
  EXPECT_THAT(html, HasSubstr("no honest request refused"));
}

TEST(ReportHtmlTest, DownsamplesLongSeries) {
  ReplayResult result = MakeResult();
  constexpr size_t kBins = 10000;
  result.end_ms = result.start_ms + static_cast<int64_t>(kBins - 1) * kHourMs;
  Series& series = result.campaigns[0].series;
  series.served.assign(kBins, 1);
  series.refused.assign(kBins / 2, 3);  // shorter than the replay
  const std::string html = ReplayReportHtml(result);
  const std::vector<std::string> lines = SeriesPoints(html);
  ASSERT_EQ(lines.size(), 5u);  // served and refused per campaign, honest refused
  for (const std::string& points : lines) {
    EXPECT_GT(PointCount(points), 1u);
    EXPECT_LE(PointCount(points), 400u);
  }
  EXPECT_THAT(html, HasSubstr("requests per 25 h"));  // 10000 bins of 1 h in 400 columns
  EXPECT_THAT(html, Not(HasSubstr("requests per 1 h")));
}

}  // namespace
}  // namespace hydraguard::replay
