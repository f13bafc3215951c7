#include "engine/internal/coactivity.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "absl/container/flat_hash_set.h"
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

struct DayActivity {
  int64_t day = 0;
  uint32_t windows = 0;   // n_a(d)
  double normalizer = 0;  // Z_a(d) = Σ_h h_a(h) S(d,h)
};

struct PreparedAccount {
  uint32_t id = 0;
  std::vector<int64_t> windows;        // sorted, distinct
  std::vector<DayActivity> days;       // sorted by day
  std::array<double, kHours> hours{};  // h_a: share of its windows in each hour of the day
};

}  // namespace

struct CoactivityIndex::Prepared {
  std::vector<PreparedAccount> accounts;        // those with at least min_windows windows
  absl::flat_hash_map<uint32_t, size_t> index;  // account id -> position in accounts
  // Per (day, hour) from first_hour on: S = Σ s(t), Q = Σ s(t)², s(t) = accounts active in window t.
  std::vector<std::pair<double, double>> hour_activity;
  int64_t first_hour = 0;
  int64_t windows_per_hour = 4;

  std::pair<double, double> Activity(int64_t day, int hour) const {
    int64_t slot = day * kHours + hour - first_hour;
    return slot < 0 || slot >= static_cast<int64_t>(hour_activity.size()) ? std::pair<double, double>{0, 0}
                                                                          : hour_activity[static_cast<size_t>(slot)];
  }

  double Expected(const PreparedAccount& a, const PreparedAccount& b) const {
    double expected = 0;
    auto day_a = a.days.begin(), day_b = b.days.begin();
    while (day_a != a.days.end() && day_b != b.days.end()) {
      if (day_a->day < day_b->day) {
        ++day_a;
      } else if (day_b->day < day_a->day) {
        ++day_b;
      } else {
        if (day_a->normalizer > 0 && day_b->normalizer > 0) {
          double sum = 0;
          for (int hour = 0; hour < kHours; ++hour) {
            if (a.hours[hour] == 0 || b.hours[hour] == 0) continue;
            sum += a.hours[hour] * b.hours[hour] * Activity(day_a->day, hour).second;
          }
          expected +=
              static_cast<double>(day_a->windows) * day_b->windows * sum / (day_a->normalizer * day_b->normalizer);
        }
        ++day_a;
        ++day_b;
      }
    }
    return expected;
  }
};

CoactivityIndex::CoactivityIndex(CoactivityOptions options) : options_(options) {
  options_.window_ms = std::clamp<int64_t>(options_.window_ms, 1000, kHourMs);
  while (kHourMs % options_.window_ms != 0) ++options_.window_ms;  // divide the hour
  options_.bands = std::max(1, options_.bands);
  options_.rows = std::max(1, options_.rows);
}

void CoactivityIndex::Add(uint32_t account, int64_t ts_ms) {
  windows_[account].push_back(FloorDiv(ts_ms, options_.window_ms));
}

