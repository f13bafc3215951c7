// AccountFeatures: what the engine knows about one account's own behaviour,
// updated event by event in constant memory (no event is kept). These are
// the per-account signals of docs/detection.md; linkage between accounts
// builds on them.
//
//   AccountFeatureTable table(&lists, &text::TextModel::Shipped());  // either may be null
//   table.Add(event);                           // every event, any order of accounts
//   const AccountFeatures& f = table.Get(event.account);
//   f.ReasoningShare();  f.HourCoverage();  f.InterArrivalCv();  ...
//
// Text features (capability mix, reasoning elicitation, dataset-style tasks)
// count only events that carry a prompt in a language the classifier covers;
// in metadata-only logs they stay unknown (nullopt), never zero. Prompts in
// other languages are counted apart (text_not_covered).
//
// Events should arrive in time order per account (as logs are written);
// out-of-order events are counted but do not update the timing features.
//
// Thread-safety: not thread-safe.
#ifndef HYDRAGUARD_ENGINE_ACCOUNT_FEATURES_H_
#define HYDRAGUARD_ENGINE_ACCOUNT_FEATURES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "ingest/event.h"
#include "netinfo/network_lists.h"
#include "text/capability.h"
#include "text/text_model.h"

namespace hydraguard::engine {

struct AccountFeatures {
  uint64_t events = 0;
  uint64_t input_tokens = 0, output_tokens = 0;
  int64_t first_ms = 0, last_ms = 0;
  int64_t created_ms = -1;                                         // -1: unknown
  ingest::Verification verified = ingest::Verification::kUnknown;  // the strongest seen
  std::array<uint32_t, 24> by_utc_hour{};
  uint32_t active_days = 0;
  int64_t last_day = INT64_MIN;
  uint32_t out_of_order = 0;
  // Turn structure and request shape.
  uint32_t first_turns = 0, with_turn = 0;  // turn == 1 / turn present
  uint32_t with_tools = 0;
  // Text (events with a prompt only).
  uint32_t with_text = 0;         // prompts the classifier covers
  uint32_t text_not_covered = 0;  // prompts in a language it does not cover
  uint32_t eliciting_reasoning = 0;
  uint32_t dataset_tasks = 0;  // dataset-style tasks (text model only)
  std::array<uint32_t, text::kCapabilityCount> capabilities{};
  // Infrastructure.
  uint32_t datacenter = 0, vpn = 0;
  uint32_t with_countries = 0, country_mismatch = 0;  // billing vs IP country, when both present
  std::array<uint64_t, 4> ip_country_bits{};          // bit (country id % 256) per IP country seen
  // Set-up changes: the first user agent, TLS fingerprint and card the
  // account's requests carried (each kNoId until one carries it), and the
  // first later request, in time order, that carried another one. A field
  // a request lacks is no change. Out-of-order requests count on neither
  // side of the switch.
  std::array<ingest::Id, 3> first_setup{ingest::kNoId, ingest::kNoId, ingest::kNoId};  // ua, tls, payment
  bool switched = false;
  int64_t switch_ms = 0;                                       // valid when switched
  uint64_t events_before_switch = 0, events_after_switch = 0;  // in time order; after includes the switch
  // Inter-arrival times (log seconds), Welford.
  uint32_t gaps = 0;
  double gap_mean = 0, gap_m2 = 0;

  // Derived figures. Shares are over the events that carry the field.
  double OutputInputRatio() const;
  double RequestsPerActiveDay() const;
  // Share of the 24 UTC hours with at least one request: ~1 for 24/7 operation.
  double HourCoverage() const;
  // Coefficient of variation of log inter-arrival times: low = machine-regular.
  std::optional<double> InterArrivalCv() const;
  std::optional<double> SingleTurnShare() const;
  double ToolShare() const;
  std::optional<double> ReasoningShare() const;
  std::optional<double> DatasetTaskShare() const;
  // Herfindahl index of the capability mix (1 = a single capability).
  std::optional<double> CapabilityConcentration() const;
  std::optional<text::Capability> TopCapability() const;
  double DatacenterShare() const;
  double VpnShare() const;
  std::optional<double> CountryMismatchShare() const;
  // Distinct IP countries seen (exact while the log has at most 256 countries).
  int IpCountries() const;
  // Days from sign-up to first request (nullopt when sign-up time is unknown).
  std::optional<double> AgeAtFirstUseDays() const;

  // The account's traffic before and after its first change of client stack
  // or card (nullopt when there was none). Rates are per day, with spans
  // shorter than a day counted as a day.
  struct SetupSwitch {
    int64_t at_ms = 0;
    double history_days = 0;  // first request to the switch
    uint64_t before = 0, after = 0;
    double rate_before = 0, rate_after = 0;
  };
  std::optional<SetupSwitch> Switch() const;
};

class AccountFeatureTable {
 public:
  // `lists` and `text_model` (each may be null) must outlive the table.
  // Without a text model, prompts are read by the cue-phrase classifier
  // (text/capability.h), which never finds dataset-style tasks.
  explicit AccountFeatureTable(const netinfo::NetworkLists* lists, const text::TextModel* text_model = nullptr)
      : lists_(lists), text_model_(text_model) {}

  void Add(const ingest::Event& event);
  // REQUIRES: account < size().
  const AccountFeatures& Get(ingest::Id account) const { return accounts_[account]; }
  size_t size() const { return accounts_.size(); }

 private:
  const netinfo::NetworkLists* lists_;
  const text::TextModel* text_model_;
  std::vector<AccountFeatures> accounts_;  // by interned account id
};

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_ACCOUNT_FEATURES_H_
