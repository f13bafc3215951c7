// Account signals about who the account is: how fresh it was when it started
// sending, and how strongly its identity was verified.
#include <algorithm>
#include <optional>

#include "engine/signal.h"
#include "fmt/format.h"
#include "ingest/timestamp.h"
#include "signals/ramp.h"

namespace hydraguard::signals {
namespace {

using engine::AccountFeatures;
using engine::Evidence;
using engine::Param;
using engine::SignalInfo;
using engine::SignalParams;
using ingest::Field;

// Hydras open accounts shortly before using them, in bursts; honest accounts
// are mostly old. Full weight at `full_days` or younger, none at `max_days`;
// an account that existed `old_days` before its first request here has a
// history a campaign would have had to buy, and counts against suspicion.
class YoungAccountSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"young_account",
            "days from sign-up to first request",
            {Field::kAccountCreated},
            {{"weight", 1.2}, {"full_days", 3}, {"max_days", 30}, {"old_days", 180}, {"old_points", -0.8}}};
  }
  explicit YoungAccountSignal(const SignalParams& p)
      : RampedSignal(p, "max_days", "full_days"),
        old_days_(Param(p, "old_days")),
        old_points_(Param(p, "old_points")) {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    std::optional<double> age = f.AgeAtFirstUseDays();
    if (!age) return std::nullopt;
    double points = *age >= old_days_ ? old_points_ : Points(*age);
    return Evidence{points, fmt::format("first request {:.1f} days after sign-up", *age)};
  }

 private:
  double old_days_, old_points_;
};
HG_REGISTER_ACCOUNT_SIGNAL(YoungAccountSignal);

// A bought or taken-over account: its owner's history (a few requests a day
// from one client and card), then, from the first request with another
// client stack or card, many times the volume. Full weight when the rate
// after the switch is `high_surge` times the rate before, none at
// `low_surge`; the history must span `min_history_days` and hold
// `min_events_before` requests, and `min_events_after` must follow. An
// honest upgrade changes the client but not the volume; a user who just
// has two clients switches early, with no history to compare.
class AccountSwitchSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"account_switch",
            "requests a day after the first change of client stack or card, against before",
            {Field::kUa, Field::kTls, Field::kPayment},
            {{"weight", 1.2},
             {"low_surge", 3},
             {"high_surge", 10},
             {"min_history_days", 2},
             {"min_events_before", 2},
             {"min_events_after", 10}}};
  }
  explicit AccountSwitchSignal(const SignalParams& p)
      : RampedSignal(p, "low_surge", "high_surge"),
        min_history_days_(Param(p, "min_history_days")),
        min_before_(Param(p, "min_events_before")),
        min_after_(Param(p, "min_events_after")) {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    std::optional<AccountFeatures::SetupSwitch> change = f.Switch();
    if (!change || change->history_days < min_history_days_ || change->before < min_before_ ||
        change->after < min_after_) {
      return std::nullopt;
    }
    double surge = change->rate_after / std::max(1e-9, change->rate_before);
    double points = Points(surge);
    if (points <= 0) return std::nullopt;
    return Evidence{points, fmt::format("{:.1f} requests a day since its client or card changed on {}, after {:.0f} "
                                        "days at {:.1f} a day",
                                        change->rate_after, ingest::FormatRfc3339Date(change->at_ms),
                                        change->history_days, change->rate_before)};
  }

 private:
  double min_history_days_, min_before_, min_after_;
};
HG_REGISTER_ACCOUNT_SIGNAL(AccountSwitchSignal);

// Strong verification (payment, ID, enterprise) costs a hydra per account;
// it counts against suspicion. No verification at all counts a little for.
class VerificationSignal : public engine::AccountSignal {
 public:
  static SignalInfo Info() {
    return {"verification",
            "strongest identity-verification tier seen",
            {Field::kVerified},
            {{"unverified_points", 0.3}, {"strong_points", -1.0}}};
  }
  explicit VerificationSignal(const SignalParams& p)
      : unverified_(Param(p, "unverified_points")), strong_(Param(p, "strong_points")) {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    using ingest::Verification;
    if (f.verified == Verification::kUnknown) return std::nullopt;
    double points = f.verified == Verification::kNone      ? unverified_
                    : f.verified >= Verification::kPayment ? strong_
                                                           : 0;
    return Evidence{points, fmt::format("verification: {}", ingest::VerificationName(f.verified))};
  }

 private:
  double unverified_, strong_;
};
HG_REGISTER_ACCOUNT_SIGNAL(VerificationSignal);

}  // namespace
}  // namespace hydraguard::signals
