#include "sim/redteam_text.h"

#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hydraguard::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// One generator as a function of (rng, split) -> text (system and prompt
// joined by a newline where there are two).
using Generator = std::function<std::string(Rng&, PromptSplit)>;

struct Named {
  std::string name;
  Generator generate;
};

const PromptLibrary& Library(PromptSplit split) {
  static const PromptLibrary tune = *PromptLibrary::Load("", PromptSplit::kTune);
  static const PromptLibrary eval = *PromptLibrary::Load("", PromptSplit::kEval);
  static const PromptLibrary all = *PromptLibrary::Load("", PromptSplit::kAll);
  return split == PromptSplit::kTune ? tune : split == PromptSplit::kEval ? eval : all;
}

constexpr std::string_view kTask = "Prove that the square root of 2 is irrational.";

std::vector<Named> Generators() {
  return {
      {"wrapper",
       [](Rng& rng, PromptSplit split) {
         std::string system, prompt;
         AppendParaphrasedWrapper(kTask, rng, split, &system, &prompt);
         return system + "\n" + prompt;
       }},
      {"coercion",
       [](Rng& rng, PromptSplit split) {
         std::string out;
         AppendReasoningCoercion(rng, split, &out);
         return out;
       }},
      {"grading",
       [](Rng& rng, PromptSplit split) {
         std::string out;
         AppendGradingPrompt(Library(split), rng, split, &out);
         return out;
       }},
      {"tool",
       [](Rng& rng, PromptSplit split) {
         std::string out;
         AppendToolResult(rng, split, &out);
         return out;
       }},
      {"extraction",
       [](Rng& rng, PromptSplit split) {
         std::string system, prompt;
         AppendExtractionRequest(rng.Below(50), rng, split, &system, &prompt);
         return system + "\n" + prompt;
       }},
      {"research",
       [](Rng& rng, PromptSplit split) {
         std::string out;
         AppendResearchQuestion(Library(split), rng, split, &out);
         return out;
       }},
  };
}

Generator Find(std::string_view name) {
  for (Named& generator : Generators()) {
    if (generator.name == name) return std::move(generator.generate);
  }
  return nullptr;
}

std::vector<std::string> Draw(const Generator& generate, PromptSplit split, int count, uint64_t seed = 11) {
  std::vector<std::string> texts;
  Rng rng(seed);
  for (int i = 0; i < count; ++i) texts.push_back(generate(rng, split));
  return texts;
}

int CountContaining(const std::vector<std::string>& texts, std::string_view phrase) {
  int count = 0;
  for (const std::string& text : texts) count += text.find(phrase) != std::string::npos;
  return count;
}

std::set<std::string> Shingles(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream stream{std::string(text)};
  for (std::string word; stream >> word;) words.push_back(word);
  std::set<std::string> shingles;
  for (size_t i = 0; i + 2 < words.size(); ++i) shingles.insert(words[i] + " " + words[i + 1] + " " + words[i + 2]);
  return shingles;
}

// The 3-word shingles of a wrapper outside the task text.
std::set<std::string> WrapperShingles(const std::string& system, const std::string& prompt) {
  size_t at = prompt.find(kTask);
  std::set<std::string> shingles = Shingles(system);
  for (std::string_view part :
       {std::string_view(prompt).substr(0, at), std::string_view(prompt).substr(at + kTask.size())}) {
    std::set<std::string> more = Shingles(part);
    shingles.insert(more.begin(), more.end());
  }
  return shingles;
}

TEST(RedteamTextTest, SameSeedSameText) {
  for (const Named& generator : Generators()) {
    for (PromptSplit split : {PromptSplit::kAll, PromptSplit::kTune, PromptSplit::kEval}) {
      EXPECT_EQ(Draw(generator.generate, split, 50, 3), Draw(generator.generate, split, 50, 3)) << generator.name;
      EXPECT_NE(Draw(generator.generate, split, 50, 3), Draw(generator.generate, split, 50, 4)) << generator.name;
    }
  }
}

