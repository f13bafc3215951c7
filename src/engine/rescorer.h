// Rescorer: Engine::Detect() kept up to date incrementally, for replay and
// live use. Each Rescore() reads only what changed since the previous one:
// the accounts sent events since then, the keys they gained or lost, the
// hubs and pairs those touch, and the clusters that contain them. Its cost
// follows the traffic since the last rescore (and the size of the clusters
// that traffic touches), not the length of the log so far.
//
//   Engine engine = ...;
//   Rescorer rescorer(engine.get());           // before the first Add()
//   for (each event) {
//     if (time to rescore) rescorer.Rescore();
//     if (Flagged(rescorer.action(event.account))) refuse(event);
//     engine->Add(event);
//   }
//
// After Rescore(Freshness::kComplete), action(), points() and Campaigns()
// are exactly what Detect() would give for the same events (the same rules,
// in internal/link_rules.h; rescorer_test checks it after every rescore).
// A scheduled Rescore() differs only in taking co-active groups (a
// whole-log computation, not incremental) as of their last refresh (see
// Freshness::kScheduled).
//
// Indicators: keys of link signals with `indicator: 1` held by at least
// config.indicator_min_accounts accounts, at least indicator_min_share of
// them flagged. MatchesIndicator() tells whether a request carries enough of
// them (config.indicator_min_signals); an enforcer uses it for accounts the
// rescorer has not scored yet.
//
// Lifetime: `engine` must outlive the rescorer; one rescorer per engine.
// Thread-safety: not thread-safe; call it from the thread that calls Add().
#ifndef HYDRAGUARD_ENGINE_RESCORER_H_
#define HYDRAGUARD_ENGINE_RESCORER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/verdict.h"
#include "ingest/event.h"

namespace hydraguard::engine {

// An account whose action changed in a Rescore().
struct VerdictChange {
  ingest::Id account = ingest::kNoId;
  Action before = Action::kAllow, after = Action::kAllow;
};

struct RescoreStats {
  size_t accounts = 0;    // accounts sent events since the previous rescore
  size_t keys = 0;        // keys whose holders, or their standing, changed
  size_t clusters = 0;    // clusters re-examined
  size_t reexamined = 0;  // accounts in those clusters
};

// How fresh a Rescore() makes evidence computed over the whole log
// (co-active groups: Engine::CoactiveGroups, one CoactivityIndex::Find()).
enum class Freshness {
  // Found again once the log's time has moved the co-activity signal's
  // refresh_hours and the log has grown by its refresh_growth since the
  // last time (evidence up to that old).
  kScheduled,
  // Found again now (if events came since): verdicts then equal Detect().
  kComplete,
};

class Rescorer {
 public:
  // REQUIRES: `engine` has not been given events yet, or Rescore() is called
  // before any other method (the first call then reads every account).
  explicit Rescorer(Engine* engine);
  ~Rescorer();
  Rescorer(const Rescorer&) = delete;
  Rescorer& operator=(const Rescorer&) = delete;

  // Brings every verdict up to date with the events the engine has seen;
  // co-active groups as `freshness` says.
  RescoreStats Rescore(Freshness freshness = Freshness::kScheduled);

  // As of the last Rescore(); accounts not scored yet are allowed.
  Action action(ingest::Id account) const;
  double points(ingest::Id account) const;
  // Whether the account had sent events by the last Rescore().
  bool scored(ingest::Id account) const;
  // The accounts whose action changed in the last Rescore().
  const std::vector<VerdictChange>& changes() const;
  // The current campaigns: each one's accounts sorted; campaigns sorted by
  // their first account.
  std::vector<std::vector<ingest::Id>> Campaigns() const;

  // The link signals of the event's keys that are current indicators,
  // joined with '+' (e.g. "payment+system_prompt"), when there are at least
  // config.indicator_min_signals of them; "" otherwise.
  std::string MatchesIndicator(const ingest::Event& event) const;
  size_t indicator_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_RESCORER_H_
