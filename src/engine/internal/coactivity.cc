#include "engine/internal/coactivity.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>

#include "engine/internal/tails.h"
#include "fmt/format.h"

namespace hydraguard::engine::internal {
namespace {

constexpr int64_t kHourMs = 3600000;
constexpr int kHours = 24;

int64_t FloorDiv(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  return quotient * divisor > value ? quotient - 1 : quotient;
}

uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// 24 bytes: one per day an account was active, the bulk of Find()'s memory
// with the day masks.
struct DayActivity {
  double normalizer = 0;  // Z_a(d) = Σ_h h_a(h) S(d,h)
  uint32_t day = 0;       // days from the log's first (Prepared::first_hour)
  uint32_t windows = 0;   // n_a(d)
  uint32_t ordinal = 0;   // its windows of the day: bits at Prepared::Mask(ordinal)
};

struct PreparedAccount {
  uint32_t id = 0;
  const std::vector<uint32_t>* windows = nullptr;  // the index's: sorted, distinct, from base
  std::vector<DayActivity> days;                   // sorted by day
  std::array<double, kHours> hours{};              // h_a: share of its windows in each hour of the day
};

}  // namespace

struct CoactivityIndex::Prepared {
  std::vector<PreparedAccount> accounts;        // those with at least min_windows windows
  absl::flat_hash_map<uint32_t, size_t> index;  // account id -> position in accounts
  // Per (day, hour) from first_hour on: S = Σ s(t), Q = Σ s(t)², s(t) = accounts active in window t.
  std::vector<std::pair<double, double>> hour_activity;
  int64_t first_hour = 0;
  int64_t windows_per_hour = 4;
  uint32_t first_window = UINT32_MAX, last_window = 0;  // of the log, from the index's base
  // Each account's windows, a day at a time: words_per_day words per active day.
  std::vector<uint64_t> day_masks;
  size_t words_per_day = 2;

  // Q(d, h) for the 24 hours of a day (days from the log's first), or null
  // outside the log. REQUIRES: first_hour is a day's first hour and
  // hour_activity whole days.
  const std::pair<double, double>* Day(uint32_t day) const {
    size_t slot = static_cast<size_t>(day) * kHours;
    return slot >= hour_activity.size() ? nullptr : &hour_activity[slot];
  }
  // The first word of an account-day's window mask (DayActivity::ordinal).
  const uint64_t* Mask(uint32_t ordinal) const { return &day_masks[static_cast<size_t>(ordinal) * words_per_day]; }
  uint64_t* Mask(uint32_t ordinal) { return &day_masks[static_cast<size_t>(ordinal) * words_per_day]; }

