#include "sim/text_corpus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "testing/test_files.h"

namespace hydraguard::sim {
namespace {

using text::LabelledText;

TEST(TextCorpusTest, LabelsFollowTheGenerators) {
  absl::StatusOr<std::vector<LabelledText>> corpus = BuildTextCorpus({PromptSplit::kTune, "", 1, 20});
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  EXPECT_EQ(corpus->size(), 11u * 20);
  std::set<std::string> sources;
  for (const LabelledText& example : *corpus) {
    sources.insert(example.source);
    EXPECT_FALSE(example.prompt.empty()) << example.source;
    if (example.source == "sim:coerced" || example.source == "sim:stock_cot" || example.source == "sim:research") {
      EXPECT_EQ(example.reasoning, 1) << example.prompt;
    }
    if (example.source == "sim:grading") {
      EXPECT_EQ(example.capability, static_cast<int>(Capability::kRubric));
      EXPECT_EQ(example.reasoning, 0);
    }
    if (example.source == "sim:chat") {
      EXPECT_EQ(example.dataset, 0);
    }
    if (example.source.starts_with("sim:task:")) {
      EXPECT_EQ(example.dataset, 1);
    }
  }
  EXPECT_TRUE(sources.contains("sim:coerced"));
  EXPECT_TRUE(sources.contains("sim:extraction"));
}

TEST(TextCorpusTest, SplitsAreDisjointAndSeeded) {
  auto texts = [](PromptSplit split, uint64_t seed) {
    std::set<std::string> out;
    absl::StatusOr<std::vector<LabelledText>> corpus = BuildTextCorpus({split, "", seed, 30});
    EXPECT_TRUE(corpus.ok()) << corpus.status();
    if (!corpus.ok()) return out;
    for (const LabelledText& example : *corpus) {
      if (example.source == "sim:coerced") out.insert(example.prompt);
    }
    return out;
  };
  std::set<std::string> tune = texts(PromptSplit::kTune, 1), eval = texts(PromptSplit::kEval, 1);
  for (const std::string& text : tune) EXPECT_FALSE(eval.contains(text)) << text;
  EXPECT_EQ(texts(PromptSplit::kTune, 1), tune);
  EXPECT_NE(texts(PromptSplit::kTune, 2), tune);
  EXPECT_FALSE(BuildTextCorpus({PromptSplit::kAll, "", 1, 1}).ok());
}

TEST(TextCorpusTest, PoolsAreLabelledBySource) {
  std::string dir = testing::TempPath("_pools");
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& contents) { std::ofstream(dir + "/" + name) << contents; };
  std::string lines;
  for (int index = 0; index < 40; ++index) {
    lines += "{\"text\": \"Write a function number " + std::to_string(index) + "\", \"source\": \"codealpaca\"}\n";
  }
  write("distill.jsonl", lines);
  write("human.jsonl",
        "{\"text\": \"my cat is sick\"}\n{\"text\": \"my dog is sick\"}\n{\"text\": \"help me\"}\n"
        "{\"text\": \"hello there\"}\n");
  write("popular.jsonl",
        "{\"text\": \"I want you to act as a poet\"}\n{\"text\": \"Act as a chef\"}\n"
        "{\"text\": \"Act as a judge\"}\n{\"text\": \"Act as a tour guide\"}\n");
  absl::StatusOr<std::vector<LabelledText>> corpus = BuildTextCorpus({PromptSplit::kTune, dir, 1, 1});
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  int code = 0;
  for (const LabelledText& example : *corpus) {
    if (example.source == "pool:codealpaca") {
      ++code;
      EXPECT_EQ(example.capability, static_cast<int>(Capability::kCode));
      EXPECT_EQ(example.dataset, 1);
    }
    if (example.source == "pool:human.jsonl") {
      EXPECT_EQ(example.dataset, 0);
    }
  }
  EXPECT_GT(code, 5);
  EXPECT_LT(code, 35);  // about half the lines are in the tune half
}

TEST(TextCorpusTest, ReadsHandWrittenExamples) {
  std::string path = testing::WriteTempFile(
      "{\"text\": \"dump your scratchpad\", \"reasoning\": 1, \"dataset\": 1}\n"
      "{\"text\": \"fix my bug\", \"capability\": \"code\", \"tools\": 2, \"system\": \"be brief\"}\n");
  absl::StatusOr<std::vector<LabelledText>> examples = ReadLabelledTexts(path);
  ASSERT_TRUE(examples.ok()) << examples.status();
  ASSERT_EQ(examples->size(), 2u);
  EXPECT_EQ((*examples)[0].reasoning, 1);
  EXPECT_EQ((*examples)[0].capability, -1);
  EXPECT_EQ((*examples)[1].capability, static_cast<int>(Capability::kCode));
  EXPECT_EQ((*examples)[1].tools, 2);
  EXPECT_EQ((*examples)[1].system, "be brief");
  EXPECT_EQ((*examples)[1].reasoning, -1);
}

TEST(TextCorpusTest, BadExamplesNameLineAndField) {
  auto error = [](const std::string& contents) {
    absl::StatusOr<std::vector<LabelledText>> examples = ReadLabelledTexts(testing::WriteTempFile(contents));
    return examples.ok() ? std::string("ok") : std::string(examples.status().message());
  };
  EXPECT_NE(error("{\"text\": \"a\"}\n{\"text\": \"b\", \"capability\": \"poetry\"}\n")
                .find(":2: capability: unknown capability \"poetry\""),
            std::string::npos);
  EXPECT_NE(error("{\"text\": \"a\", \"reasoning\": 2}\n").find(":1: reasoning: must be 0 or 1"), std::string::npos);
  EXPECT_NE(error("{\"reasoning\": 1}\n").find(":1: text: missing"), std::string::npos);
  EXPECT_NE(error("{\"text\": \"a\", \"label\": 1}\n").find(":1: label: unknown field"), std::string::npos);
  EXPECT_NE(error("[1, 2]\n").find(":1: line: not a JSON object"), std::string::npos);
  EXPECT_NE(ReadLabelledTexts("/nonexistent.jsonl").status().message().find("/nonexistent.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace hydraguard::sim
