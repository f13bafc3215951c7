#include "text/capability.h"

#include <algorithm>
#include <array>
#include <string>

namespace hydraguard::text {
namespace {

constexpr size_t kMaxBytes = 4096;

struct Cue {
  const char* phrase;  // lower-case; matched as a substring of the lower-cased text
  Capability capability;
  int weight;
};

// Cue phrases. Leading/trailing spaces make a word match ("sql " not "sqlite").
constexpr std::array<Cue, 64> kCues = {{
    {"```", Capability::kCode, 3}, {"def ", Capability::kCode, 2}, {"function", Capability::kCode, 2},
    {"code", Capability::kCode, 2}, {"python", Capability::kCode, 2}, {"javascript", Capability::kCode, 2},
    {"typescript", Capability::kCode, 2}, {"java ", Capability::kCode, 2}, {"c++", Capability::kCode, 2},
    {"rust", Capability::kCode, 2}, {"golang", Capability::kCode, 2}, {" go ", Capability::kCode, 1},
    {"sql", Capability::kCode, 2}, {"bash", Capability::kCode, 2}, {"implement", Capability::kCode, 2},
    {"compile", Capability::kCode, 2}, {"bug", Capability::kCode, 2}, {"error", Capability::kCode, 1},
    {"exception", Capability::kCode, 2}, {"unit test", Capability::kCode, 2}, {"refactor", Capability::kCode, 2},
    {"class ", Capability::kCode, 1}, {"api", Capability::kCode, 1}, {"regex", Capability::kCode, 2},
    {"algorithm", Capability::kCode, 2}, {"program", Capability::kCode, 2},
    {"tool", Capability::kAgentic, 2}, {"repository", Capability::kAgentic, 2}, {"goal:", Capability::kAgentic, 3},
    {"plan the steps", Capability::kAgentic, 3}, {"tool result", Capability::kAgentic, 4},
    {"exit code", Capability::kAgentic, 3}, {"run the tests", Capability::kAgentic, 3},
    {"files changed", Capability::kAgentic, 3}, {"migration", Capability::kAgentic, 1},
    {"prove", Capability::kReasoning, 3}, {"how many ways", Capability::kReasoning, 4},
    {"probability", Capability::kReasoning, 3}, {"puzzle", Capability::kReasoning, 3},
    {"calculate", Capability::kReasoning, 2}, {"solve", Capability::kReasoning, 2},
    {"math", Capability::kReasoning, 2}, {"how long", Capability::kReasoning, 1}, {"equation", Capability::kReasoning, 3},
    {"dataset", Capability::kDataAnalysis, 3}, {"csv", Capability::kDataAnalysis, 2}, {"table", Capability::kDataAnalysis, 2},
    {"trend", Capability::kDataAnalysis, 3}, {"outlier", Capability::kDataAnalysis, 3}, {"average", Capability::kDataAnalysis, 2},
    {"growth rate", Capability::kDataAnalysis, 3}, {"regression", Capability::kDataAnalysis, 3},
    {"poem", Capability::kCreative, 4}, {"story", Capability::kCreative, 3}, {"haiku", Capability::kCreative, 4},
    {"song", Capability::kCreative, 3}, {"lyrics", Capability::kCreative, 4},
    {"screenshot", Capability::kComputerUse, 5}, {"click", Capability::kComputerUse, 3},
    {"browser", Capability::kComputerUse, 3}, {"open the app", Capability::kComputerUse, 3},
    {"rubric", Capability::kRubric, 5}, {"grade the", Capability::kRubric, 4}, {"score each", Capability::kRubric, 4},
}};

// Phrases that ask the model to spell out its reasoning.
constexpr std::array<const char*, 14> kReasoningCues = {
    "step by step", "step-by-step", "show your reasoning", "chain of thought", "your reasoning",
    "think out loud", "show all of your work", "show your work", "thought process", "reasoning step",
    "explain each step", "intermediate step", "verbalize", "derivation"};

std::string Lowered(std::string_view text) {
  std::string out(text.substr(0, std::min(text.size(), kMaxBytes)));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

}  // namespace

std::string_view CapabilityName(Capability capability) {
  static constexpr std::array<std::string_view, kCapabilityCount> kNames = {
      "chat", "code", "agentic", "reasoning", "data_analysis", "creative", "computer_use", "rubric_grading"};
  int index = static_cast<int>(capability);
  return index >= 0 && index < kCapabilityCount ? kNames[index] : std::string_view("unknown");
}

Classification ClassifyRequest(std::string_view prompt, std::string_view system, int tools) {
  std::string text = Lowered(prompt);
  std::string system_text = Lowered(system);
  std::array<int, kCapabilityCount> score{};
  for (const Cue& cue : kCues) {
    if (text.find(cue.phrase) != std::string::npos) score[static_cast<int>(cue.capability)] += cue.weight;
  }
  if (tools > 0) score[static_cast<int>(Capability::kAgentic)] += 4;
  Classification result;
  int best = 2;  // below this, nothing stands out: chat
  for (int index = 0; index < kCapabilityCount; ++index) {
    if (score[index] > best) {
      best = score[index];
      result.capability = static_cast<Capability>(index);
    }
  }
  for (const char* cue : kReasoningCues) {
    if (text.find(cue) != std::string::npos || system_text.find(cue) != std::string::npos) {
      result.elicits_reasoning = true;
      break;
    }
  }
  return result;
}

}  // namespace hydraguard::text
