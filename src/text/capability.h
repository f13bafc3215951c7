// Capability: what a request asks the model for, from its text; and whether it
// asks for the model's reasoning (chain-of-thought elicitation). Distillers
// target a narrow set of high-value capabilities; ordinary customers' traffic
// is broader. This file holds the capability names and the Classification
// every reader of prompts returns, and the cue-phrase classifier: a small
// rule set (cue phrases with weights, plus structure: code fences, tool
// definitions). The engine reads prompts with the trained models of
// text/text_model.h by default; the cue phrases are the fallback
// (`--text-model cues`, or no model given to the engine).
//
//   Classification c = ClassifyRequest(prompt, system, /*tools=*/0);
//   c.capability;           // Capability::kCode
//   c.elicits_reasoning;    // true for "think step by step", "show your reasoning", ...
//
// Thread-safety: pure functions over immutable tables.
#ifndef HYDRAGUARD_TEXT_CAPABILITY_H_
#define HYDRAGUARD_TEXT_CAPABILITY_H_

#include <string_view>

namespace hydraguard::text {

enum class Capability { kChat, kCode, kAgentic, kReasoning, kDataAnalysis, kCreative, kComputerUse, kRubric, kCount };
inline constexpr int kCapabilityCount = static_cast<int>(Capability::kCount);

// "chat", "code", "agentic", "reasoning", "data_analysis", "creative",
// "computer_use", "rubric_grading".
std::string_view CapabilityName(Capability capability);

struct Classification {
  Capability capability = Capability::kChat;
  bool elicits_reasoning = false;  // asks for chain-of-thought / full reasoning
  bool dataset_task = false;       // a dataset-style task (TextModel only; the cue phrases never say so)
  bool covered = true;             // false: a language the classifier does not cover (the rest is meaningless)
};

// Reads at most the first 4 KB of each text. `tools` is the number of tool
// definitions sent with the request (> 0 leans to agentic).
Classification ClassifyRequest(std::string_view prompt, std::string_view system, int tools);

}  // namespace hydraguard::text

#endif  // HYDRAGUARD_TEXT_CAPABILITY_H_
