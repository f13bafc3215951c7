#include "sim/prompts.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_files.h"

namespace hydraguard::sim {
namespace {

// Everything `draw` produces from one half, over many draws.
template <typename Draw>
std::set<std::string> Texts(const PromptLibrary& library, Draw draw, int draws = 4000) {
  std::set<std::string> texts;
  Rng rng(7);
  for (int index = 0; index < draws; ++index) {
    std::string text;
    draw(library, rng, &text);
    texts.insert(std::move(text));
  }
  return texts;
}

bool Disjoint(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const std::string& text : a) {
    if (b.contains(text)) return false;
  }
  return true;
}

TEST(PromptSplitTest, Names) {
  EXPECT_EQ(ParsePromptSplit("tune"), PromptSplit::kTune);
  EXPECT_EQ(ParsePromptSplit("eval"), PromptSplit::kEval);
  EXPECT_EQ(ParsePromptSplit("all"), PromptSplit::kAll);
  EXPECT_EQ(ParsePromptSplit("test"), std::nullopt);
  EXPECT_EQ(PromptSplitName(PromptSplit::kEval), "eval");
}

TEST(PromptSplitTest, BuiltInHalvesNeverMeet) {
  PromptLibrary tune = *PromptLibrary::Load("", PromptSplit::kTune);
  PromptLibrary eval = *PromptLibrary::Load("", PromptSplit::kEval);
  PromptLibrary all = *PromptLibrary::Load("", PromptSplit::kAll);
  auto human = [](const PromptLibrary& library, Rng& rng, std::string* out) { library.Human(rng, out); };
  auto popular = [](const PromptLibrary& library, Rng& rng, std::string* out) { library.Popular(rng, out); };
  auto cot = [](const PromptLibrary& library, Rng& rng, std::string* out) { library.ChainOfThought(rng, out); };
  auto creative = [](const PromptLibrary& library, Rng& rng, std::string* out) {
    library.Task(Capability::kCreative, rng, out);
  };
  for (auto draw : {+human, +popular, +cot, +creative}) {
    std::set<std::string> tune_texts = Texts(tune, draw), eval_texts = Texts(eval, draw), all_texts = Texts(all, draw);
    EXPECT_TRUE(Disjoint(tune_texts, eval_texts));
    EXPECT_GT(tune_texts.size(), 1u);
    EXPECT_GT(eval_texts.size(), 1u);
    // Both halves are drawn from what `all` draws (which also mixes slots of
    // the two halves in one text).
    for (const std::set<std::string>* half : {&tune_texts, &eval_texts}) {
      for (const std::string& text : *half) EXPECT_TRUE(all_texts.contains(text)) << text;
    }
  }
  EXPECT_EQ(tune.popular_count() + eval.popular_count(), all.popular_count());
}

TEST(PromptSplitTest, PoolLinesAreSplitByTheirText) {
  std::string dir = hydraguard::testing::TempPath("");
  std::filesystem::create_directories(dir);
  for (const char* name : {"human.jsonl", "popular.jsonl", "distill.jsonl"}) {
    std::ofstream pool(dir + "/" + name);
    for (int line = 0; line < 200; ++line) pool << fmt::format(R"({{"text":"{} prompt {}"}})", name, line) << "\n";
  }
  PromptLibrary tune = *PromptLibrary::Load(dir, PromptSplit::kTune);
  PromptLibrary eval = *PromptLibrary::Load(dir, PromptSplit::kEval);
  auto popular = [](const PromptLibrary& library, Rng& rng, std::string* out) { library.Popular(rng, out, 0.0); };
  std::set<std::string> tune_texts = Texts(tune, popular), eval_texts = Texts(eval, popular);
  EXPECT_TRUE(Disjoint(tune_texts, eval_texts));
  EXPECT_EQ(tune.popular_count() + eval.popular_count(), 200u);
  EXPECT_GT(tune.popular_count(), 60u);  // a hash splits about evenly
  EXPECT_GT(eval.popular_count(), 60u);
  // The same text is in the same half in any run.
  EXPECT_EQ(Texts(*PromptLibrary::Load(dir, PromptSplit::kTune), popular), tune_texts);
}

// A pool file is read whole or refused with the file, the line and the
// reason: a line without "text", or a last line cut short, is an error.
TEST(ReadPromptPoolTest, ReadsSourcesAndRefusesBrokenLines) {
  absl::StatusOr<std::vector<PoolText>> pool = ReadPromptPool(
      testing::WriteTempFile("{\"text\": \"a\", \"source\": \"s\"}\n{\"text\": \"\"}\n{\"text\": \"b\"}\n"),
      PromptSplit::kAll);
  ASSERT_TRUE(pool.ok()) << pool.status();
  ASSERT_EQ(pool->size(), 2u);
  EXPECT_EQ((*pool)[0].source, "s");
  EXPECT_EQ((*pool)[1].source, "");
  auto error = [](const std::string& contents) {
    absl::StatusOr<std::vector<PoolText>> read = ReadPromptPool(testing::WriteTempFile(contents), PromptSplit::kAll);
    return read.ok() ? std::string("ok") : std::string(read.status().message());
  };
  EXPECT_THAT(error("{\"text\": \"a\"}\n{\"prompt\": \"b\"}\n"), ::testing::HasSubstr(":2: text: "));
  EXPECT_THAT(error("{\"text\": \"a\"}\n{\"text\": \"b"), ::testing::HasSubstr("bytes after the last complete line"));
  EXPECT_THAT(error("{\"text\": \"\"}\n"), ::testing::HasSubstr(": no prompts"));
}

}  // namespace
}  // namespace hydraguard::sim
