#include "text/capability.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string>
#include <vector>

#include "re2/re2.h"
#include "re2/set.h"

namespace hydraguard::text {
namespace {

constexpr size_t kMaxBytes = 4096;

struct Cue {
  const char* phrase;  // lower-case; matched as a substring of the lower-cased text
  Capability capability;
  int weight;
};

// Cue phrases, matched case-insensitively as literal substrings. Leading or
// trailing spaces make a word match (" go " not "going").
constexpr std::array<Cue, 64> kCues = {{
    {"```", Capability::kCode, 3},
    {"def ", Capability::kCode, 2},
    {"function", Capability::kCode, 2},
    {"code", Capability::kCode, 2},
    {"python", Capability::kCode, 2},
    {"javascript", Capability::kCode, 2},
    {"typescript", Capability::kCode, 2},
    {"java ", Capability::kCode, 2},
    {"c++", Capability::kCode, 2},
    {"rust", Capability::kCode, 2},
    {"golang", Capability::kCode, 2},
    {" go ", Capability::kCode, 1},
    {"sql", Capability::kCode, 2},
    {"bash", Capability::kCode, 2},
    {"implement", Capability::kCode, 2},
    {"compile", Capability::kCode, 2},
    {"bug", Capability::kCode, 2},
    {"error", Capability::kCode, 1},
    {"exception", Capability::kCode, 2},
    {"unit test", Capability::kCode, 2},
    {"refactor", Capability::kCode, 2},
    {"class ", Capability::kCode, 1},
    {"api", Capability::kCode, 1},
    {"regex", Capability::kCode, 2},
    {"algorithm", Capability::kCode, 2},
    {"program", Capability::kCode, 2},
    {"tool", Capability::kAgentic, 2},
    {"repository", Capability::kAgentic, 2},
    {"goal:", Capability::kAgentic, 3},
    {"plan the steps", Capability::kAgentic, 3},
    {"tool result", Capability::kAgentic, 4},
    {"exit code", Capability::kAgentic, 3},
    {"run the tests", Capability::kAgentic, 3},
    {"files changed", Capability::kAgentic, 3},
    {"migration", Capability::kAgentic, 1},
    {"prove", Capability::kReasoning, 3},
    {"how many ways", Capability::kReasoning, 4},
    {"probability", Capability::kReasoning, 3},
    {"puzzle", Capability::kReasoning, 3},
    {"calculate", Capability::kReasoning, 2},
    {"solve", Capability::kReasoning, 2},
    {"math", Capability::kReasoning, 2},
    {"how long", Capability::kReasoning, 1},
    {"equation", Capability::kReasoning, 3},
    {"dataset", Capability::kDataAnalysis, 3},
    {"csv", Capability::kDataAnalysis, 2},
    {"table", Capability::kDataAnalysis, 2},
    {"trend", Capability::kDataAnalysis, 3},
    {"outlier", Capability::kDataAnalysis, 3},
    {"average", Capability::kDataAnalysis, 2},
    {"growth rate", Capability::kDataAnalysis, 3},
    {"regression", Capability::kDataAnalysis, 3},
    {"poem", Capability::kCreative, 4},
    {"story", Capability::kCreative, 3},
    {"haiku", Capability::kCreative, 4},
    {"song", Capability::kCreative, 3},
    {"lyrics", Capability::kCreative, 4},
    {"screenshot", Capability::kComputerUse, 5},
    {"click", Capability::kComputerUse, 3},
    {"browser", Capability::kComputerUse, 3},
    {"open the app", Capability::kComputerUse, 3},
    {"rubric", Capability::kRubric, 5},
    {"grade the", Capability::kRubric, 4},
    {"score each", Capability::kRubric, 4},
}};

// Phrases that ask the model to spell out its reasoning.
constexpr std::array<const char*, 14> kReasoningCues = {
    "step by step",      "step-by-step",          "show your reasoning", "chain of thought", "your reasoning",
    "think out loud",    "show all of your work", "show your work",      "thought process",  "reasoning step",
    "explain each step", "intermediate step",     "verbalize",           "derivation"};

// Every cue and reasoning phrase in one RE2::Set: a single DFA pass over the
// text finds all of them (64 substring searches per prompt cost ~25 us/KB).
// Indices [0, kCues.size()) are cues; the rest are reasoning phrases.
const RE2::Set& CueSet() {
  static const RE2::Set* set = [] {
    RE2::Options options;
    options.set_case_sensitive(false);
    options.set_literal(true);
    auto* built = new RE2::Set(options, RE2::UNANCHORED);
    for (const Cue& cue : kCues) built->Add(cue.phrase, nullptr);
    for (const char* phrase : kReasoningCues) built->Add(phrase, nullptr);
    if (!built->Compile()) std::abort();  // fixed, tested patterns: cannot fail
    return built;
  }();
  return *set;
}

void MatchCues(std::string_view text, std::vector<int>* matches) {
  matches->clear();
  text = text.substr(0, std::min(text.size(), kMaxBytes));
  CueSet().Match(re2::StringPiece(text.data(), text.size()), matches);
}

}  // namespace

std::string_view CapabilityName(Capability capability) {
  static constexpr std::array<std::string_view, kCapabilityCount> kNames = {
      "chat", "code", "agentic", "reasoning", "data_analysis", "creative", "computer_use", "rubric_grading"};
  int index = static_cast<int>(capability);
  return index >= 0 && index < kCapabilityCount ? kNames[index] : std::string_view("unknown");
}

Classification ClassifyRequest(std::string_view prompt, std::string_view system, int tools) {
  thread_local std::vector<int> matches;
  Classification result;
  std::array<int, kCapabilityCount> score{};
  MatchCues(prompt, &matches);
  for (int index : matches) {
    if (index < static_cast<int>(kCues.size())) {
      score[static_cast<int>(kCues[index].capability)] += kCues[index].weight;
    } else {
      result.elicits_reasoning = true;
    }
  }
  if (tools > 0) score[static_cast<int>(Capability::kAgentic)] += 4;
  int best = 2;  // below this, nothing stands out: chat
  for (int index = 0; index < kCapabilityCount; ++index) {
    if (score[index] > best) {
      best = score[index];
      result.capability = static_cast<Capability>(index);
    }
  }
  if (!result.elicits_reasoning && !system.empty()) {
    MatchCues(system, &matches);
    for (int index : matches) result.elicits_reasoning |= index >= static_cast<int>(kCues.size());
  }
  return result;
}

}  // namespace hydraguard::text
