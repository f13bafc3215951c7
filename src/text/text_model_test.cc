#include "text/text_model.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "text/internal/text_features.h"

namespace hydraguard::text {
namespace {

constexpr int kBits = 10;

// A model whose only non-zero weights are those of `word`'s unigram: +1 on
// `output` (through the feature's sign).
TextModel OneWordModel(std::string_view word, int output, std::array<float, kTextModelOutputs> bias = {}) {
  std::vector<int8_t> weights((size_t{1} << kBits) * kTextModelOutputs, 0);
  std::vector<uint64_t> features;
  internal::ExtractFeatures(word, "", 0, &features);
  uint64_t unigram = features[0];  // the word's unigram comes first
  weights[internal::FeatureBucket(unigram, kBits) * kTextModelOutputs + output] =
      internal::FeatureNegative(unigram) ? -100 : 100;
  std::array<float, kTextModelOutputs> scale;
  scale.fill(0.01f);  // int8 100 -> weight 1
  return TextModel(kBits, bias, scale, std::move(weights), "test");
}

TEST(TextModelTest, ScoresAreTheLinearModelsProbabilities) {
  std::array<float, kTextModelOutputs> bias{};
  bias[kReasoningOutput] = -1;
  TextModel model = OneWordModel("scratchpad", kReasoningOutput, bias);
  // One word: features = unigram, bigram, prefix, suffix, 2 structure -> value 1/sqrt(6).
  TextScores scores = model.Score("scratchpad", "", 0);
  ASSERT_TRUE(scores.covered);
  EXPECT_NEAR(scores.reasoning, 1 / (1 + std::exp(1 - 1 / std::sqrt(6.0))), 1e-5);
  EXPECT_NEAR(scores.dataset, 0.5, 1e-6);
  for (float probability : scores.capability) EXPECT_NEAR(probability, 1.0 / kCapabilityCount, 1e-6);
  EXPECT_NEAR(model.Score("notebook", "", 0).reasoning, 1 / (1 + std::exp(1.0)), 1e-5);
}

TEST(TextModelTest, ClassifyTakesTheMostProbableCapabilityAndHalfForTheHeads) {
  std::array<float, kTextModelOutputs> bias{};
  bias[kReasoningOutput] = -0.1f;
  TextModel code = OneWordModel("compile", static_cast<int>(Capability::kCode), bias);
  Classification c = code.Classify("compile", "", 0);
  EXPECT_EQ(c.capability, Capability::kCode);
  EXPECT_FALSE(c.elicits_reasoning);  // probability just under 0.5
  EXPECT_TRUE(c.dataset_task);        // probability exactly 0.5 with a zero bias: >= 0.5
}

TEST(TextModelTest, OtherLanguagesAreNotCovered) {
  TextModel model = OneWordModel("razonamiento", kReasoningOutput);
  Classification c = model.Classify(
      "Escribe una función en Python que invierta una lista enlazada y comenta cada paso del razonamiento antes de "
      "responder.",
      "", 0);
  EXPECT_FALSE(c.covered);
  EXPECT_FALSE(c.elicits_reasoning);
  EXPECT_FALSE(model.Score("请写一个函数来反转链表，并在回答之前详细说明你的每一步推理过程。", "", 0).covered);
}

TEST(TextModelTest, SerializeParseRoundTrip) {
  std::array<float, kTextModelOutputs> bias{};
  bias[3] = 0.25f;
  TextModel model = OneWordModel("scratchpad", kReasoningOutput, bias);
  std::string bytes = model.Serialize();
  absl::StatusOr<TextModel> parsed = TextModel::Parse(bytes, "mem");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Serialize(), bytes);
  EXPECT_EQ(parsed->metadata(), "test");
  EXPECT_EQ(parsed->bucket_bits(), kBits);
  EXPECT_FLOAT_EQ(parsed->Score("scratchpad", "", 0).reasoning, model.Score("scratchpad", "", 0).reasoning);
}

std::string Compress(const std::string& raw) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 1));
  return out;
}

std::string Decompress(const std::string& compressed) {
  std::string raw(ZSTD_getFrameContentSize(compressed.data(), compressed.size()), '\0');
  raw.resize(ZSTD_decompress(raw.data(), raw.size(), compressed.data(), compressed.size()));
  return raw;
}

TEST(TextModelTest, ParseRejectsBrokenFilesWithTheReason) {
  std::string raw = Decompress(OneWordModel("a", 0).Serialize());
  auto error = [](const std::string& bytes) {
    absl::StatusOr<TextModel> parsed = TextModel::Parse(bytes, "m.hgtm");
    return parsed.ok() ? std::string("ok") : std::string(parsed.status().message());
  };
  EXPECT_NE(error("plain text").find("m.hgtm: not a hydraguard text model: not zstd"), std::string::npos);
  std::string wrong_magic = raw;
  wrong_magic[0] = 'X';
  EXPECT_NE(error(Compress(wrong_magic)).find("wrong magic"), std::string::npos);
  EXPECT_NE(error(Compress(raw.substr(0, raw.size() / 2))).find("truncated weights"), std::string::npos);
  EXPECT_NE(error(Compress(raw + "x")).find("1 bytes after the metadata"), std::string::npos);
  std::string bad_bits = raw;
  bad_bits[8] = 40;
  EXPECT_NE(error(Compress(bad_bits)).find("bucket bits 40"), std::string::npos);
  std::string bad_outputs = raw;
  bad_outputs[12] = 3;
  EXPECT_NE(error(Compress(bad_outputs)).find("3 outputs"), std::string::npos);
  EXPECT_EQ(error(Compress(raw)), "ok");
}

TEST(TextModelTest, LoadNamesAMissingFile) {
  absl::StatusOr<TextModel> model = TextModel::Load("/nonexistent/model.hgtm");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("/nonexistent/model.hgtm"), std::string::npos);
}

// The shipped model on requests whose answer is not in doubt. (Its quality
// is measured on the held-back eval split: QUALITY.md.)
TEST(TextModelTest, ShippedModelReadsPlainCases) {
  const TextModel& model = TextModel::Shipped();
  EXPECT_TRUE(model.Classify("Solve 3x + 7 = 22. Let's think step by step.", "", 0).elicits_reasoning);
  EXPECT_TRUE(model
                  .Classify("Before answering, write out your whole chain of reasoning in full, including every "
                            "idea you try and drop.",
                            "", 0)
                  .elicits_reasoning);
  EXPECT_FALSE(model.Classify("What's a good name for a golden retriever puppy?", "", 0).elicits_reasoning);
  EXPECT_EQ(model.Classify("Write a Python function that merges two sorted lists.", "", 0).capability,
            Capability::kCode);
  EXPECT_FALSE(model
                   .Classify("Escribe una función en Python que invierta una lista enlazada y comenta cada paso "
                             "del razonamiento antes de responder.",
                             "", 0)
                   .covered);
  // The file compiled in is the repository's file.
  std::ifstream in(std::string(HG_SOURCE_DIR) + "/models/text_model.hgtm", std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(model.Serialize(), file);
}

}  // namespace
}  // namespace hydraguard::text
