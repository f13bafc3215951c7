#include "text/template_sketch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace hydraguard::text {
namespace {

std::string Words(int first, int last) {
  std::string out;
  for (int index = first; index <= last; ++index) {
    out += "word";
    out += static_cast<char>('a' + index % 26);
    out += static_cast<char>('a' + index / 26 % 26);
    out += ' ';
  }
  return out;
}

TEST(TemplateSketchTest, CaseAndNumbersAreNormalized) {
  EXPECT_EQ(TemplateSketch::Of("Your order 12345 has SHIPPED, total $99.50").values(),
            TemplateSketch::Of("your order 7 has shipped total $3").values());
  EXPECT_LT(
      TemplateSketch::Of("your order has shipped today").Similarity(TemplateSketch::Of("your order was lost today")),
      0.5);
}

TEST(TemplateSketchTest, EstimatesJaccardOfWordTrigrams) {
  // words 0..99 vs 50..149: 98 trigrams each, 48 shared: J = 48 / 148.
  double sum = 0;
  for (int shift = 0; shift < 8; ++shift) {
    std::string salt = "s";
    salt += std::to_string(shift);
    salt += ' ';
    std::string a = salt, b = salt;
    a += Words(0, 99);
    b += Words(50, 149);
    sum += TemplateSketch::Of(a).Similarity(TemplateSketch::Of(b));
  }
  EXPECT_NEAR(sum / 8, 48.0 / 148.0, 0.08);
  EXPECT_EQ(TemplateSketch::Of(Words(0, 99)).Similarity(TemplateSketch::Of(Words(0, 99))), 1.0);
  EXPECT_LT(TemplateSketch::Of(Words(0, 99)).Similarity(TemplateSketch::Of(Words(200, 299))), 0.1);
}

TEST(TemplateSketchTest, SameTemplateDifferentSlotsAreCloseUnrelatedAreNot) {
  const std::vector<std::string> tasks = {
      "write a Go function that merges two sorted lists",     "implement an LRU cache in Rust with unit tests",
      "parse ISO 8601 dates in several time zones in Python", "find the shortest path in a weighted graph",
      "explain why this query is slow in Postgres",           "build a rate limiter using a token bucket"};
  auto templated = [](const std::string& task) {
    return "You are an expert engineer. Task: " + task +
           ". Think step by step and show your complete reasoning before the final answer. Return the complete "
           "solution, then a detailed explanation of every design decision.";
  };
  double same = 0, different = 0;
  int pairs = 0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    for (size_t j = i + 1; j < tasks.size(); ++j) {
      same += TemplateSketch::Of(templated(tasks[i])).Similarity(TemplateSketch::Of(templated(tasks[j])));
      different += TemplateSketch::Of(tasks[i]).Similarity(TemplateSketch::Of(tasks[j]));
      ++pairs;
    }
  }
  EXPECT_GT(same / pairs, 0.5);
  EXPECT_LT(different / pairs, 0.1);
}

TEST(TemplateSketchTest, LshFindsNearDuplicatesAndRarelyUnrelatedPairs) {
  std::mt19937 rng(3);
  int near_found = 0, unrelated_found = 0;
  for (int trial = 0; trial < 200; ++trial) {
    int base = static_cast<int>(rng() % 10000);
    std::string a = Words(base, base + 60), b = Words(base, base + 55);
    b += " tail";
    b += std::to_string(trial);
    std::string c = Words(base + 5000, base + 5060);
    auto share = [](const TemplateSketch& x, const TemplateSketch& y) {
      auto kx = x.BandKeys(), ky = y.BandKeys();
      for (int band = 0; band < kLshBands; ++band) {
        if (kx[band] == ky[band]) return true;
      }
      return false;
    };
    TemplateSketch sa = TemplateSketch::Of(a);
    near_found += share(sa, TemplateSketch::Of(b));
    unrelated_found += share(sa, TemplateSketch::Of(c));
  }
  EXPECT_GE(near_found, 196);  // similarity ~0.9: essentially always a candidate
  EXPECT_LE(unrelated_found, 2);
}

TEST(TemplateSketchTest, EmptyAndShortTexts) {
  TemplateSketch empty = TemplateSketch::Of("  ,,, !! ");
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.Similarity(TemplateSketch::Of("")), 1.0);
  EXPECT_EQ(empty.Similarity(TemplateSketch::Of("hello")), 0.0);
  EXPECT_EQ(TemplateSketch::Of("hello there").Similarity(TemplateSketch::Of("Hello, there!")), 1.0);
  EXPECT_LT(TemplateSketch::Of("hello there").Similarity(TemplateSketch::Of("goodbye now")), 0.2);
}

TEST(TemplateSketchTest, ReadsOnlyTheFirstBytes) {
  std::string head = Words(0, 700);
  ASSERT_GT(head.size(), kMaxSketchBytes);
  std::string longer = head;
  longer += " anything else at all";
  EXPECT_EQ(TemplateSketch::Of(longer).values(), TemplateSketch::Of(head).values());
}

TEST(TemplateSketchTest, NonAsciiAndVeryLongWords) {
  EXPECT_EQ(TemplateSketch::Of("café ñandú 東京 tower").Similarity(TemplateSketch::Of("café ñandú 東京 tower")), 1.0);
  EXPECT_LT(TemplateSketch::Of("café ñandú 東京 tower").Similarity(TemplateSketch::Of("cafe nandu kyoto tower")), 0.5);
  std::string blob(3000, 'q');
  EXPECT_FALSE(TemplateSketch::Of(blob).empty());
  EXPECT_EQ(TemplateSketch::Of(blob).shingle_count(), 1u);
}

}  // namespace
}  // namespace hydraguard::text
