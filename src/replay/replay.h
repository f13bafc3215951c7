// Replay: a log fed through the engine in time order as if it ran live,
// with enforcement, to measure what a campaign gets before it is contained
// and what honest traffic pays for it.
//
//   EngineVerdicts verdicts(engine.get());
//   Replayer replayer(&verdicts, truth, &interners, {.rescore_ms = kHourMs});
//   for (each event, in time order) replayer.Process(event);
//   ReplayResult result = replayer.Finish();
//
// Every `rescore_ms` of event time the verdicts are brought up to date
// (engine::Rescorer, incremental). From then on:
//  - an account with a challenge or block verdict is refused;
//  - a throttled account is served at most once per throttle_ms;
//  - an account the engine has not scored yet is refused when its request
//    carries a campaign indicator (engine::Rescorer::MatchesIndicator), and
//    stays refused (a gateway would hold it for review);
//  - everything else is served.
// Every request, refused or not, reaches the engine (a gateway logs what it
// refuses too).
//
// Figures per truth campaign: requests attempted, served and refused, output
// tokens leaked (of served requests), and time to containment: from the
// campaign's first request to the start of the first rescore interval in
// which at least containment_share of its requests are refused, and of all
// its requests from then on. Per honest
// segment: requests refused and accounts affected (at least one refused).
// Requests from accounts missing from the truth are counted apart.
//
// Lifetime: the verdict source and `interners` must outlive the Replayer.
// Thread-safety: not thread-safe; Process() runs on the engine's thread.
#ifndef HYDRAGUARD_REPLAY_REPLAY_H_
#define HYDRAGUARD_REPLAY_REPLAY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/rescorer.h"
#include "eval/evaluation.h"
#include "ingest/event.h"
#include "ingest/interner.h"

namespace hydraguard::replay {

// What a replay enforces: verdicts kept up to date as requests arrive.
class VerdictSource {
 public:
  virtual ~VerdictSource() = default;
  // Every request, refused or not (a gateway logs what it refuses too).
  virtual void Add(const ingest::Event& event) = 0;
  // Brings the verdicts up to date with every request given so far; they
  // hold from `now_ms` (event time). Whole-log evidence is refreshed as
  // `freshness` says (the replay's last rescore is kComplete). Returns how
  // many accounts changed action.
  virtual size_t Rescore(int64_t now_ms, engine::Freshness freshness) = 0;
  virtual engine::Action action(ingest::Id account) const = 0;
  // Whether the account had been scored by the last Rescore().
  virtual bool scored(ingest::Id account) const = 0;
  // The link signals of the campaign indicators the request carries, when
  // they are enough to refuse it ("" if not).
  virtual std::string MatchesIndicator(const ingest::Event& event) const = 0;
  virtual size_t indicator_count() const = 0;
};

// The engine's verdicts, rescored incrementally (engine::Rescorer).
class EngineVerdicts : public VerdictSource {
 public:
  // REQUIRES: `engine` outlives this and has been given no events yet.
  explicit EngineVerdicts(engine::Engine* engine) : engine_(engine), rescorer_(engine) {}
  void Add(const ingest::Event& event) override { engine_->Add(event); }
  size_t Rescore(int64_t /*now_ms*/, engine::Freshness freshness) override {
    rescorer_.Rescore(freshness);
    return rescorer_.changes().size();
  }
  engine::Action action(ingest::Id account) const override { return rescorer_.action(account); }
  bool scored(ingest::Id account) const override { return rescorer_.scored(account); }
  std::string MatchesIndicator(const ingest::Event& event) const override { return rescorer_.MatchesIndicator(event); }
  size_t indicator_count() const override { return rescorer_.indicator_count(); }
  const engine::Rescorer& rescorer() const { return rescorer_; }

 private:
  engine::Engine* engine_;
  engine::Rescorer rescorer_;
};

struct ReplayOptions {
  int64_t rescore_ms = 3600000;    // > 0
  int64_t throttle_ms = 60000;     // a throttled account: one request served per this
  double containment_share = 0.9;  // see "time to containment" above
};

struct Traffic {
  uint64_t requests = 0, served = 0, refused = 0;  // requests == served + refused
  // refused == the sum of these three
  uint64_t refused_by_verdict = 0, refused_by_indicator = 0, refused_by_throttle = 0;
  uint64_t output_tokens = 0, output_tokens_served = 0;
  // Accounts held by indicators, by the indicators' link signals.
  std::map<std::string, uint64_t, std::less<>> held_by_signal;
};

// One time series, one value per rescore interval (bin) of the replay: bin i
// covers start_ms + i * rescore_ms. Trailing empty bins are left out.
struct Series {
  std::vector<uint64_t> served, refused;
};

struct CampaignReplay {
  std::string campaign;           // truth campaign id
  uint64_t accounts = 0;          // in the truth
  uint64_t accounts_seen = 0;     // sent requests
  uint64_t accounts_flagged = 0;  // challenge or block at the end
  Traffic traffic;
  int64_t first_ms = 0, last_ms = 0;  // of its requests (0 when none)
  // When containment began, never before first_ms (nullopt: never, or no requests).
  std::optional<int64_t> contained_ms;
  Series series;

  // Share of its requests served (nullopt without requests).
  std::optional<double> leakage() const;
  std::optional<int64_t> time_to_containment_ms() const;
};

struct SegmentReplay {
  std::string segment;             // honest segment, or "(not in truth)"
  uint64_t accounts = 0;           // sent requests
  uint64_t accounts_affected = 0;  // had at least one request refused
  Traffic traffic;
  Series series;
};

struct ReplayResult {
  ReplayOptions options;
  int64_t start_ms = 0;  // start of the first bin (first event, rounded down to rescore_ms)
  int64_t end_ms = 0;    // last event
  uint64_t events = 0;
  uint64_t late_events = 0;  // earlier than an event before them: replayed at the replay's clock
  uint64_t rescores = 0;
  double rescore_seconds = 0, max_rescore_seconds = 0;  // wall time spent rescoring
  uint64_t verdict_changes = 0;
  size_t indicators = 0;                  // at the end
  std::vector<CampaignReplay> campaigns;  // by id
  std::vector<SegmentReplay> honest;      // by segment
  std::optional<SegmentReplay> unknown;   // accounts not in the truth, if any sent requests
  Traffic honest_total;
  uint64_t honest_accounts = 0, honest_accounts_affected = 0;
};

class Replayer {
 public:
  // Interns every truth account (call before reading events with `interners`).
  Replayer(VerdictSource* verdicts, const eval::Truth& truth, ingest::Interners* interners, ReplayOptions options);
  ~Replayer();

  // Enforces the current verdicts on one request, then gives it to the
  // verdict source.
  void Process(const ingest::Event& event);
  // A last rescore, and the figures.
  ReplayResult Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// "1h", "30m", "90s", "2d", "1500ms" (or plain seconds) to milliseconds.
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace hydraguard::replay

#endif  // HYDRAGUARD_REPLAY_REPLAY_H_
