#include "text/text_model_trainer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hydraguard::text {
namespace {

// Synthetic data where the answer is known: the class is carried by one
// word among neutral filler; reasoning requests by "scratchpad"; dataset
// tasks by "instruction".
std::vector<LabelledText> Synthetic(int per_class) {
  static constexpr std::array<std::string_view, 6> kFiller = {"please", "now", "today", "thing", "stuff", "then"};
  std::vector<LabelledText> examples;
  for (int index = 0; index < per_class; ++index) {
    std::string filler = std::string(kFiller[index % 6]) + " " + std::string(kFiller[(index / 6) % 6]);
    for (auto [word, capability] : {std::pair{"compile", Capability::kCode}, std::pair{"poem", Capability::kCreative},
                                    std::pair{"hello", Capability::kChat}}) {
      LabelledText example;
      example.prompt = filler + " " + word;
      example.capability = static_cast<int>(capability);
      example.reasoning = index % 2;
      if (example.reasoning) example.prompt += " scratchpad";
      example.dataset = index % 3 == 0;
      if (example.dataset) example.prompt = "instruction " + example.prompt;
      example.source = "synthetic";
      examples.push_back(std::move(example));
    }
  }
  return examples;
}

TEST(TextModelTrainerTest, LearnsTheWordsThatCarryTheLabels) {
  std::vector<LabelledText> examples = Synthetic(60);
  absl::StatusOr<TextModel> model = TrainTextModel(examples, {.bucket_bits = 12}, "synthetic");
  ASSERT_TRUE(model.ok()) << model.status();
  // New combinations of the words.
  Classification c = model->Classify("stuff compile scratchpad", "", 0);
  EXPECT_EQ(c.capability, Capability::kCode);
  EXPECT_TRUE(c.elicits_reasoning);
  EXPECT_FALSE(c.dataset_task);
  c = model->Classify("instruction poem", "", 0);
  EXPECT_EQ(c.capability, Capability::kCreative);
  EXPECT_FALSE(c.elicits_reasoning);
  EXPECT_TRUE(c.dataset_task);
  EXPECT_EQ(model->Classify("hello", "", 0).capability, Capability::kChat);
  EXPECT_EQ(model->metadata(), "synthetic");
  TextModelReport report = EvaluateClassifier(
      examples, [&](const LabelledText& example) { return model->Classify(example.prompt, example.system, 0); });
  EXPECT_DOUBLE_EQ(report.capability_macro_f1(), 1.0);
  EXPECT_DOUBLE_EQ(report.reasoning.f1(), 1.0);
  EXPECT_DOUBLE_EQ(report.dataset.f1(), 1.0);
}

TEST(TextModelTrainerTest, SameInputsGiveTheSameBytes) {
  std::vector<LabelledText> examples = Synthetic(20);
  TrainOptions options{.bucket_bits = 11, .epochs = 3};
  std::string first = TrainTextModel(examples, options, "m")->Serialize();
  EXPECT_EQ(TrainTextModel(examples, options, "m")->Serialize(), first);
  options.seed = 2;  // another shuffle and dropout: another model
  EXPECT_NE(TrainTextModel(examples, options, "m")->Serialize(), first);
}

TEST(TextModelTrainerTest, RefusesHeadsWithoutBothClasses) {
  std::vector<LabelledText> examples = Synthetic(10);
  for (LabelledText& example : examples) example.reasoning = 0;
  absl::StatusOr<TextModel> model = TrainTextModel(examples, {}, "");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("reasoning head needs positive and negative"), std::string::npos);
  examples = Synthetic(10);
  examples[0].weight = 0;
  EXPECT_FALSE(TrainTextModel(examples, {}, "").ok());
  EXPECT_FALSE(TrainTextModel(Synthetic(10), {.bucket_bits = 30}, "").ok());
  EXPECT_FALSE(TrainTextModel(Synthetic(10), {.feature_dropout = 1}, "").ok());
}

TEST(TextModelTrainerTest, EvaluateCountsPrecisionAndRecallPerHead) {
  std::vector<LabelledText> examples(4);
  for (int index = 0; index < 4; ++index) {
    examples[index].capability = index < 2 ? static_cast<int>(Capability::kCode) : static_cast<int>(Capability::kChat);
    examples[index].reasoning = index % 2;
    examples[index].source = index == 3 ? "pool:spanish" : "x";
  }
  // Predicts code and reasoning for everything; the last example is not covered.
  TextModelReport report = EvaluateClassifier(examples, [](const LabelledText& example) {
    Classification c;
    c.capability = Capability::kCode;
    c.elicits_reasoning = true;
    c.covered = example.source != "pool:spanish";
    return c;
  });
  ASSERT_EQ(report.capability.size(), 2u);  // code and chat (support or predictions)
  const ClassQuality& code = report.capability[0].name == "code" ? report.capability[0] : report.capability[1];
  EXPECT_EQ(code.support, 2u);
  EXPECT_EQ(code.predicted, 3u);
  EXPECT_EQ(code.correct, 2u);
  EXPECT_EQ(report.reasoning.support, 2u);
  EXPECT_EQ(report.reasoning.predicted, 3u);
  EXPECT_EQ(report.reasoning.correct, 1u);
  EXPECT_DOUBLE_EQ(report.reasoning.recall(), 0.5);
  EXPECT_EQ(report.not_covered, 1u);
  EXPECT_EQ(report.not_covered_by_source.at("pool:spanish"), 1u);
  EXPECT_EQ(report.dataset.support, 0u);
  EXPECT_DOUBLE_EQ(report.capability_macro_f1(), (0.8 + 0.0) / 2);
  std::string table = FormatTextModelReport(report, report);
  EXPECT_NE(table.find("| code | 2 | 0.667 | 1.000 | 0.800 |"), std::string::npos) << table;
}

}  // namespace
}  // namespace hydraguard::text
