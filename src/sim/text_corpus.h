// TextCorpus: labelled request texts for training and scoring the text models
// (text/text_model.h), from the simulator's generators and the prompt pools,
// one split at a time: `tune` text is what the shipped model is fitted on,
// `eval` text what its quality is reported on (QUALITY.md). The labels come
// from what generated each text (a coerced reasoning trace, a grading prompt,
// a codealpaca task, a person's request), never from a classifier.
//
//   absl::StatusOr<std::vector<text::LabelledText>> tune =
//       BuildTextCorpus({.split = PromptSplit::kTune, .prompt_dir = "../shared/data/prompts"});
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_SIM_TEXT_CORPUS_H_
#define HYDRAGUARD_SIM_TEXT_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/prompts.h"
#include "text/text_model_trainer.h"

namespace hydraguard::sim {

struct TextCorpusOptions {
  PromptSplit split = PromptSplit::kTune;  // kAll is refused: a corpus is one half
  std::string prompt_dir;                  // empty: generators only (built-in slot lists)
  uint64_t seed = 1;
  int per_kind = 600;  // texts per generated kind (pools are taken whole)
};

// Generated kinds, each `per_kind` texts: bare tasks per capability, tasks in
// paraphrased wrappers, tasks with coerced or stock reasoning requests,
// grading prompts, tool results, researchers' chain-of-thought questions,
// people's chat (and people's chat with a stock reasoning request), hackathon
// starter challenges and batch extraction requests; then, with `prompt_dir`,
// the split's half of human.jsonl, popular.jsonl and distill.jsonl.
absl::StatusOr<std::vector<text::LabelledText>> BuildTextCorpus(const TextCorpusOptions& options);

// Reads labelled examples written by hand, one JSON object a line:
//   {"text": "...", "system": "...", "tools": 0, "capability": "code",
//    "reasoning": 1, "dataset": 0}
// Every field but "text" is optional (absent: not labelled). Errors name the
// file, the line and the field.
absl::StatusOr<std::vector<text::LabelledText>> ReadLabelledTexts(const std::string& path);

}  // namespace hydraguard::sim

#endif  // HYDRAGUARD_SIM_TEXT_CORPUS_H_
