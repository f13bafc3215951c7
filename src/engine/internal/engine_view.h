// EngineView: what incremental rescoring (rescorer.cc) may read of an
// Engine, and nothing it could change. The Rescorer holds one of these and
// otherwise only the Engine's public interface (TakeChangedAccounts), so
// batch detection and rescoring share state without the rescorer reaching
// into the engine.
//
//   internal::EngineView view(engine);
//   double points = view.ScoreAccount(account, usable, nullptr);
//
// Lifetime: REQUIRES the engine to outlive the view. Thread-safety: as the
// Engine's const methods.
#ifndef HYDRAGUARD_ENGINE_INTERNAL_ENGINE_VIEW_H_
#define HYDRAGUARD_ENGINE_INTERNAL_ENGINE_VIEW_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/engine.h"
#include "engine/internal/coactivity.h"

namespace hydraguard::engine::internal {

class EngineView {
 public:
  explicit EngineView(const Engine& engine) : engine_(&engine) {}

  const EngineConfig& config() const { return engine_->config_; }
  const AccountFeatureTable& features() const { return engine_->features_; }
  // The keys an account holds, per link signal. REQUIRES: account has sent events.
  const KeyCounter& keys(ingest::Id account) const { return engine_->keys_[account]; }
  // The last org the account declared (kNoId if none).
  ingest::Id org(ingest::Id account) const { return engine_->org_[account]; }

  void CheckSignals(std::vector<bool>* account_usable, std::vector<bool>* link_usable,
                    std::vector<std::string>* unused) const {
    engine_->CheckSignals(account_usable, link_usable, unused);
  }
  double ScoreAccount(ingest::Id account, const std::vector<bool>& account_usable,
                      std::vector<std::string>* reasons) const {
    return engine_->ScoreAccount(account, account_usable, reasons);
  }
  double StrongWeight(uint32_t signals, bool joins_alone_only = false) const {
    return engine_->StrongWeight(signals, joins_alone_only);
  }
  const ingest::Event& Analysed(const ingest::Event& original, ingest::Event* scratch) const {
    return engine_->Analysed(original, scratch);
  }

  uint64_t events() const { return engine_->events(); }
  // The latest event time seen (INT64_MIN before any).
  int64_t latest_ms() const { return engine_->latest_ms_; }
  int coactivity_signal() const { return engine_->coactivity_signal(); }
  int64_t coactivity_refresh_ms() const { return engine_->coactivity_refresh_ms_; }
  double coactivity_refresh_growth() const { return engine_->coactivity_refresh_growth_; }
  absl::flat_hash_map<uint32_t, CoactiveGroup> CoactiveGroups() const { return engine_->CoactiveGroups(); }

  size_t link_signal_count() const { return engine_->link_signal_count(); }
  const LinkPolicy& link_policy(size_t index) const { return engine_->link_policy(index); }
  Family link_family(size_t index) const { return engine_->link_family(index); }
  const LinkSignal& link_signal(size_t index) const { return engine_->link_signal(index); }
  std::vector<std::string> LinkSignalNames() const { return engine_->LinkSignalNames(); }

 private:
  const Engine* engine_;
};

}  // namespace hydraguard::engine::internal

#endif  // HYDRAGUARD_ENGINE_INTERNAL_ENGINE_VIEW_H_
