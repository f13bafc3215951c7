#include "text/internal/text_features.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace hydraguard::text::internal {
namespace {

std::vector<uint64_t> Features(std::string_view prompt, std::string_view system = "", int tools = 0) {
  std::vector<uint64_t> features;
  ExtractFeatures(prompt, system, tools, &features);
  std::sort(features.begin(), features.end());
  return features;
}

TEST(TextFeaturesTest, CaseAndNumbersAreNormalized) {
  EXPECT_EQ(Features("Order 12345 has SHIPPED"), Features("order 7 has shipped"));
  EXPECT_EQ(Features("pi is 3.14159"), Features("pi is 2,5"));
  EXPECT_NE(Features("order has shipped"), Features("order was shipped"));
}

TEST(TextFeaturesTest, CountsWordsBigramsAffixesAndStructure) {
  std::vector<uint64_t> features;
  // "dump" (4 bytes): word + bigram. "scratchpad" (10): word + bigram + prefix + suffix.
  // Structure: line bucket and length bucket.
  ExtractFeatures("dump scratchpad", "", 0, &features);
  EXPECT_EQ(features.size(), 2u + 4u + 2u);
  ExtractFeatures("dump scratchpad?", "be brief", 2, &features);
  EXPECT_EQ(features.size(), 2u + 4u + 2u /*system words*/ + 3u /*tools, system, question*/ + 2u);
}

TEST(TextFeaturesTest, InflectionsShareAffixFeatures) {
  // "deliberations" and "deliberating" share the prefix "delib"; whole words differ.
  std::vector<uint64_t> a = Features("deliberations"), b = Features("deliberating");
  std::vector<uint64_t> shared;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(shared));
  EXPECT_EQ(shared.size(), 3u);  // the prefix, the line bucket, the length bucket
}

TEST(TextFeaturesTest, SystemWordsAreTheirOwnFeatures) {
  std::vector<uint64_t> in_prompt = Features("verbatim"), in_system = Features("", "verbatim");
  std::vector<uint64_t> shared;
  std::set_intersection(in_prompt.begin(), in_prompt.end(), in_system.begin(), in_system.end(),
                        std::back_inserter(shared));
  // Only the line bucket is the same (the empty prompt's length bucket differs).
  EXPECT_EQ(shared.size(), 1u);
}

TEST(TextFeaturesTest, ReadsAtMostTheFirstBytes) {
  std::string long_prompt(kMaxPromptBytes, 'a');
  long_prompt += " tail";
  std::string cut(kMaxPromptBytes, 'a');
  EXPECT_EQ(Features(long_prompt), Features(cut));
}

TEST(TextFeaturesTest, CoveredLanguage) {
  std::vector<uint64_t> features;
  auto covered = [&](std::string_view text) { return CoveredLanguage(ExtractFeatures(text, "", 0, &features)); };
  EXPECT_TRUE(covered("Before you answer, write down every step of the reasoning that leads you to it."));
  EXPECT_TRUE(covered("hi"));  // too short to tell: covered
  EXPECT_TRUE(covered("for (int i = 0; i < n; ++i) { total += values[i]; }\nreturn total; // sum of all values kept"));
  EXPECT_FALSE(
      covered("Escribe una función en Python que invierta una lista enlazada y comenta cada paso del "
              "razonamiento antes de responder."));
  EXPECT_FALSE(
      covered("Schreibe eine Funktion, die eine verkettete Liste umkehrt, und erkläre jeden Schritt "
              "deiner Überlegungen ausführlich."));
  EXPECT_FALSE(covered("请写一个函数来反转链表，并在回答之前详细说明你的每一步推理过程。"));
  EXPECT_FALSE(covered("Напиши функцию, которая переворачивает связный список, и объясни каждый шаг."));
}

}  // namespace
}  // namespace hydraguard::text::internal
