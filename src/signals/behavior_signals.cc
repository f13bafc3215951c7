// Account signals about how the account sends: volume, output size, daily
// rhythm, regularity and request shape. None is damning alone (SaaS products
// and evaluation harnesses are heavy, regular and around the clock); they
// add up with the others.
#include <cmath>
#include <optional>

#include "engine/signal.h"
#include "fmt/format.h"
#include "signals/ramp.h"

namespace hydraguard::signals {
namespace {

using engine::AccountFeatures;
using engine::Evidence;
using engine::Param;
using engine::SignalInfo;
using engine::SignalParams;
using ingest::Field;

// Requests per active day on a log scale: a harvesting account must produce
// volume; an account sending a request or two a day contributes little to a
// distillation set and counts against suspicion.
class VolumeSignal : public engine::AccountSignal {
 public:
  static SignalInfo Info() {
    return {"volume",
            "requests per active day (log scale)",
            {},
            {{"weight", 0.8}, {"low_per_day", 5}, {"high_per_day", 50}, {"light_per_day", 2}, {"light_points", -0.5}}};
  }
  explicit VolumeSignal(const SignalParams& p)
      : weight_(Param(p, "weight")),
        low_(Param(p, "low_per_day")),
        high_(Param(p, "high_per_day")),
        light_(Param(p, "light_per_day")),
        light_points_(Param(p, "light_points")) {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    double per_day = f.RequestsPerActiveDay();
    double points =
        per_day <= light_ ? light_points_ : weight_ * Ramp(std::log(per_day), std::log(low_), std::log(high_));
    return Evidence{points, fmt::format("{:.1f} requests per active day", per_day)};
  }

 private:
  double weight_, low_, high_, light_, light_points_;
};
HG_REGISTER_ACCOUNT_SIGNAL(VolumeSignal);

// Harvesting wants long answers: mean output tokens per request.
class OutputHarvestSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"output_harvest",
            "mean output tokens per request",
            {Field::kOutputTokens},
            {{"weight", 0.6}, {"low_tokens", 700}, {"high_tokens", 2000}}};
  }
  explicit OutputHarvestSignal(const SignalParams& p) : RampedSignal(p, "low_tokens", "high_tokens") {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    if (f.events == 0) return std::nullopt;
    double mean = static_cast<double>(f.output_tokens) / static_cast<double>(f.events);
    return Evidence{Points(mean),
                    fmt::format("{:.0f} output tokens per request (output/input {:.1f})", mean, f.OutputInputRatio())};
  }
};
HG_REGISTER_ACCOUNT_SIGNAL(OutputHarvestSignal);

// Scripted operation runs around the clock; people sleep.
class AroundTheClockSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"around_the_clock",
            "share of the 24 UTC hours with requests",
            {},
            {{"weight", 0.5}, {"min_events", 48}, {"low_coverage", 0.6}, {"high_coverage", 0.9}}};
  }
  explicit AroundTheClockSignal(const SignalParams& p)
      : RampedSignal(p, "low_coverage", "high_coverage"), min_events_(Param(p, "min_events")) {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    if (static_cast<double>(f.events) < min_events_) return std::nullopt;
    double coverage = f.HourCoverage();
    return Evidence{Points(coverage), fmt::format("active in {:.0f} of 24 hours of the day", coverage * 24)};
  }

 private:
  double min_events_;
};
HG_REGISTER_ACCOUNT_SIGNAL(AroundTheClockSignal);

// Schedulers are regular, people are bursty: coefficient of variation of
// log inter-arrival times.
class RegularTimingSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"regular_timing",
            "regularity of inter-arrival times",
            {},
            {{"weight", 0.3}, {"min_gaps", 20}, {"regular_cv", 0.15}, {"irregular_cv", 0.5}}};
  }
  explicit RegularTimingSignal(const SignalParams& p)
      : RampedSignal(p, "irregular_cv", "regular_cv"), min_gaps_(Param(p, "min_gaps")) {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    std::optional<double> cv = f.InterArrivalCv();
    if (!cv || f.gaps < min_gaps_) return std::nullopt;
    return Evidence{Points(*cv), fmt::format("inter-arrival variation {:.2f} (low is machine-regular)", *cv)};
  }

 private:
  double min_gaps_;
};
HG_REGISTER_ACCOUNT_SIGNAL(RegularTimingSignal);

// Tool definitions in most requests: agentic and tool-use traffic.
class ToolUseSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"tool_use",
            "share of requests with tool definitions",
            {Field::kTools},
            {{"weight", 0.2}, {"low_share", 0.2}, {"high_share", 0.6}}};
  }
  explicit ToolUseSignal(const SignalParams& p) : RampedSignal(p, "low_share", "high_share") {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    double share = f.ToolShare();
    return Evidence{Points(share), fmt::format("{:.0f}% of requests define tools", share * 100)};
  }
};
HG_REGISTER_ACCOUNT_SIGNAL(ToolUseSignal);

// One-shot requests (turn 1) in nearly every conversation: templated
// harvesting of single answers. Agentic campaigns run long trajectories, so
// this only adds a little for the one-shot kind.
class SingleTurnSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"single_turn",
            "share of requests that open a conversation (turn 1)",
            {Field::kTurn},
            {{"weight", 0.2}, {"min_events", 20}, {"low_share", 0.8}, {"high_share", 0.98}}};
  }
  explicit SingleTurnSignal(const SignalParams& p)
      : RampedSignal(p, "low_share", "high_share"), min_events_(Param(p, "min_events")) {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    std::optional<double> share = f.SingleTurnShare();
    if (!share || static_cast<double>(f.with_turn) < min_events_) return std::nullopt;
    return Evidence{Points(*share), fmt::format("{:.0f}% of requests open a new conversation", *share * 100)};
  }

 private:
  double min_events_;
};
HG_REGISTER_ACCOUNT_SIGNAL(SingleTurnSignal);

}  // namespace
}  // namespace hydraguard::signals
