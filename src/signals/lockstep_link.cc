// Lockstep (after SynchroTrap): accounts driven by one scheduler fire in the
// same phase of the same period. Each request emits its phase, in buckets of
// `bucket_seconds`, within each candidate period; an account that sends most
// of its requests in one phase keeps that key (min_share), and accounts that
// keep the same one fire together.
#include <array>
#include <string>

#include "engine/signal.h"
#include "fmt/format.h"

namespace hydraguard::signals {
namespace {

using engine::KeySink;
using engine::SignalInfo;
using engine::SignalParams;
using ingest::Event;

constexpr std::array<int64_t, 5> kPeriodMinutes = {10, 15, 20, 30, 60};

class LockstepLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {"lockstep",
            "phase of requests within 10-60 minute periods",
            {},
            {{"strong_share", 0},
             {"members_qualify", 1},
             {"capacity", 16},
             {"min_share", 0.5},
             {"min_events", 20},
             {"bucket_seconds", 120}},
            engine::Family::kTiming};
  }
  explicit LockstepLink(const SignalParams& params)
      : bucket_ms_(static_cast<int64_t>(std::max(1.0, engine::Param(params, "bucket_seconds")) * 1000)) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (event.ts_ms < 0) return;
    for (size_t index = 0; index < kPeriodMinutes.size(); ++index) {
      int64_t phase = event.ts_ms % (kPeriodMinutes[index] * 60000) / bucket_ms_;
      sink.Add((static_cast<uint64_t>(index) << 32) | static_cast<uint64_t>(phase));
    }
  }
  std::string Describe(uint64_t key, const ingest::Interners&) const override {
    int64_t period = kPeriodMinutes[std::min<size_t>(key >> 32, kPeriodMinutes.size() - 1)];
    int64_t start = static_cast<int64_t>(key & 0xFFFFFFFF) * bucket_ms_ / 1000;
    return fmt::format("every {} min at +{}s..+{}s", period, start, start + bucket_ms_ / 1000);
  }

 private:
  int64_t bucket_ms_;
};
HG_REGISTER_LINK_SIGNAL(LockstepLink);

}  // namespace
}  // namespace hydraguard::signals
