#include "eval/evaluation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "simdjson.h"
#include "testing/test_files.h"

namespace hydraguard::eval {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTruth[] = R"({"account":"a1","label":"campaign","campaign":"c1","segment":"c1"})"
                          "\n"
                          R"({"account":"a2","label":"campaign","campaign":"c1","segment":"c1"})"
                          "\n"
                          R"({"account":"a3","label":"campaign","campaign":"c2","segment":"c2"})"
                          "\n"
                          R"({"account":"l1","label":"legit","campaign":null,"segment":"casual"})"
                          "\n"
                          R"({"account":"l2","label":"legit","campaign":null,"segment":"casual"})"
                          "\n"
                          R"({"account":"l3","label":"legit","campaign":null,"segment":"saas"})"
                          "\n"
                          R"({"account":"l4","label":"legit","segment":"saas"})"
                          "\n";

constexpr char kVerdicts[] =
    R"({"account":"a1","action":"block","score":0.99,"campaign":"X","since":1776816000000,"reasons":["r"]})"
    "\n"
    R"({"account":"a2","action":"challenge","score":0.9,"campaign":"Y","since":1776816000000,"reasons":[]})"
    "\n"
    R"({"account":"a3","action":"monitor","score":0.5,"campaign":null,"since":1776816000000,"reasons":[]})"
    "\n"
    R"({"account":"l1","action":"block","score":0.9,"campaign":"X","since":1776816000000,"reasons":[]})"
    "\n"
    R"({"account":"l2","action":"allow","score":0.1,"campaign":null,"since":1776816000000,"reasons":[]})"
    "\n"
    R"({"account":"u1","action":"block","score":0.9,"campaign":"X","since":1776816000000,"reasons":[]})"
    "\n";

struct Loaded {
  Truth truth;
  Verdicts verdicts;
  uint64_t bad_lines = 0;
};

Loaded Load(const std::string& truth_text, const std::string& verdict_text) {
  ingest::BadInputLog bad_input(nullptr);
  Loaded loaded;
  loaded.truth = *ReadTruth(testing::WriteTempFile(truth_text), &bad_input);
  loaded.verdicts = *ReadVerdicts(testing::WriteTempFile(verdict_text), &bad_input);
  loaded.bad_lines = bad_input.bad_lines();
  return loaded;
}

TEST(EvaluationTest, EveryMetricOnAHandBuiltCase) {
  Loaded loaded = Load(kTruth, kVerdicts);
  ASSERT_EQ(loaded.bad_lines, 0u);
  Evaluation e = Evaluate(loaded.truth, loaded.verdicts);
  EXPECT_EQ(e.recall.hits, 2u);  // a1, a2 (a3 is only monitored)
  EXPECT_EQ(e.recall.total, 3u);
  EXPECT_EQ(e.precision.hits, 2u);  // flagged truth accounts: a1, a2, l1
  EXPECT_EQ(e.precision.total, 3u);
  EXPECT_EQ(e.false_positive_rate.hits, 1u);   // l1
  EXPECT_EQ(e.false_positive_rate.total, 4u);  // l3, l4 have no verdict: not flagged
  EXPECT_EQ(e.fpr_by_segment.at("casual").hits, 1u);
  EXPECT_EQ(e.fpr_by_segment.at("casual").total, 2u);
  EXPECT_EQ(e.fpr_by_segment.at("saas").hits, 0u);
  EXPECT_EQ(e.fpr_by_segment.at("saas").total, 2u);
  EXPECT_EQ(e.by_campaign.at("c1").recall.hits, 2u);
  EXPECT_EQ(e.by_campaign.at("c1").detected_clusters, 2u);  // split into X and Y
  EXPECT_EQ(e.by_campaign.at("c2").recall.hits, 0u);
  EXPECT_EQ(e.by_campaign.at("c2").detected_clusters, 0u);
  EXPECT_THAT(e.false_positives, ElementsAre("l1"));
  EXPECT_THAT(e.false_negatives, ElementsAre("a3"));
  EXPECT_THAT(e.unknown_accounts, ElementsAre("u1"));
  EXPECT_EQ(e.flagged_unknown, 1u);
}

TEST(EvaluationTest, UndefinedRatesAreSaidNotInvented) {
  Loaded loaded = Load(R"({"account":"l1","label":"legit","segment":"casual"})"
                       "\n",
                       "");
  Evaluation e = Evaluate(loaded.truth, loaded.verdicts);
  EXPECT_FALSE(e.recall.value());     // no campaign accounts
  EXPECT_FALSE(e.precision.value());  // nothing flagged
  EXPECT_EQ(*e.false_positive_rate.value(), 0.0);
  EXPECT_THAT(FormatEvaluationTable(e), HasSubstr("account recall                n/a"));
  EXPECT_THAT(FormatEvaluationJson(e), HasSubstr(R"("recall":{"value":null,"hits":0,"total":0})"));
}

TEST(EvaluationTest, FlaggedWithoutClusterIsCounted) {
  Loaded loaded = Load(R"({"account":"a1","label":"campaign","campaign":"c1"})"
                       "\n",
                       R"({"account":"a1","action":"block","score":1})"
                       "\n");
  Evaluation e = Evaluate(loaded.truth, loaded.verdicts);
  EXPECT_EQ(e.by_campaign.at("c1").recall.hits, 1u);
  EXPECT_EQ(e.by_campaign.at("c1").flagged_without_cluster, 1u);
  EXPECT_EQ(e.by_campaign.at("c1").detected_clusters, 0u);
}

TEST(EvaluationTest, BadLinesAreReportedAndSkipped) {
  std::string truth_path = testing::WriteTempFile(
      "{\"account\":\"a1\",\"label\":\"campaign\",\"campaign\":\"c1\"}\n"
      "not json\n"
      "{\"account\":\"a2\",\"label\":\"evil\"}\n"
      "{\"account\":\"a3\",\"label\":\"campaign\"}\n"
      "{\"account\":\"a1\",\"label\":\"legit\"}\n"
      "\n");
  std::string verdict_path = testing::WriteTempFile(
      "{\"account\":\"a1\",\"action\":\"nuke\"}\n"
      "{\"account\":\"a1\",\"action\":\"block\",\"score\":\"high\"}\n"
      "{\"account\":\"a1\",\"action\":\"block\"}\n"
      "{\"account\":\"a1\",\"action\":\"allow\"}\n"
      "{\"action\":\"allow\"}\n");
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* report = open_memstream(&buffer, &size);
  ingest::BadInputLog bad_input(report);
  Truth truth = *ReadTruth(truth_path, &bad_input);
  Verdicts verdicts = *ReadVerdicts(verdict_path, &bad_input);
  std::fclose(report);
  std::string text(buffer, size);
  std::free(buffer);
  EXPECT_EQ(truth.size(), 1u);
  EXPECT_TRUE(truth.at("a1").campaign);  // the duplicate "legit" line did not overwrite it
  EXPECT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts.at("a1").action, Action::kBlock);  // the first valid verdict is kept
  EXPECT_EQ(bad_input.bad_lines(), 8u);
  EXPECT_THAT(text, HasSubstr(truth_path + ":2: json: "));
  EXPECT_THAT(text, HasSubstr(truth_path + ":3: label: expected \"legit\" or \"campaign\""));
  EXPECT_THAT(text, HasSubstr(truth_path + ":4: campaign: a campaign account needs its campaign id"));
  EXPECT_THAT(text, HasSubstr(truth_path + ":5: account: \"a1\" appears more than once"));
  EXPECT_THAT(text, HasSubstr(verdict_path + ":1: action: expected allow, monitor"));
  EXPECT_THAT(text, HasSubstr(verdict_path + ":2: score: expected a number"));
  EXPECT_THAT(text, HasSubstr(verdict_path + ":4: account: second verdict"));
  EXPECT_THAT(text, HasSubstr(verdict_path + ":5: account: required field is missing"));
}

