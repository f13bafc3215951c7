// Co-activity: Add() per request and Find() (MinHash LSH + the null-model
// test of every candidate pair) on 20,000 honest accounts with daily rhythms
// and a 200-account fleet on job waves, 14 days.
#include <benchmark/benchmark.h>

#include <random>

#include "engine/internal/coactivity.h"

namespace hydraguard::engine::internal {
namespace {

constexpr int64_t kMinuteMs = 60000, kHourMs = 60 * kMinuteMs, kDayMs = 24 * kHourMs;

std::vector<std::pair<uint32_t, int64_t>> Requests() {
  std::mt19937_64 rng(3);
  std::vector<std::pair<uint32_t, int64_t>> requests;
  for (uint32_t account = 1000; account < 21000; ++account) {
    int zone = static_cast<int>(rng() % 3) * 8;
    for (int day = 0; day < 14; ++day) {
      if (rng() % 2) continue;
      for (int session = 0, sessions = 1 + static_cast<int>(rng() % 6); session < sessions; ++session) {
        int64_t start = day * kDayMs + ((8 + static_cast<int>(rng() % 14) + zone) % 24) * kHourMs +
                        static_cast<int64_t>(rng() % kHourMs);
        for (int turn = 0, turns = 1 + static_cast<int>(rng() % 4); turn < turns; ++turn) {
          requests.emplace_back(account, start + turn * 2 * kMinuteMs);
        }
      }
    }
  }
  std::vector<int64_t> jobs;
  for (int job = 0; job < 100; ++job) jobs.push_back(static_cast<int64_t>(rng() % (14 * kDayMs)));
  for (uint32_t account = 0; account < 200; ++account) {
    for (int64_t job : jobs) {
      if (rng() % 2) requests.emplace_back(account, job + static_cast<int64_t>(rng() % (5 * kMinuteMs)));
    }
  }
  return requests;
}

void BM_CoactivityAdd(benchmark::State& state) {
  std::vector<std::pair<uint32_t, int64_t>> requests = Requests();
  for (auto _ : state) {
    CoactivityIndex index;
    for (const auto& [account, ts] : requests) index.Add(account, ts);
    benchmark::DoNotOptimize(index);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * requests.size()));
}
BENCHMARK(BM_CoactivityAdd)->Unit(benchmark::kMillisecond);

void BM_CoactivityFind(benchmark::State& state) {
  std::vector<std::pair<uint32_t, int64_t>> requests = Requests();
  CoactivityIndex index;
  for (const auto& [account, ts] : requests) index.Add(account, ts);
  uint64_t tested = 0, pairs = 0;
  for (auto _ : state) {
    CoactivityResult result = index.Find();
    tested = result.pairs_tested;
    pairs = result.pairs.size();
  }
  state.counters["pairs_tested"] = static_cast<double>(tested);
  state.counters["pairs_found"] = static_cast<double>(pairs);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * requests.size()));
}
BENCHMARK(BM_CoactivityFind)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hydraguard::engine::internal