TEST(RedteamTextTest, AsciiOnly) {
  for (const Named& generator : Generators()) {
    for (PromptSplit split : {PromptSplit::kAll, PromptSplit::kTune, PromptSplit::kEval}) {
      for (const std::string& text : Draw(generator.generate, split, 500)) {
        ASSERT_FALSE(text.empty()) << generator.name;
        for (char c : text) {
          ASSERT_TRUE((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t') << generator.name << ": " << text;
        }
      }
    }
  }
  for (uint64_t event = 0; event < 20; ++event) {
    for (int challenge = 0; challenge < 8; ++challenge) {
      std::string text;
      AppendStarterChallenge(event, challenge, &text);
      for (char c : text) ASSERT_TRUE((c >= 0x20 && c < 0x7f) || c == '\n') << text;
    }
  }
}

// Distinctive slot entries: the first of each pair is an even (tune) entry,
// the second an odd (eval) one; each shows up only in its own half.
TEST(RedteamTextSplitTest, HalvesDrawDisjointEntries) {
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string_view, std::string_view>>>> kPhrases = {
      {"wrapper", {{"exhaustively.", "thoroughly."}, {"known for", "famed for"}, {"Task: Prove", "Problem: Prove"}}},
      {"coercion", {{"unabridged", "verbatim"}, {"your scratchpad", "the internal monologue"}}},
      {"grading", {{"- correctness\n", "- completeness\n"}, {"Compare the two responses", "Two assistants answered"}}},
      {"tool", {{"KeyError: '", "TypeError: unsupported operand"}, {"fix/flaky-tests", "feature/login"}}},
      {"extraction", {{"Maria", "James"}, {"Order not received", "Wrong item delivered"}}},
      {"research",
       {{"reasoning faithfulness", "graduate student"}, {"Let's think step by step.", "Show your reasoning."}}},
  };
  for (const Named& generator : Generators()) {
    std::vector<std::string> tune = Draw(generator.generate, PromptSplit::kTune, 500);
    std::vector<std::string> eval = Draw(generator.generate, PromptSplit::kEval, 500);
    bool checked = false;
    for (const auto& [name, pairs] : kPhrases) {
      if (name != generator.name) continue;
      checked = true;
      for (const auto& [tune_phrase, eval_phrase] : pairs) {
        EXPECT_GT(CountContaining(tune, tune_phrase), 0) << name << ": " << tune_phrase;
        EXPECT_EQ(CountContaining(eval, tune_phrase), 0) << name << ": " << tune_phrase;
        EXPECT_GT(CountContaining(eval, eval_phrase), 0) << name << ": " << eval_phrase;
        EXPECT_EQ(CountContaining(tune, eval_phrase), 0) << name << ": " << eval_phrase;
      }
    }
    EXPECT_TRUE(checked) << generator.name;
  }
}

TEST(RedteamTextWrapperTest, ParaphrasesShareFewShingles) {
  for (PromptSplit split : {PromptSplit::kTune, PromptSplit::kEval}) {
    Rng rng(5);
    std::vector<std::set<std::string>> shingles;
    std::set<std::string> prompts;
    int task_first = 0, task_last = 0, with_system = 0;
    for (int i = 0; i < 200; ++i) {
      std::string system, prompt;
      AppendParaphrasedWrapper(kTask, rng, split, &system, &prompt);
      ASSERT_NE(prompt.find(kTask), std::string::npos) << prompt;
      task_last += prompt.ends_with(kTask);
      task_first += prompt.find(kTask) < 30;
      with_system += !system.empty();
      shingles.push_back(WrapperShingles(system, prompt));
      prompts.insert(prompt);
    }
    EXPECT_EQ(prompts.size(), 200u);
    EXPECT_GT(task_first, 20);
    EXPECT_GT(task_last, 20);
    EXPECT_GT(with_system, 60);
    EXPECT_LT(with_system, 140);
    double sum = 0;
    int pairs = 0, sharing_any = 0;
    for (size_t a = 0; a < shingles.size(); ++a) {
      for (size_t b = a + 1; b < shingles.size(); ++b) {
        size_t common = 0;
        for (const std::string& shingle : shingles[a]) common += shingles[b].contains(shingle);
        size_t all = shingles[a].size() + shingles[b].size() - common;
        sum += all == 0 ? 0 : static_cast<double>(common) / static_cast<double>(all);
        sharing_any += common > 0;
        ++pairs;
      }
    }
    // Measured: mean Jaccard 0.003, 12% of pairs share any shingle.
    EXPECT_LT(sum / pairs, 0.05);
    EXPECT_LT(sharing_any, pairs / 4);
  }
}

TEST(RedteamTextWrapperTest, AppendsWithoutClearing) {
  Rng rng(1);
  for (int i = 0; i < 20; ++i) {
    std::string system = "Base system.", prompt = "Earlier text. ";
    AppendParaphrasedWrapper(kTask, rng, PromptSplit::kAll, &system, &prompt);
    EXPECT_THAT(system, StartsWith("Base system."));
    EXPECT_TRUE(system == "Base system." || system.starts_with("Base system. ")) << system;
    EXPECT_THAT(prompt, StartsWith("Earlier text. "));
  }
}

TEST(RedteamTextCoercionTest, ManyPhrasingsFewStockPhrases) {
  for (PromptSplit split : {PromptSplit::kTune, PromptSplit::kEval}) {
    std::vector<std::string> texts = Draw(Find("coercion"), split, 2000);
    EXPECT_GE(std::set<std::string>(texts.begin(), texts.end()).size(), 200u);
    EXPECT_LT(CountContaining(texts, "step by step"), 2000 / 5);
    EXPECT_LT(CountContaining(texts, "chain of thought"), 2000 / 5);
  }
}

TEST(RedteamTextGradingTest, RubricAndPairwiseForms) {
  std::vector<std::string> texts = Draw(Find("grading"), PromptSplit::kAll, 1000);
  int pairwise = CountContaining(texts, "Response A: ");
  EXPECT_EQ(CountContaining(texts, "Response B: "), pairwise);
  int rubric = CountContaining(texts, " on a scale from ");
  EXPECT_EQ(pairwise + rubric, 1000);
  EXPECT_GT(pairwise, 400);
  EXPECT_GT(rubric, 400);
  for (std::string_view phrase : {"from 1 to 5 ", "from 1 to 10 ", "from 0 to 100 ", "{\"scores\": {", "probability",
                                  "\"preferred\": \"A\" | \"B\"", "\nQuestion: "}) {
    EXPECT_GT(CountContaining(texts, phrase), 20) << phrase;
  }
}

TEST(RedteamTextToolResultTest, AllKindsOfToolOutput) {
  std::vector<std::string> texts = Draw(Find("tool"), PromptSplit::kAll, 1000);
  for (std::string_view phrase :
       {"$ ls -la\ntotal ", "$ git status\nOn branch ", "$ pytest -q\n", "$ cargo test\n", " passed", "HTTP/1.1 200 OK",
        "HTTP/1.1 4", "Traceback (most recent call last):", " (lines ", "$ grep -rn \""}) {
    EXPECT_GT(CountContaining(texts, phrase), 10) << phrase;
  }
  // A follow-up instruction is a last paragraph of one sentence; tool output
  // never ends in a period or question mark.
  int instructed = 0;
  for (const std::string& text : texts) {
    ASSERT_NE(text.back(), '\n') << text;
    size_t paragraph = text.rfind("\n\n");
    bool sentence = text.back() == '.' || text.back() == '?';
    EXPECT_TRUE(!sentence || (paragraph != std::string::npos && text.find('\n', paragraph + 2) == std::string::npos))
        << text;
    instructed += sentence;
  }
  EXPECT_GT(instructed, 500);
  EXPECT_LT(instructed, 700);
}

TEST(RedteamTextStarterChallengeTest, FixedPerEventAndChallenge) {
  std::set<std::string> texts, titles;
  for (int challenge = 0; challenge < 8; ++challenge) {
    std::string text, again;
    AppendStarterChallenge(42, challenge, &text);
    AppendStarterChallenge(42, challenge, &again);
    EXPECT_EQ(text, again);
    EXPECT_THAT(text, HasSubstr(fmt::format("\nChallenge {}: ", challenge + 1)));
    EXPECT_THAT(text, HasSubstr("Requirements:\n- It should "));
    texts.insert(text);
    titles.insert(text.substr(0, text.find('\n')));
  }
  EXPECT_EQ(texts.size(), 8u);
  EXPECT_EQ(titles.size(), 1u);  // one kit per event
  std::string other;
  AppendStarterChallenge(43, 2, &other);
  EXPECT_EQ(texts.count(other), 0u);
}

TEST(RedteamTextExtractionTest, TemplatePerCustomerDocumentPerCall) {
  std::set<std::string> systems;
  for (uint64_t customer = 0; customer < 40; ++customer) {
    Rng rng(customer + 100);
    std::string first_system, first_prompt;
    AppendExtractionRequest(customer, rng, PromptSplit::kTune, &first_system, &first_prompt);
    std::string instruction = first_prompt.substr(0, first_prompt.find("\n\n"));
    std::set<std::string> documents = {first_prompt.substr(instruction.size())};
    for (int call = 0; call < 5; ++call) {
      std::string system, prompt;
      AppendExtractionRequest(customer, rng, PromptSplit::kTune, &system, &prompt);
      EXPECT_EQ(system, first_system);
      EXPECT_THAT(prompt, StartsWith(instruction + "\n\n")) << prompt;
      documents.insert(prompt.substr(instruction.size()));
    }
    EXPECT_EQ(documents.size(), 6u) << first_prompt;
    systems.insert(first_system + instruction);
  }
  EXPECT_GT(systems.size(), 30u);
}

TEST(RedteamTextResearchTest, QuestionThenStockChainOfThought) {
  std::vector<std::string> texts = Draw(Find("research"), PromptSplit::kAll, 1000);
  int framed = 0;
  for (const std::string& text : texts) framed += text.find("\n\n") != std::string::npos;
  EXPECT_GT(framed, 250);
  EXPECT_LT(framed, 450);
  // Stock phrasings, from this file's list and from PromptLibrary's.
  for (std::string_view phrase : {"Let's think step by step.", "Show your reasoning.", "Think step by step."}) {
    EXPECT_GT(CountContaining(texts, phrase), 10) << phrase;
  }
  EXPECT_GT(CountContaining(texts, "step by step"), 200);
}

}  // namespace
}  // namespace hydraguard::sim
