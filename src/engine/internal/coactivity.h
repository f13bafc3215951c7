// Co-activity (loose synchronization, after SynchroTrap, CCS 2014): accounts
// driven by one dispatcher are active in the same short time windows far more
// often than their own activity explains. The evidence is measured against a
// null model taken from the log itself, so it transfers between logs:
//
//   On each day an account is active, its n_a(d) active windows fall in hour h
//   with probability g_a(h | d) ∝ (its own share of activity in hour h over all
//   its days) × (the whole log's activity in hour h of day d), and within the
//   hour in window t in proportion to the log's activity in t.
//
// Two independent accounts then share, in expectation,
//   E_ab = Σ_d n_a(d) n_b(d) Σ_h g_a(h|d) g_b(h|d) c(d,h),
//   c(d,h) = Σ_{t in (d,h)} s(t)² / (Σ_{t in (d,h)} s(t))²   (s: accounts active in t)
// windows, and the observed count is judged by its Poisson upper tail. The
// null conditions on the days each account was active and on its own hours,
// so people who work the same hours, or all come to the same event, are
// expected to overlap; what is not expected is sharing the same few minutes,
// day after day, more often than their hours allow (job waves, lockstep
// fleets, same-minute switch-ons of scheduled work).
//
// Candidate pairs come from MinHash LSH over the accounts' window sets, never
// from all pairs: the cost is O(active windows × hashes + candidate pairs ×
// shared days × (24 + words of a day's window mask)), and candidate pairs are at most
// O(accounts × bands × (max_bucket + bucket_neighbors)).
//
//   CoactivityIndex index({.window_ms = 15 * 60000});
//   for (const Event& event : events) index.Add(event.account, event.ts_ms);
//   CoactivityResult result = index.Find();
//   for (const CoactivePair& pair : result.pairs) ...  // pair.log10_p < threshold
//
// Thread-safety: not thread-safe; Find() is const and may run while nothing Adds.
#ifndef HYDRAGUARD_ENGINE_INTERNAL_COACTIVITY_H_
#define HYDRAGUARD_ENGINE_INTERNAL_COACTIVITY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace hydraguard::engine::internal {

struct CoactivityOptions {
  int64_t window_ms = 15 * 60000;  // REQUIRES: divides an hour
  uint32_t min_windows = 8;        // accounts active in fewer windows are not compared
  int bands = 24, rows = 2;        // MinHash LSH: candidates share all `rows` minima of a band
  // LSH buckets of up to max_bucket accounts give all their pairs; in a
  // larger one (a big fleet, or many accounts busy around the clock) each
  // account is paired with the next `bucket_neighbors` in an order drawn
  // from the bucket's key: enough to connect a fleet (groups are what the
  // engine uses), at O(accounts) pairs instead of O(accounts²).
  size_t max_bucket = 10;
  size_t bucket_neighbors = 6;
  uint32_t min_shared = 3;  // pairs sharing fewer windows are tested no further
  // Pairs reported: those whose chance probability is below
  // expected_false_pairs / (pairs tested), i.e. about this many pairs of
  // independent accounts are reported by chance, whatever the log's size.
  double expected_false_pairs = 0.01;
};

struct CoactivePair {
  uint32_t a = 0, b = 0;  // account ids, a < b
  uint32_t shared = 0;    // windows both were active in
  double expected = 0;    // expected shared windows under the null
  double log10_p = 0;     // log10 of the Poisson upper tail P(X >= shared)
  uint32_t windows_a = 0, windows_b = 0;

  // E.g. "active in the same 15-minute window as user_x in 37 of its 41
  // windows; expected by chance: 0.8".
  std::string Describe(std::string_view other_name, int64_t window_ms) const;
};

struct CoactivityResult {
  std::vector<CoactivePair> pairs;  // significant pairs, strongest first
  uint64_t accounts_compared = 0;   // accounts with at least min_windows windows
  uint64_t pairs_tested = 0;        // candidate pairs from LSH
  uint64_t buckets_sampled = 0;     // LSH buckets above max_bucket
  double log10_threshold = 0;       // log10 of the p-value a reported pair is below
};

// Co-active groups: the connected components of the significant pairs.
// Every account of a group is keyed by the group's smallest account id, so
// a group keeps its key as it grows unless an account with a smaller id
// joins it.
struct CoactiveGroup {
  uint64_t key = 0;   // the smallest account id in the group
  uint32_t size = 0;  // accounts in the group
  // The account's strongest pair (the first in CoactivityResult::pairs it
  // is part of), as seen from the account: `a` is the account, `b` its
  // partner, windows_a its own windows.
  CoactivePair strongest;
};
absl::flat_hash_map<uint32_t, CoactiveGroup> GroupCoactive(const CoactivityResult& result);

class CoactivityIndex {
 public:
  explicit CoactivityIndex(CoactivityOptions options = {});

  // One request of `account` at `ts_ms`, in any order. Account ids are
  // dense (the engine's interned ids): memory is kept per id up to the
  // largest. Requests in the same window count once and are stored once:
  // memory follows active windows, not requests.
  void Add(uint32_t account, int64_t ts_ms);

  CoactivityResult Find() const;

  const CoactivityOptions& options() const { return options_; }

  // The null expectation and the observed overlap of two accounts (for tests
  // and evidence); {0, 0} if either is unknown.
  std::pair<double, uint32_t> ExpectedAndShared(uint32_t a, uint32_t b) const;

 private:
  struct Prepared;
  Prepared Prepare() const;

  CoactivityOptions options_;
  // By account id: its windows (time / window_ms, less base_), sorted and
  // distinct (Prepare reads them in place).
  std::vector<std::vector<uint32_t>> windows_;
  int64_t base_ = 0;  // set by the first Add(): 2^31 windows before its window
  bool has_base_ = false;
};

}  // namespace hydraguard::engine::internal

#endif  // HYDRAGUARD_ENGINE_INTERNAL_COACTIVITY_H_
