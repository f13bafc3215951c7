// Co-activity (loose synchronization, after SynchroTrap): accounts active in
// the same short time windows far more often than their own days and hours
// explain (engine/internal/coactivity.h has the null model). Its keys are
// co-active groups, found over the whole log by the engine: every account of
// a group holds the group's key, so the group is judged as a hub like any
// shared value. Honest cron jobs on the hour are co-active too; the hub test
// (members beyond chance among its holders) keeps them out.
#include <string>

#include "engine/signal.h"
#include "fmt/format.h"

namespace hydraguard::signals {
namespace {

using engine::KeySink;
using engine::SignalInfo;
using engine::SignalParams;

class CoactivityLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    SignalInfo info{"coactivity",
                    "groups of accounts active in the same short windows far beyond chance (whole log)",
                    {},
                    {{"strong_share", 0},
                     {"members_qualify", 1},
                     {"joins_alone", 1},
                     {"window_minutes", 15},
                     {"min_windows", 8},
                     {"expected_false_pairs", 0.01},
                     {"refresh_hours", 6},
                     {"refresh_growth", 0.1}},
                    engine::Family::kTiming};
    info.coactivity = true;
    return info;
  }
  explicit CoactivityLink(const SignalParams& params) : window_minutes_(engine::Param(params, "window_minutes")) {}
  void Keys(const ingest::Event&, KeySink&) const override {}  // the engine keys groups over the whole log
  std::string Describe(uint64_t key, const ingest::Interners& interners) const override {
    return fmt::format("group of {} (in the same {:g}-minute windows far beyond chance)",
                       interners.account.Name(static_cast<ingest::Id>(key)), window_minutes_);
  }

 private:
  double window_minutes_;
};
HG_REGISTER_LINK_SIGNAL(CoactivityLink);

}  // namespace
}  // namespace hydraguard::signals