  // The windows two accounts share, and how many chance gives them (the
  // null model above): one pass over the days both were active.
  std::pair<double, uint32_t> Compare(const PreparedAccount& a, const PreparedAccount& b) const {
    std::array<double, kHours> both;  // h_a(h) h_b(h)
    for (int hour = 0; hour < kHours; ++hour) both[hour] = a.hours[hour] * b.hours[hour];
    double expected = 0;
    uint32_t shared = 0;
    auto day_a = a.days.begin(), day_b = b.days.begin();
    while (day_a != a.days.end() && day_b != b.days.end()) {
      if (day_a->day < day_b->day) {
        ++day_a;
      } else if (day_b->day < day_a->day) {
        ++day_b;
      } else {
        const uint64_t *mask_a = Mask(day_a->ordinal), *mask_b = Mask(day_b->ordinal);
        for (size_t word = 0; word < words_per_day; ++word) {
          shared += static_cast<uint32_t>(std::popcount(mask_a[word] & mask_b[word]));
        }
        const std::pair<double, double>* activity = Day(day_a->day);
        if (activity != nullptr && day_a->normalizer > 0 && day_b->normalizer > 0) {
          double sum = 0;
          for (int hour = 0; hour < kHours; ++hour) sum += both[hour] * activity[hour].second;
          expected +=
              static_cast<double>(day_a->windows) * day_b->windows * sum / (day_a->normalizer * day_b->normalizer);
        }
        ++day_a;
        ++day_b;
      }
    }
    return {expected, shared};
  }
};

CoactivityIndex::CoactivityIndex(CoactivityOptions options) : options_(options) {
  options_.window_ms = std::clamp<int64_t>(options_.window_ms, 1000, kHourMs);
  while (kHourMs % options_.window_ms != 0) ++options_.window_ms;  // divide the hour
  options_.bands = std::max(1, options_.bands);
  options_.rows = std::max(1, options_.rows);
}

void CoactivityIndex::Add(uint32_t account, int64_t ts_ms) {
  if (account >= windows_.size()) windows_.resize(static_cast<size_t>(account) + 1);
  std::vector<uint32_t>& windows = windows_[account];
  int64_t absolute = FloorDiv(ts_ms, options_.window_ms);
  if (!has_base_) {
    base_ = absolute - (int64_t{1} << 31);  // room either side of the first request
    has_base_ = true;
  }
  // Beyond ±2^31 windows of the first request (thousands of years): kept at the edge.
  auto window = static_cast<uint32_t>(std::clamp<int64_t>(absolute - base_, 0, UINT32_MAX));
  if (windows.empty() || windows.back() < window) {
    windows.push_back(window);  // the usual case: requests in time order
    return;
  }
  auto at = std::lower_bound(windows.begin(), windows.end(), window);
  if (*at != window) windows.insert(at, window);
}

CoactivityIndex::Prepared CoactivityIndex::Prepare() const {
  Prepared prepared;
  prepared.windows_per_hour = kHourMs / options_.window_ms;
  int64_t per_hour = prepared.windows_per_hour, per_day = per_hour * kHours;
  prepared.words_per_day = static_cast<size_t>((per_day + 63) / 64);
  absl::flat_hash_map<uint32_t, uint32_t> active;                         // s(t)
  std::vector<std::pair<uint32_t, const std::vector<uint32_t>*>> sorted;  // by account id
  for (uint32_t account = 0; account < windows_.size(); ++account) {
    const std::vector<uint32_t>& windows = windows_[account];
    for (uint32_t window : windows) ++active[window];
    if (!windows.empty() && windows.size() >= options_.min_windows) sorted.emplace_back(account, &windows);
  }
  if (!active.empty()) {
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (const auto& [window, count] : active) {
      first = std::min(first, FloorDiv(base_ + window, per_hour));
      last = std::max(last, FloorDiv(base_ + window, per_hour));
      prepared.first_window = std::min(prepared.first_window, window);
      prepared.last_window = std::max(prepared.last_window, window);
    }
    prepared.first_hour = FloorDiv(first, kHours) * kHours;  // whole days (Prepared::Day)
    prepared.hour_activity.assign(static_cast<size_t>((FloorDiv(last, kHours) + 1) * kHours - prepared.first_hour),
                                  {0, 0});
  }
  for (const auto& [window, count] : active) {
    auto& [sum, squares] =
        prepared.hour_activity[static_cast<size_t>(FloorDiv(base_ + window, per_hour) - prepared.first_hour)];
    sum += count;
    squares += static_cast<double>(count) * count;
  }
  // Days from the log's first; each account's days are counted first, so
  // that the masks and day lists are allocated once, at their size.
  const int64_t first_day = prepared.first_hour / kHours;
  auto day_of = [&](uint32_t window) { return static_cast<uint32_t>(FloorDiv(base_ + window, per_day) - first_day); };
  std::vector<uint32_t> day_counts(sorted.size(), 0);
  size_t account_days = 0;
  for (size_t index = 0; index < sorted.size(); ++index) {
    uint32_t previous = UINT32_MAX;
    for (uint32_t window : *sorted[index].second) {
      uint32_t day = day_of(window);
      day_counts[index] += day != previous;
      previous = day;
    }
    account_days += day_counts[index];
  }
  prepared.day_masks.assign(account_days * prepared.words_per_day, 0);
  prepared.accounts.reserve(sorted.size());
  uint32_t ordinal = 0;
  // Q(d,h) / S(d,h)² is c(d,h); Compare() wants h_a h_b Q / (Z_a Z_b): keep Q, fold S into Z.
  for (size_t index = 0; index < sorted.size(); ++index) {
    const auto& [account, windows] = sorted[index];
    PreparedAccount prepared_account{.id = account};
    prepared_account.days.reserve(day_counts[index]);
    for (uint32_t window : *windows) {
      uint32_t day = day_of(window);
      int hour = static_cast<int>(FloorDiv(base_ + window, per_hour) - (first_day + day) * kHours);
      prepared_account.hours[hour] += 1;
      if (prepared_account.days.empty() || prepared_account.days.back().day != day) {
        prepared_account.days.push_back({.normalizer = 0, .day = day, .windows = 0, .ordinal = ordinal++});
      }
      ++prepared_account.days.back().windows;
      auto in_day = static_cast<uint64_t>(base_ + window - (first_day + day) * per_day);
      prepared.Mask(prepared_account.days.back().ordinal)[in_day / 64] |= uint64_t{1} << (in_day % 64);
    }
    for (double& share : prepared_account.hours) share /= static_cast<double>(windows->size());
    for (DayActivity& day : prepared_account.days) {
      const std::pair<double, double>* activity = prepared.Day(day.day);
      for (int hour = 0; hour < kHours && activity != nullptr; ++hour) {
        day.normalizer += prepared_account.hours[hour] * activity[hour].first;
      }
    }
    prepared_account.windows = windows;
    prepared.index[account] = prepared.accounts.size();
    prepared.accounts.push_back(std::move(prepared_account));
  }
  return prepared;
}

std::pair<double, uint32_t> CoactivityIndex::ExpectedAndShared(uint32_t a, uint32_t b) const {
  Prepared prepared = Prepare();
  auto found_a = prepared.index.find(a), found_b = prepared.index.find(b);
  if (found_a == prepared.index.end() || found_b == prepared.index.end()) return {0, 0};
  const PreparedAccount& x = prepared.accounts[found_a->second];
  const PreparedAccount& y = prepared.accounts[found_b->second];
  return prepared.Compare(x, y);
}

CoactivityResult CoactivityIndex::Find() const {
  Prepared prepared = Prepare();
  CoactivityResult result;
  result.accounts_compared = prepared.accounts.size();
  const auto account_count = static_cast<uint32_t>(prepared.accounts.size());
  // MinHash signatures, banded: accounts whose band minima agree are
  // candidates. One (band key, position) entry per account and band, sorted
  // so that each bucket is a run (no map of buckets, no set of pairs: memory
  // follows accounts × bands).
  size_t hashes = static_cast<size_t>(options_.bands) * static_cast<size_t>(options_.rows);
  std::vector<std::pair<uint64_t, uint32_t>> entries;
  entries.reserve(static_cast<size_t>(account_count) * static_cast<size_t>(options_.bands));
  std::vector<uint64_t> signature(hashes);
  // The log has few distinct windows (1,344 in two weeks of 15 minutes):
  // each window's hashes are worked out once.
  auto window_hashes = [&](uint32_t window, uint64_t* out) {
    uint64_t base = Mix(window, 0x5eed);
    for (size_t hash = 0; hash < hashes; ++hash) out[hash] = Mix(base, hash);
  };
  const uint64_t span = account_count == 0 ? 0 : uint64_t{prepared.last_window} - prepared.first_window + 1;
  std::vector<uint64_t> table(span <= (uint64_t{1} << 20) ? span * hashes : 0);
  for (uint64_t offset = 0; !table.empty() && offset < span; ++offset) {
    window_hashes(static_cast<uint32_t>(prepared.first_window + offset), &table[offset * hashes]);
  }
  std::vector<uint64_t> scratch(hashes);
  for (uint32_t position = 0; position < account_count; ++position) {
    std::fill(signature.begin(), signature.end(), std::numeric_limits<uint64_t>::max());
    for (uint32_t window : *prepared.accounts[position].windows) {
      const uint64_t* row = scratch.data();
      if (table.empty()) {
        window_hashes(window, scratch.data());
      } else {
        row = &table[(window - prepared.first_window) * hashes];
      }
      for (size_t hash = 0; hash < hashes; ++hash) signature[hash] = std::min(signature[hash], row[hash]);
    }
    for (int band = 0; band < options_.bands; ++band) {
      uint64_t key = Mix(0xba4d, static_cast<uint64_t>(band));
      for (int row = 0; row < options_.rows; ++row) key = Mix(key, signature[band * options_.rows + row]);
      entries.emplace_back(key, position);
    }
  }
  std::sort(entries.begin(), entries.end());
  // Buckets of two accounts or more: [begin, end) runs of `entries`. A large
  // one is put in an order drawn from its key (its members are paired with
  // their neighbours in it).
  struct Bucket {
    uint32_t begin, end;
  };
  std::vector<Bucket> buckets;
  for (size_t begin = 0; begin < entries.size();) {
    size_t end = begin + 1;
    while (end < entries.size() && entries[end].first == entries[begin].first) ++end;
    if (end - begin >= 2) {
      buckets.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
      if (end - begin > options_.max_bucket) {
        ++result.buckets_sampled;
        uint64_t key = entries[begin].first;
        std::sort(entries.begin() + static_cast<ptrdiff_t>(begin), entries.begin() + static_cast<ptrdiff_t>(end),
                  [key](const auto& x, const auto& y) { return Mix(key, x.second) < Mix(key, y.second); });
      }
    }
    begin = end;
  }
  // Each account's buckets, as (bucket, its index in the bucket).
  std::vector<uint32_t> first_slot(account_count + 1, 0);
  for (const Bucket& bucket : buckets) {
    for (uint32_t at = bucket.begin; at < bucket.end; ++at) ++first_slot[entries[at].second + 1];
  }
  for (uint32_t position = 0; position < account_count; ++position) first_slot[position + 1] += first_slot[position];
  std::vector<std::pair<uint32_t, uint32_t>> slots(first_slot.back());
  {
    std::vector<uint32_t> next(first_slot.begin(), first_slot.end() - 1);
    for (uint32_t bucket_index = 0; bucket_index < buckets.size(); ++bucket_index) {
      const Bucket& bucket = buckets[bucket_index];
      for (uint32_t at = bucket.begin; at < bucket.end; ++at) {
        slots[next[entries[at].second]++] = {bucket_index, at - bucket.begin};
      }
    }
  }
  // An account's candidates: the later positions it meets in its buckets
  // (every member of a small bucket; bucket_neighbors either side in a large one).
  std::vector<uint32_t> partners;
  auto candidates_of = [&](uint32_t position) {
    partners.clear();
    for (uint32_t slot = first_slot[position]; slot < first_slot[position + 1]; ++slot) {
      const Bucket& bucket = buckets[slots[slot].first];
      const uint32_t size = bucket.end - bucket.begin;
      auto add = [&](uint32_t index) {
        uint32_t other = entries[bucket.begin + index].second;
        if (other > position) partners.push_back(other);
      };
      if (size <= options_.max_bucket) {
        for (uint32_t index = 0; index < size; ++index) add(index);
        continue;
      }
      const auto reach = static_cast<uint32_t>(std::min<size_t>(options_.bucket_neighbors, size - 1));
      for (uint32_t step = 1; step <= reach; ++step) {
        add((slots[slot].second + step) % size);
        add((slots[slot].second + size - step) % size);
      }
    }
    std::sort(partners.begin(), partners.end());
    partners.erase(std::unique(partners.begin(), partners.end()), partners.end());
  };
  // Two passes: the threshold depends on how many pairs are tested.
  for (uint32_t position = 0; position < account_count; ++position) {
    candidates_of(position);
    result.pairs_tested += partners.size();
  }
  result.log10_threshold =
      std::log10(std::max(1e-300, options_.expected_false_pairs) / std::max<double>(1, result.pairs_tested));
  for (uint32_t position = 0; position < account_count; ++position) {
    candidates_of(position);
    const PreparedAccount& a = prepared.accounts[position];
    for (uint32_t other : partners) {
      const PreparedAccount& b = prepared.accounts[other];
      auto [expected, shared] = prepared.Compare(a, b);
      if (shared < options_.min_shared || shared <= expected) continue;
      // P(X = shared) bounds the tail from below: most pairs stop here,
      // before the tail's slow sum near its mean.
      double log10_point = (-expected + shared * std::log(expected) - std::lgamma(shared + 1.0)) / std::log(10.0);
      if (expected > 0 && log10_point >= result.log10_threshold) continue;
      double log10_p = PoissonUpperTailLog10(shared, expected);
      if (log10_p >= result.log10_threshold) continue;
      bool a_first = a.id < b.id;
      result.pairs.push_back(CoactivePair{std::min(a.id, b.id), std::max(a.id, b.id), shared, expected, log10_p,
                                          static_cast<uint32_t>((a_first ? a : b).windows->size()),
                                          static_cast<uint32_t>((a_first ? b : a).windows->size())});
    }
  }
  std::sort(result.pairs.begin(), result.pairs.end(), [](const CoactivePair& x, const CoactivePair& y) {
    return std::tie(x.log10_p, x.a, x.b) < std::tie(y.log10_p, y.a, y.b);
  });
  return result;
}

absl::flat_hash_map<uint32_t, CoactiveGroup> GroupCoactive(const CoactivityResult& result) {
  absl::flat_hash_map<uint32_t, uint32_t> parent;  // account -> parent account (roots: itself)
  auto find = [&](uint32_t account) {
    parent.try_emplace(account, account);
    uint32_t root = account;
    while (parent[root] != root) root = parent[root];
    while (parent[account] != root) account = std::exchange(parent[account], root);
    return root;
  };
  for (const CoactivePair& pair : result.pairs) {
    uint32_t a = find(pair.a), b = find(pair.b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);  // the root is the group's smallest id
  }
  absl::flat_hash_map<uint32_t, CoactiveGroup> groups;
  absl::flat_hash_map<uint32_t, uint32_t> sizes;
  for (const auto& [account, unused] : parent) ++sizes[find(account)];
  for (const auto& [account, unused] : parent) {
    uint32_t root = find(account);
    groups[account] = CoactiveGroup{root, sizes[root], {}};
  }
  for (auto pair = result.pairs.rbegin(); pair != result.pairs.rend(); ++pair) {  // the strongest last
    groups[pair->a].strongest = *pair;
    CoactivePair& seen_from_b = groups[pair->b].strongest;
    seen_from_b = *pair;
    std::swap(seen_from_b.a, seen_from_b.b);
    std::swap(seen_from_b.windows_a, seen_from_b.windows_b);
  }
  return groups;
}

std::string CoactivePair::Describe(std::string_view other_name, int64_t window_ms) const {
  return fmt::format(
      "active in the same {}-minute window as {} in {} of its {} windows; expected by chance: {:.1f} (p = 1e{:.0f})",
      window_ms / 60000, other_name, shared, windows_a, expected, log10_p);
}

}  // namespace hydraguard::engine::internal