TEST(EvaluationTest, MissingFilesAreErrors) {
  ingest::BadInputLog bad_input(nullptr);
  EXPECT_EQ(ReadTruth("/nonexistent/truth.jsonl", &bad_input).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadVerdicts("/nonexistent/v.jsonl", &bad_input).status().code(), absl::StatusCode::kNotFound);
}

TEST(EvaluationTest, JsonCarriesEveryFigure) {
  Loaded loaded = Load(kTruth, kVerdicts);
  std::string json = FormatEvaluationJson(Evaluate(loaded.truth, loaded.verdicts));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(json).get(doc));
  EXPECT_EQ(double(doc["recall"]["value"]), 2.0 / 3.0);
  EXPECT_EQ(int64_t(doc["false_positive_rate"]["hits"]), 1);
  EXPECT_EQ(int64_t(doc["false_positive_rate_by_segment"]["casual"]["total"]), 2);
  EXPECT_EQ(int64_t(doc["campaigns"]["c1"]["detected_clusters"]), 2);
  EXPECT_EQ(std::string_view(doc["false_negatives"].at(0)), "a3");
  EXPECT_EQ(std::string_view(doc["unknown_accounts"].at(0)), "u1");
}

TEST(EvaluationTest, GroupsRecallByStrategyAxisValue) {
  std::string truth_path = testing::WriteTempFile(
      R"({"account":"a1","label":"campaign","campaign":"rt00","segment":"rt00","strategy":{"network":"vpn","cards":"none"}})"
      "\n"
      R"({"account":"a2","label":"campaign","campaign":"rt00","segment":"rt00","strategy":{"network":"vpn","cards":"none"}})"
      "\n"
      R"({"account":"a3","label":"campaign","campaign":"rt01","segment":"rt01","strategy":{"network":"static_isp","cards":"none"}})"
      "\n"
      R"({"account":"bad1","label":"campaign","campaign":"rt02","strategy":{"network":7}})"
      "\n"
      R"({"account":"bad2","label":"campaign","campaign":"rt02","strategy":"vpn"})"
      "\n"
      R"({"account":"l1","label":"legit","segment":"casual"})"
      "\n");
  std::string verdict_path = testing::WriteTempFile(R"({"account":"a1","action":"block"})"
                                                    "\n"
                                                    R"({"account":"a3","action":"challenge"})"
                                                    "\n");
  std::FILE* sink = std::tmpfile();
  ingest::BadInputLog bad_input(sink);
  Truth truth = *ReadTruth(truth_path, &bad_input);
  EXPECT_EQ(bad_input.bad_lines(), 2u);  // a non-string value, a non-object strategy
  EXPECT_FALSE(truth.contains("bad1"));
  Evaluation result = Evaluate(truth, *ReadVerdicts(verdict_path, &bad_input));
  EXPECT_EQ(result.recall_by_strategy["network"]["vpn"].hits, 1u);
  EXPECT_EQ(result.recall_by_strategy["network"]["vpn"].total, 2u);
  EXPECT_EQ(result.recall_by_strategy["network"]["static_isp"].hits, 1u);
  EXPECT_EQ(result.recall_by_strategy["cards"]["none"].total, 3u);
  EXPECT_THAT(result.by_campaign["rt00"].strategy, ElementsAre(std::pair<std::string, std::string>{"network", "vpn"},
                                                               std::pair<std::string, std::string>{"cards", "none"}));
  std::string json = FormatEvaluationJson(result);
  EXPECT_THAT(json,
              HasSubstr(R"("recall_by_strategy":{"cards":{"none":{"value":0.6666666666666666,"hits":2,"total":3}})"));
  EXPECT_THAT(json, HasSubstr(R"("rt00":{"strategy":{"network":"vpn","cards":"none"},"recall")"));
  simdjson::dom::parser parser;
  EXPECT_FALSE(parser.parse(json).error());
  EXPECT_THAT(FormatEvaluationTable(result), HasSubstr("network=vpn"));
  std::fclose(sink);
}

}  // namespace
}  // namespace hydraguard::eval
