// Link signals from account identity: payment instrument, e-mail domain and
// sign-up time. A hydra shares cards across accounts and opens accounts in
// bursts; households share a card too, so a shared card is strong only
// together with the rest (see engine.h for how evidence adds up).
#include <string>

#include "engine/signal.h"
#include "fmt/format.h"
#include "ingest/timestamp.h"

namespace hydraguard::signals {
namespace {

using engine::KeySink;
using engine::SignalInfo;
using engine::SignalParams;
using ingest::Event;
using ingest::Field;

class PaymentLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {"payment",
            "payment-instrument fingerprint",
            {Field::kPayment},
            {{"weight", 2.0},
             {"pair_cap", 200},
             {"rarity", 0},
             {"strong_share", 0},
             {"joins_alone", 1},
             {"capacity", 4},
             {"indicator", 1}},
            engine::Family::kIdentity};
  }
  explicit PaymentLink(const SignalParams&) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (event.payment != ingest::kNoId) sink.Add(event.payment);
  }
  std::string Describe(uint64_t key, const ingest::Interners& names) const override {
    return std::string(names.payment.Name(static_cast<ingest::Id>(key)));
  }
};
HG_REGISTER_LINK_SIGNAL(PaymentLink);

// The sign-up e-mail's domain. A webmail domain that a large campaign also
// uses is no hub (holding it barely changes the odds of being suspicious:
// HubOddsRatio); a domain held almost only by accounts that are not clearly
// honest, beyond chance, is the operator's own (a throwaway or bought
// domain), as strong as a shared card.
class EmailDomainLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {"email_domain",
            "domain of the sign-up e-mail",
            {Field::kEmailDomain},
            {{"weight", 0.5},
             {"pair_cap", 8},
             {"capacity", 2},
             {"indicator", 1},
             {"strong_share", 0.99},
             {"joins_alone", 1}},
            engine::Family::kIdentity};
  }
  explicit EmailDomainLink(const SignalParams&) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (event.email_domain != ingest::kNoId) sink.Add(event.email_domain);
  }
  std::string Describe(uint64_t key, const ingest::Interners& names) const override {
    return std::string(names.email_domain.Name(static_cast<ingest::Id>(key)));
  }
};
HG_REGISTER_LINK_SIGNAL(EmailDomainLink);

// Sign-up time in windows of `window_minutes`, on two staggered grids so
// that a burst straddling a window boundary still shares a key. Many
// accounts share any hour, so this links only through suspicious hubs
// (pair_cap 0): a burst of sign-ups that then all behave alike.
class SignupTimeLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {"signup_time",
            "sign-up time window",
            {Field::kAccountCreated},
            {{"strong_share", 0.99}, {"strong_weight", 1}, {"capacity", 4}, {"window_minutes", 60}},
            engine::Family::kIdentity};
  }
  explicit SignupTimeLink(const SignalParams& params)
      : window_ms_(static_cast<int64_t>(std::max(1.0, engine::Param(params, "window_minutes")) * 60000)) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (!event.has(Field::kAccountCreated)) return;
    auto window = [&](int64_t offset) {
      int64_t t = event.account_created_ms + offset;
      return (t >= 0 ? t : t - window_ms_ + 1) / window_ms_;
    };
    sink.Add(static_cast<uint64_t>(window(0)) << 1);
    sink.Add((static_cast<uint64_t>(window(window_ms_ / 2)) << 1) | 1);
  }
  std::string Describe(uint64_t key, const ingest::Interners&) const override {
    int64_t start = static_cast<int64_t>(key >> 1) * window_ms_ - ((key & 1) ? window_ms_ / 2 : 0);
    return fmt::format("{}+{}min", ingest::FormatRfc3339Millis(start), window_ms_ / 60000);
  }

 private:
  int64_t window_ms_;
};
HG_REGISTER_LINK_SIGNAL(SignupTimeLink);

}  // namespace
}  // namespace hydraguard::signals
