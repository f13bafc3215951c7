// Engine: the detection engine. Events update per-account state one at a
// time (features, and the heaviest keys each link signal emits); Detect()
// runs linkage, clustering and scoring over the current state, so the same
// engine serves batch detection (one pass, one Detect), replay and live use
// (Detect whenever a fresh view is needed).
//
//   Interners interners;
//   absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Create(config, &lists, &interners);
//   for (each event read with `interners`) (*engine)->Add(event);
//   Detection detection = (*engine)->Detect();
//
// How Detect() decides (docs/detection.md has the full story):
//  1. Each account's own points are the sum of its account signals' points
//     (config.suspicious_points: suspicious; member_points: may be a member).
//  2. Pairs of accounts sharing keys held by few accounts collect
//     rarity-weighted evidence (a key shared by 3 accounts counts far more
//     than one shared by 3,000) and are joined when part of it is identity.
//  3. A key held mostly by suspicious accounts is a hub. An account joins the
//     holders of its strong hubs (a card, a burst, lockstep, a campaign's own
//     prompt text) when its hubs span two families and its strong evidence
//     is enough (config.hub_min_families, hub_min_strong). Co-active groups
//     (accounts busy in the same minutes far beyond chance, found over the
//     whole log: internal/coactivity.h) are keys too.
//  4. Union-find over the joins gives clusters; one with enough accounts and
//     a high enough median of own points is a campaign.
//  5. Verdicts: campaign members are flagged; others get monitor or allow.
//     `since` is a lower bound: the later of the account's first request and
//     the time the campaign first had campaign_min_accounts active accounts.
// Accounts of one declared org are never linked to each other by pair
// evidence: sharing a NAT, a card and a domain is what an org does.
//
// Lifetime: `lists` (may be null) and `interners` must outlive the engine.
// Thread-safety: not thread-safe: one thread calls Add() and Detect() (see
// pipeline.h for reading on another thread).
#ifndef HYDRAGUARD_ENGINE_ENGINE_H_
#define HYDRAGUARD_ENGINE_ENGINE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/account_features.h"
#include "engine/config.h"
#include "engine/key_counter.h"
#include "engine/signal.h"
#include "engine/verdict.h"
#include "ingest/event.h"
#include "ingest/interner.h"
#include "netinfo/network_lists.h"
#include "text/capability.h"

namespace hydraguard::engine {
namespace internal {
class CoactivityIndex;
struct CoactiveGroup;
class EngineView;
}  // namespace internal

struct AccountVerdict {
  ingest::Id account = ingest::kNoId;
  Action action = Action::kAllow;
  double score = 0;      // 0..1
  double points = 0;     // the account's own points
  int campaign = -1;     // index into Detection::campaigns, -1 if none
  int64_t since_ms = 0;  // event time from which the verdict holds
  std::vector<std::string> reasons;
};

// A value shared by a campaign's accounts, e.g. a payment fingerprint.
struct Indicator {
  std::string signal;  // link signal name
  Family family = Family::kNone;
  std::string value;  // as Describe() renders it
  uint64_t key = 0;
  uint32_t accounts = 0;        // campaign accounts holding it
  uint32_t total_accounts = 0;  // all accounts holding it
  // The hub null model (docs/detection.md, Hubs): holders that qualify
  // (suspicious; members for lockstep keys: members_qualify), and how many
  // chance predicts at the log's rate. -1: the signal makes no hubs.
  int64_t qualified_accounts = -1;
  double expected_by_chance = 0;
};

struct Campaign {
  std::string id;  // "hg-c1", "hg-c2", ... by exchanges, largest first
  std::vector<ingest::Id> accounts;
  uint64_t exchanges = 0, input_tokens = 0, output_tokens = 0;
  int64_t first_ms = 0, last_ms = 0;
  int64_t since_ms = 0;  // when it first had campaign_min_accounts active accounts
  std::array<uint64_t, text::kCapabilityCount> capabilities{};
  uint64_t text_events = 0;
  double score = 0;                     // 0..1
  double median_points = 0;             // of its members' own points
  double proxy_share = 0;               // requests from listed datacenter/VPN ranges
  double country_mismatch = 0;          // requests whose IP country differs from billing
  double young_share = 0;               // members first used within 7 days of sign-up
  double median_active_days = 0;        // churn: how long members live
  double capability_concentration = 0;  // Herfindahl index of the capability mix (0 without text)
  double template_repetition = 0;       // share of accounts holding its most common content key
  std::vector<Indicator> indicators;    // strongest first
  std::vector<std::string> evidence;    // human-readable lines
};

struct Detection {
  std::vector<AccountVerdict> verdicts;  // one per account (every interned account sent events), by id
  std::vector<Campaign> campaigns;
  // Signals that could not be used because no event carried their inputs,
  // e.g. "prompt_template (no prompt or system in the input)".
  std::vector<std::string> unused_signals;
  uint64_t events = 0;
  // Events older than their account's previous event: they count, but do not
  // update timing features (inputs should be given in time order).
  uint64_t out_of_order_events = 0;
  // Prompts read (opening turns with text), and of them those in a language
  // the text classifier does not cover: left out of every content share.
  uint64_t prompts_read = 0, prompts_not_covered = 0;
};

class Engine {
 public:
  // Fails on a config that names unknown signals or parameters.
  // `text_model` reads prompts (null: the cue-phrase classifier of
  // text/capability.h); it must outlive the engine.
  static absl::StatusOr<std::unique_ptr<Engine>> Create(
      const EngineConfig& config, const netinfo::NetworkLists* lists, const ingest::Interners* interners,
      const text::TextModel* text_model = &text::TextModel::Shipped());
  ~Engine();

