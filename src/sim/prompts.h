// PromptLibrary: the text of simulated requests.
//
// Built-in generators produce varied prompts for each capability from slot
// lists (no files needed, so `make demo` runs anywhere). With a prompt
// directory (--prompts ../shared/data/prompts) real text is mixed in:
// human.jsonl (people's requests), popular.jsonl (prompts many people paste
// verbatim), distill.jsonl (machine-generated instruction sets). Honest
// developers draw from the same coding pool the campaigns use, and campaigns
// wrap human prompts in their templates, so text alone never gives the label.
//
//   PromptLibrary library = *PromptLibrary::Load("");   // built-in only
//   std::string text;
//   library.Task(Capability::kCode, rng, &text);
//
// Thread-safety: immutable after Load().
#ifndef HYDRAGUARD_SIM_PROMPTS_H_
#define HYDRAGUARD_SIM_PROMPTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/random.h"
#include "text/capability.h"

namespace hydraguard::sim {

// The same capabilities the detector classifies (text/capability.h).
using Capability = text::Capability;
using text::CapabilityName;

// Every text source is split in two halves, deterministically: `tune` text
// is what any model or threshold may be fitted on, `eval` text what quality
// is reported on (QUALITY.md). Built-in slot lists: even entries are tune,
// odd ones eval; pool lines (DIR/*.jsonl): by a hash of the text. kAll draws
// from everything, exactly as before the split existed.
enum class PromptSplit { kAll, kTune, kEval };
std::optional<PromptSplit> ParsePromptSplit(std::string_view name);  // "all", "tune", "eval"
std::string_view PromptSplitName(PromptSplit split);

// One line of a prompt pool file.
struct PoolText {
  std::string text;
  std::string source;  // the line's "source" ("codealpaca", ...); empty when absent
};
// Reads a pool file (one {"text": ..., "source": ...} a line; empty texts
// skipped), keeping the lines in `split`'s half. Errors: unreadable file, bad
// JSON or a line without "text" (with its line number), no prompts at all or
// none in the half.
absl::StatusOr<std::vector<PoolText>> ReadPromptPool(const std::string& path, PromptSplit split);

class PromptLibrary {
 public:
  // `dir` empty: built-in generators only. Otherwise reads DIR/human.jsonl,
  // DIR/popular.jsonl and DIR/distill.jsonl (each line {"text": ...}). Only
  // `split`'s half of every source is drawn from.
  static absl::StatusOr<PromptLibrary> Load(const std::string& dir, PromptSplit split = PromptSplit::kAll);

  // Appends a request of this capability (a bare task, no template).
  void Task(Capability capability, Rng& rng, std::string* out) const;
  // Appends a request written by a person (chat-like).
  void Human(Rng& rng, std::string* out) const;
  // Appends one of the popular prompts, verbatim. `rank_skew` > 0 favours the
  // most popular ones.
  void Popular(Rng& rng, std::string* out, double rank_skew = 1.5) const;
  // Appends a chain-of-thought elicitation phrase (campaign variants).
  void ChainOfThought(Rng& rng, std::string* out) const;
  // Appends a follow-up turn in a multi-turn conversation ("Continue", a tool
  // result, a correction...).
  void FollowUp(Capability capability, Rng& rng, std::string* out) const;

  bool has_external_pools() const { return !distill_.empty(); }
  size_t popular_count() const;

 private:
  std::vector<std::string> human_, popular_, distill_;
  PromptSplit split_ = PromptSplit::kAll;
};

}  // namespace hydraguard::sim

#endif  // HYDRAGUARD_SIM_PROMPTS_H_
