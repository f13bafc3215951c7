#include "quality/grid.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "io/output_file.h"
#include "quality/report.h"
#include "testing/test_files.h"

namespace hydraguard::quality {
namespace {

using ::testing::HasSubstr;

eval::TruthEntry Honest(std::string segment) { return {false, "", std::move(segment), {}}; }
eval::TruthEntry Member(std::string campaign, std::string network) {
  return {true, std::move(campaign), "", {{"network", std::move(network)}}};
}

TEST(VolumeBaselineTest, FlagsNoMoreHonestAccountsThanTheEngine) {
  eval::Truth truth = {{"h1", Honest("casual")},      {"h2", Honest("casual")},
                       {"h3", Honest("batch")},       {"c1", Member("rt00", "vpn")},
                       {"c2", Member("rt00", "vpn")}, {"c3", Member("rt01", "static_isp")}};
  std::map<std::string, uint64_t> requests = {{"h1", 5},  {"h2", 50}, {"h3", 5000},
                                              {"c1", 60}, {"c2", 10}, {"c3", 6000}};
  // The engine flagged no honest account: the threshold sits above the busiest honest one.
  Baseline none = VolumeBaseline(truth, requests, 0);
  EXPECT_EQ(none.threshold, 5001u);
  EXPECT_EQ(none.honest_flagged, 0u);
  EXPECT_EQ(none.by_campaign["rt00"].hits, 0u);
  EXPECT_EQ(none.by_campaign["rt01"].hits, 1u);
  EXPECT_EQ(none.by_strategy["network"]["static_isp"].hits, 1u);
  EXPECT_EQ(none.by_strategy["network"]["vpn"].total, 2u);
  // One honest false positive allowed: the batch customer's volume is spent on it.
  Baseline one = VolumeBaseline(truth, requests, 1);
  EXPECT_EQ(one.threshold, 51u);
  EXPECT_EQ(one.honest_flagged, 1u);
  EXPECT_EQ(one.by_campaign["rt00"].hits, 1u);
  // An account with no requests counts as zero; ties at the threshold stay unflagged.
  requests.erase("c2");
  requests["h2"] = 60;
  Baseline tie = VolumeBaseline(truth, requests, 1);
  EXPECT_EQ(tie.threshold, 61u);
  EXPECT_EQ(tie.by_campaign["rt00"].hits, 0u);
}

TEST(QualityGridTest, RejectsOverlappingSeedsAndMissingWorkDir) {
  EXPECT_FALSE(RunGrid({.tune_seeds = {1}, .eval_seeds = {2}}).ok());
  absl::Status overlap = RunGrid({.tune_seeds = {1, 2}, .eval_seeds = {2}, .work_dir = "/tmp/x"}).status();
  EXPECT_THAT(overlap.message(), HasSubstr("seed 2 is both a tune and an eval seed"));
  EXPECT_FALSE(RunGrid({.tune_seeds = {1}, .work_dir = "/tmp/x"}).ok());
}

// Scenario test of every honest look-alike of the grid (university groups,
// a hackathon, coding-agent users, judge and batch customers, IPv6 privacy
// addresses, SDK upgrades, zero retention, cron jobs, free tiers, ...):
// with and without text, at the end of the log and during replay, none of
// their accounts is flagged. Seeds 1 and 2 at a small scale (the harness
// needs one seed of each kind; neither is an eval seed of QUALITY.md, which
// has the same table at scale 0.1).
TEST(QualityGridTest, HonestLookAlikesStayClear) {
  std::string work = testing::TempPath("-lookalikes");
  absl::StatusOr<GridResult> grid =
      RunGrid({.scale = 0.02, .campaigns = 4, .tune_seeds = {1}, .eval_seeds = {2}, .work_dir = work});
  ASSERT_TRUE(grid.ok()) << grid.status();
  for (const SeedRun& run : grid->runs) {
    for (const auto* mode : {&run.text, &run.no_text}) {
      const char* mode_name = mode == &run.text ? "text" : "metadata only";
      ASSERT_GE(mode->evaluation.fpr_by_segment.size(), 15u);
      for (const auto& [segment, rate] : mode->evaluation.fpr_by_segment) {
        EXPECT_EQ(rate.hits, 0u) << "seed " << run.seed << ", " << mode_name << ": " << segment << " flagged";
      }
    }
  }
  std::filesystem::remove_all(work);
}

// The whole harness at a tiny scale: every table is there and the eval
// report holds eval seeds only (quality levels are not asserted).
TEST(QualityGridTest, SmallGridProducesTheTables) {
  std::string work = testing::TempPath("-grid");
  absl::StatusOr<GridResult> grid =
      RunGrid({.scale = 0.01, .campaigns = 2, .tune_seeds = {3}, .eval_seeds = {4}, .work_dir = work});
  ASSERT_TRUE(grid.ok()) << grid.status();
  ASSERT_EQ(grid->runs.size(), 2u);
  EXPECT_FALSE(grid->runs[0].eval_seed);
  EXPECT_TRUE(grid->runs[1].eval_seed);
  EXPECT_EQ(grid->runs[1].text.evaluation.by_campaign.size(), 2u);
  std::string eval = QualityMarkdown(*grid, true, {.command = "cmd", .machine = "m", .date = "d"});
  for (const char* section : {"The rule:", "## Summary", "## Recall by strategy axis value", "## Honest segments",
                              "## Campaigns", "| network | ipv6_rotating |", "| hackathon |", "eval seeds 4"}) {
    EXPECT_THAT(eval, HasSubstr(section));
  }
  EXPECT_THAT(eval, ::testing::Not(HasSubstr("| 3 | rt0")));  // no tune-seed campaign rows
  EXPECT_THAT(QualityMarkdown(*grid, false, {}), HasSubstr("| 3 | rt0"));
  // Figures round-trip through JSON, and a later report shows them as "was".
  Figures figures;
  QualityMarkdown(*grid, true, {}, nullptr, &figures);
  ASSERT_TRUE(figures.contains("recall/text"));
  ASSERT_TRUE(figures.contains("axis/cards=none/no_text"));
  std::string json_path = work + "/figures.json";
  ASSERT_TRUE(io::WriteFile(json_path, FiguresJson(figures)).ok());
  absl::StatusOr<Figures> read = ReadFiguresJson(json_path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->size(), figures.size());
  EXPECT_EQ(read->at("recall/text").total, figures.at("recall/text").total);
  Figures before = *read;
  before["recall/text"] = eval::Rate{1, 4};
  EXPECT_THAT(QualityMarkdown(*grid, true, {}, &before), HasSubstr("(was 25.0%)"));
  ASSERT_TRUE(io::WriteFile(json_path, R"({"figures":{"x":{"hits":3,"total":2}}})").ok());
  EXPECT_THAT(ReadFiguresJson(json_path).status().message(), HasSubstr("figure \"x\": expected hits <= total"));
  EXPECT_FALSE(ReadFiguresJson(work + "/missing.json").ok());
  std::filesystem::remove_all(work);
}

}  // namespace
}  // namespace hydraguard::quality