  // Identifier fields whose ids the engine never reads (ReadOptions::not_interned).
  static constexpr uint32_t kUnusedIdFields =
      (1u << static_cast<int>(ingest::Field::kKey)) | (1u << static_cast<int>(ingest::Field::kConversation));

  void Add(const ingest::Event& event);
  Detection Detect() const;

  // Accounts sent events since the previous call, in order of their first
  // such event. The first call starts the tracking (and returns nothing).
  std::vector<ingest::Id> TakeChangedAccounts();

  const AccountFeatureTable& features() const { return features_; }
  uint64_t events() const { return events_; }
  // Names of the enabled signals, in evaluation order.
  std::vector<std::string> AccountSignalNames() const;
  std::vector<std::string> LinkSignalNames() const;

 private:
  struct LoadedAccountSignal;
  struct LoadedLinkSignal;
  Engine(const EngineConfig& config, const netinfo::NetworkLists* lists, const ingest::Interners* interners,
         const text::TextModel* text_model);

  // The read-only view incremental rescoring reads (internal/engine_view.h).
  friend class internal::EngineView;

  // The event as the engine analyses it: without its text when use_text is
  // 0 or it is a follow-up turn (copied into `scratch` then).
  const ingest::Event& Analysed(const ingest::Event& original, ingest::Event* scratch) const;
  // Which signals the input allows (flags by signal index) and, if `unused`
  // is given, why the others cannot be used.
  void CheckSignals(std::vector<bool>* account_usable, std::vector<bool>* link_usable,
                    std::vector<std::string>* unused) const;
  // An account's own points; its reasons, strongest first, if asked for.
  double ScoreAccount(ingest::Id account, const std::vector<bool>& account_usable,
                      std::vector<std::string>* reasons) const;
  // The enabled link signals, by index.
  size_t link_signal_count() const;
  const LinkPolicy& link_policy(size_t index) const;
  Family link_family(size_t index) const;
  const LinkSignal& link_signal(size_t index) const;
  // The strong weight of a bit set of link signals (only those with
  // joins_alone, if `joins_alone_only`): over families, the sum of the
  // largest strong_weight among its signals in the set. Signals of one
  // family are not independent evidence (an address lies in its /24 and its
  // AS), so they do not add up.
  double StrongWeight(uint32_t signals, bool joins_alone_only = false) const;
  // The co-active groups of the log so far, by account (empty without the
  // co-activity signal); a whole-log computation (CoactivityIndex::Find),
  // done again only when events were added since the last call (a replay's
  // last rescore and the Detect() that checks it ask at the same point).
  absl::flat_hash_map<uint32_t, internal::CoactiveGroup> CoactiveGroups() const;
  // The index of the link signal keyed by co-active groups, -1 if none.
  int coactivity_signal() const { return coactivity_signal_; }
  // Both accounts declared the same org (never linked by pair evidence).
  bool SameOrg(ingest::Id a, ingest::Id b) const;

  // Detect() in stages (engine.cc), in this order.
  struct DetectState;
  void ScoreAccounts(DetectState& state, Detection* detection) const;
  void CollectHoldings(DetectState& state) const;
  void Link(DetectState& state, const Detection& detection) const;
  void FormCampaigns(DetectState& state, Detection* detection) const;
  void FindIndicators(DetectState& state, Detection* detection) const;
  void IssueVerdicts(const DetectState& state, Detection* detection) const;

  EngineConfig config_;
  const ingest::Interners* interners_;
  bool has_netlists_;
  AccountFeatureTable features_;
  std::vector<LoadedAccountSignal> account_signals_;
  std::vector<LoadedLinkSignal> link_signals_;
  std::vector<KeyCounter> keys_;                           // by account
  std::unique_ptr<internal::CoactivityIndex> coactivity_;  // with a coactivity signal
  // The last CoactiveGroups() result and events_ when it was found.
  mutable std::optional<absl::flat_hash_map<uint32_t, internal::CoactiveGroup>> coactive_found_;
  mutable uint64_t coactive_found_at_ = 0;
  int coactivity_signal_ = -1;
  int64_t coactivity_refresh_ms_ = 0;     // the signal's refresh_hours (Rescorer)
  double coactivity_refresh_growth_ = 0;  // ...and refresh_growth
  int64_t latest_ms_ = INT64_MIN;         // the latest event time
  std::vector<ingest::Id> org_;           // by account: the last org seen
  std::array<uint64_t, ingest::kFieldCount> field_counts_{};
  uint64_t events_ = 0;
  bool track_changes_ = false;
  std::vector<bool> changed_;  // by account
  std::vector<ingest::Id> changed_accounts_;
};

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_ENGINE_H_