CoactivityIndex::Prepared CoactivityIndex::Prepare() const {
  Prepared prepared;
  prepared.windows_per_hour = kHourMs / options_.window_ms;
  int64_t per_hour = prepared.windows_per_hour, per_day = per_hour * kHours;
  absl::flat_hash_map<int64_t, uint32_t> active;  // s(t)
  std::vector<std::pair<uint32_t, std::vector<int64_t>>> sorted;
  sorted.reserve(windows_.size());
  for (const auto& [account, raw] : windows_) {
    std::vector<int64_t> windows = raw;
    std::sort(windows.begin(), windows.end());
    windows.erase(std::unique(windows.begin(), windows.end()), windows.end());
    for (int64_t window : windows) ++active[window];
    if (windows.size() >= options_.min_windows) sorted.emplace_back(account, std::move(windows));
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  if (!active.empty()) {
    int64_t first = INT64_MAX, last = INT64_MIN;
    for (const auto& [window, count] : active) {
      first = std::min(first, FloorDiv(window, per_hour));
      last = std::max(last, FloorDiv(window, per_hour));
    }
    prepared.first_hour = first;
    prepared.hour_activity.assign(static_cast<size_t>(last - first + 1), {0, 0});
  }
  for (const auto& [window, count] : active) {
    auto& [sum, squares] =
        prepared.hour_activity[static_cast<size_t>(FloorDiv(window, per_hour) - prepared.first_hour)];
    sum += count;
    squares += static_cast<double>(count) * count;
  }
  // Q(d,h) / S(d,h)² is c(d,h); Expected() wants h_a h_b Q / (Z_a Z_b): keep Q, fold S into Z.
  for (auto& [account, windows] : sorted) {
    PreparedAccount prepared_account{.id = account};
    for (int64_t window : windows) {
      int64_t day = FloorDiv(window, per_day);
      int hour = static_cast<int>(FloorDiv(window, per_hour) - day * kHours);
      prepared_account.hours[hour] += 1;
      if (prepared_account.days.empty() || prepared_account.days.back().day != day) {
        prepared_account.days.push_back({day, 0, 0});
      }
      ++prepared_account.days.back().windows;
    }
    for (double& share : prepared_account.hours) share /= static_cast<double>(windows.size());
    for (DayActivity& day : prepared_account.days) {
      for (int hour = 0; hour < kHours; ++hour) {
        if (prepared_account.hours[hour] > 0) {
          day.normalizer += prepared_account.hours[hour] * prepared.Activity(day.day, hour).first;
        }
      }
    }
    prepared_account.windows = std::move(windows);
    prepared.index[account] = prepared.accounts.size();
    prepared.accounts.push_back(std::move(prepared_account));
  }
  return prepared;
}

namespace {

uint32_t SharedWindows(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  uint32_t shared = 0;
  auto x = a.begin(), y = b.begin();
  while (x != a.end() && y != b.end()) {
    if (*x < *y) {
      ++x;
    } else if (*y < *x) {
      ++y;
    } else {
      ++shared;
      ++x;
      ++y;
    }
  }
  return shared;
}

}  // namespace

std::pair<double, uint32_t> CoactivityIndex::ExpectedAndShared(uint32_t a, uint32_t b) const {
  Prepared prepared = Prepare();
  auto found_a = prepared.index.find(a), found_b = prepared.index.find(b);
  if (found_a == prepared.index.end() || found_b == prepared.index.end()) return {0, 0};
  const PreparedAccount& x = prepared.accounts[found_a->second];
  const PreparedAccount& y = prepared.accounts[found_b->second];
  return {prepared.Expected(x, y), SharedWindows(x.windows, y.windows)};
}

CoactivityResult CoactivityIndex::Find() const {
  Prepared prepared = Prepare();
  CoactivityResult result;
  result.accounts_compared = prepared.accounts.size();
  // MinHash signatures, banded: accounts whose band minima agree are candidates.
  size_t hashes = static_cast<size_t>(options_.bands) * static_cast<size_t>(options_.rows);
  absl::flat_hash_map<uint64_t, std::vector<uint32_t>> buckets;
  std::vector<uint64_t> signature(hashes);
  for (uint32_t position = 0; position < prepared.accounts.size(); ++position) {
    std::fill(signature.begin(), signature.end(), std::numeric_limits<uint64_t>::max());
    for (int64_t window : prepared.accounts[position].windows) {
      uint64_t base = Mix(static_cast<uint64_t>(window), 0x5eed);
      for (size_t hash = 0; hash < hashes; ++hash) signature[hash] = std::min(signature[hash], Mix(base, hash));
    }
    for (int band = 0; band < options_.bands; ++band) {
      uint64_t key = Mix(0xba4d, static_cast<uint64_t>(band));
      for (int row = 0; row < options_.rows; ++row) key = Mix(key, signature[band * options_.rows + row]);
      buckets[key].push_back(position);
    }
  }
  absl::flat_hash_set<uint64_t> candidates;
  for (const auto& [key, members] : buckets) {
    if (members.size() < 2) continue;
    if (members.size() > options_.max_bucket) {
      ++result.buckets_skipped;
      continue;
    }
    for (size_t i = 0; i < members.size(); ++i) {
      for (size_t j = i + 1; j < members.size(); ++j) {
        candidates.insert((static_cast<uint64_t>(members[i]) << 32) | members[j]);
      }
    }
  }
  result.pairs_tested = candidates.size();
  result.log10_threshold =
      std::log10(std::max(1e-300, options_.expected_false_pairs) / std::max<double>(1, result.pairs_tested));
  for (uint64_t candidate : candidates) {
    const PreparedAccount& a = prepared.accounts[candidate >> 32];
    const PreparedAccount& b = prepared.accounts[candidate & 0xFFFFFFFF];
    uint32_t shared = SharedWindows(a.windows, b.windows);
    if (shared < options_.min_shared) continue;
    double expected = prepared.Expected(a, b);
    double log10_p = PoissonUpperTailLog10(shared, expected);
    if (log10_p >= result.log10_threshold) continue;
    CoactivePair pair{std::min(a.id, b.id),
                      std::max(a.id, b.id),
                      shared,
                      expected,
                      log10_p,
                      static_cast<uint32_t>(a.id < b.id ? a.windows.size() : b.windows.size()),
                      static_cast<uint32_t>(a.id < b.id ? b.windows.size() : a.windows.size())};
    result.pairs.push_back(pair);
  }
  std::sort(result.pairs.begin(), result.pairs.end(), [](const CoactivePair& x, const CoactivePair& y) {
    return std::tie(x.log10_p, x.a, x.b) < std::tie(y.log10_p, y.a, y.b);
  });
  return result;
}

std::string CoactivePair::Describe(std::string_view other_name, int64_t window_ms) const {
  return fmt::format(
      "active in the same {}-minute window as {} in {} of its {} windows; expected by chance: {:.1f} (p = 1e{:.0f})",
      window_ms / 60000, other_name, shared, windows_a, expected, log10_p);
}

}  // namespace hydraguard::engine::internal
