// Simulator throughput: events per second, single thread, writing zstd JSONL
// with prompt text (to /dev/null, so the disk is not measured), and the same
// schedule in count-only mode (no text, no output) for comparison.
#include <benchmark/benchmark.h>

#include "io/output_file.h"
#include "sim/simulator.h"

namespace hydraguard::sim {
namespace {

void RunSimulation(benchmark::State& state, bool count_only, int zstd_level, std::string_view name = "mixed",
                   double scale = 0.005) {
  Scenario scenario = *MakeScenario(name, scale, /*seed=*/101, /*campaigns=*/8);
  uint64_t events = 0, bytes = 0;
  for (auto _ : state) {
    std::unique_ptr<io::OutputFile> out, truth;
    if (!count_only) {
      out = *io::OutputFile::Open("/dev/null", {.zstd_level = zstd_level, .compress = zstd_level > 0});
      truth = *io::OutputFile::Open("/dev/null");
    }
    SimulateOptions options{.seed = 1, .count_only = count_only};
    absl::StatusOr<SimulationSummary> summary = Simulate(scenario, options, out.get(), truth.get());
    if (!summary.ok()) state.SkipWithError("simulation failed");
    events += summary->events;
    if (out) {
      bytes += out->bytes_written();
      (void)out->Close();
      (void)truth->Close();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_SimulateZstd1(benchmark::State& state) { RunSimulation(state, false, 1); }
void BM_SimulateZstd3(benchmark::State& state) { RunSimulation(state, false, 3); }
void BM_SimulateUncompressed(benchmark::State& state) { RunSimulation(state, false, 0); }
void BM_SimulateCountOnly(benchmark::State& state) { RunSimulation(state, true, 0); }
// The red-team grid's scenario: more text generators (paraphrase, tool
// results, grading), per-request IPv6 addresses.
void BM_SimulateRedteamZstd1(benchmark::State& state) { RunSimulation(state, false, 1, "redteam", 0.02); }
BENCHMARK(BM_SimulateZstd1)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_SimulateZstd3)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_SimulateUncompressed)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_SimulateCountOnly)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_SimulateRedteamZstd1)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace hydraguard::sim
