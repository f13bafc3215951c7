// Account signals from prompt text: what capabilities the account's traffic
// targets and whether it elicits reasoning. Unknown (no opinion) when the
// log has no prompt text.
#include <optional>

#include "engine/signal.h"
#include "fmt/format.h"
#include "signals/ramp.h"
#include "text/capability.h"

namespace hydraguard::signals {
namespace {

using engine::AccountFeatures;
using engine::Evidence;
using engine::Param;
using engine::SignalInfo;
using engine::SignalParams;
using ingest::Field;
using text::Capability;

// Share of an account's prompts in the capabilities distillers target.
double HighValueShare(const AccountFeatures& f) {
  uint32_t high = 0;
  for (Capability c : {Capability::kCode, Capability::kAgentic, Capability::kReasoning, Capability::kDataAnalysis,
                       Capability::kComputerUse, Capability::kRubric}) {
    high += f.capabilities[static_cast<size_t>(c)];
  }
  return static_cast<double>(high) / f.with_text;
}

// Traffic concentrated on high-value capabilities (code, agentic, reasoning,
// data analysis, computer use, rubric grading) counts for suspicion; traffic
// that is mostly chat and creative writing counts against it.
//
// Off by default (weight 0, chat_points 0): measured on the red-team grid's
// tune seeds, the cue-phrase classifier (text/capability) calls paraphrased
// grading and reasoning-coercion prompts "chat", clearing campaigns, while
// honest developers, coding-agent users and hackathons are code-heavy by
// nature, so the signal flagged honest groups and hid campaigns (tune-seed
// recall with text 31% with it, 44% without; hackathon accounts flagged 77
// with it, 0 without). Re-measured with the trained text model (tune seeds
// 1-8, text): weight 0.3 gives 68.9% -> 71.5% but flags 5 hackathon
// accounts, weight 0.6 flags 84: what the accounts ask for is read well now,
// and honest coders still ask for code.
class CapabilityMixSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"capability_mix",
            "share of prompts in high-value capabilities",
            {Field::kPrompt},
            {{"weight", 0}, {"low_share", 0.5}, {"high_share", 0.9}, {"chat_share", 0.5}, {"chat_points", 0}}};
  }
  explicit CapabilityMixSignal(const SignalParams& p)
      : RampedSignal(p, "low_share", "high_share"),
        chat_share_(Param(p, "chat_share")),
        chat_points_(Param(p, "chat_points")) {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    if (f.with_text == 0) return std::nullopt;
    double share = HighValueShare(f);
    double points = 1 - share >= chat_share_ ? chat_points_ : Points(share);
    std::optional<Capability> top = f.TopCapability();
    return Evidence{points, fmt::format("{:.0f}% of prompts in high-value capabilities (mostly {})", share * 100,
                                        text::CapabilityName(*top))};
  }

 private:
  double chat_share_, chat_points_;
};
HG_REGISTER_ACCOUNT_SIGNAL(CapabilityMixSignal);

// Prompts that ask for step-by-step or complete reasoning: chain-of-thought
// harvesting (evaluation harnesses do it too, so it is never enough alone).
class ReasoningElicitationSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"reasoning_elicitation",
            "share of prompts eliciting full reasoning",
            {Field::kPrompt},
            {{"weight", 0.6}, {"low_share", 0.1}, {"high_share", 0.5}}};
  }
  explicit ReasoningElicitationSignal(const SignalParams& p) : RampedSignal(p, "low_share", "high_share") {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    std::optional<double> share = f.ReasoningShare();
    if (!share) return std::nullopt;
    return Evidence{Points(*share), fmt::format("{:.0f}% of prompts elicit step-by-step reasoning", *share * 100)};
  }
};
HG_REGISTER_ACCOUNT_SIGNAL(ReasoningElicitationSignal);

// Prompts that read as dataset-style tasks (machine-generated or written to
// cover a capability) rather than requests people write for their own need:
// a distiller's traffic is made of them; so is an evaluation lab's or a
// course's. Only the trained text model reads this (the cue phrases never
// do), so without it every account scores 0 here.
//
// Weight 0.25, chosen on the red-team grid's tune seeds only (1-8, text
// mode): recall 67.8% without it, 69.0% at 0.25, 71.3% at 0.5, no honest
// account flagged at the end of the log in either; but replayed live, at 0.5
// four coding-agent users of seed 6 were flagged for a while (510 requests
// refused; their opening prompts read as dataset-style tasks, as a
// campaign's do), at 0.25 the honest requests refused are those of the cue
// phrases on every tune seed. Never enough alone.
class DatasetTaskSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"dataset_tasks",
            "share of prompts that read as dataset-style tasks",
            {Field::kPrompt},
            {{"weight", 0.25}, {"low_share", 0.5}, {"high_share", 0.9}}};
  }
  explicit DatasetTaskSignal(const SignalParams& p) : RampedSignal(p, "low_share", "high_share") {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    std::optional<double> share = f.DatasetTaskShare();
    if (!share) return std::nullopt;
    return Evidence{Points(*share), fmt::format("{:.0f}% of prompts read as dataset-style tasks", *share * 100)};
  }
};
HG_REGISTER_ACCOUNT_SIGNAL(DatasetTaskSignal);

}  // namespace
}  // namespace hydraguard::signals
