// Account signals about who the account is: how fresh it was when it started
// sending, and how strongly its identity was verified.
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
