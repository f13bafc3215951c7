// Whole-file ingest throughput, as a ratio to simdjson's own raw parse of the
// same file in the same run (machines here are noisy; ratios are not).
//
//   ingest_file_benchmark --input=FILE [Google Benchmark flags]
//
// Benchmarks, each over the whole file, single-threaded:
//   BM_ReadLines         read + split lines (the floor)
//   BM_SimdjsonDomParse  + simdjson DOM parse of every line
//   BM_SimdjsonRawParse  + simdjson on-demand walk reading every value
//                          (strings unescaped, numbers parsed): the baseline
//   BM_Ingest            hydraguard's EventReader: parse, validate, intern,
//                          IPs and prefixes, timestamps
//   BM_DetectOneThread   + the detection engine (every event, then one
//                          Detect: linkage, clustering, scoring, verdicts)
//   BM_Detect            the same as `hydraguard detect` runs it: reading on
//                          one thread, the engine on another (FeedEngine)
// Add --no-text to run the engine in metadata-only mode (text ignored).
// At the end it prints BM_Ingest's speed as a ratio to BM_SimdjsonRawParse.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/pipeline.h"
#include "ingest/event_reader.h"
#include "io/line_reader.h"
#include "simdjson.h"
#include "testing/simdjson_walk.h"
#include "text/text_model.h"

namespace {

std::string g_input;
bool g_no_text = false;

std::unique_ptr<hydraguard::io::LineReader> OpenLines() {
  auto source = hydraguard::io::OpenByteSource(g_input);
  if (!source.ok()) {
    std::fprintf(stderr, "%s\n", std::string(source.status().message()).c_str());
    std::exit(1);
  }
  return std::make_unique<hydraguard::io::LineReader>(*std::move(source));
}

// Runs `per_line` over every line; records events/s and bytes/s.
template <typename PerLine>
void OverFile(benchmark::State& state, PerLine per_line) {
  uint64_t lines = 0, bytes = 0;
  for (auto _ : state) {
    auto reader = OpenLines();
    hydraguard::io::Line line;
    while (true) {
      absl::StatusOr<bool> more = reader->Next(&line);
      if (!more.ok() || !*more) break;
      per_line(line.text);
      ++lines;
    }
    bytes += reader->bytes_read();
  }
  state.SetItemsProcessed(static_cast<int64_t>(lines));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_ReadLines(benchmark::State& state) {
  size_t total = 0;
  OverFile(state, [&](std::string_view text) { total += text.size(); });
  benchmark::DoNotOptimize(total);
}

void BM_SimdjsonDomParse(benchmark::State& state) {
  simdjson::dom::parser parser;
  size_t fields = 0;
  OverFile(state, [&](std::string_view text) {
    simdjson::dom::object object;
    if (!parser.parse(text.data(), text.size(), false).get(object)) fields += object.size();
  });
  benchmark::DoNotOptimize(fields);
}

void BM_SimdjsonRawParse(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  uint64_t checksum = 0;
  OverFile(state, [&](std::string_view text) { checksum += hydraguard::testing::RawSimdjsonWalk(parser, text); });
  benchmark::DoNotOptimize(checksum);
}

void BM_Ingest(benchmark::State& state) {
  uint64_t events = 0, bytes = 0, checksum = 0;
  for (auto _ : state) {
    hydraguard::ingest::Interners interners;
    hydraguard::ingest::BadInputLog bad_input(nullptr);
    hydraguard::ingest::ReadCounters counters;
    absl::Status status = hydraguard::ingest::ReadEvents(
        {g_input}, {}, &interners, &bad_input, &counters,
        [&](const hydraguard::ingest::Event& event) { checksum += event.account + event.prompt.size(); });
    events += counters.lines;
    bytes += counters.bytes;
    if (bad_input.bad_lines() > 0) state.SkipWithError("input has bad lines");
  }
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

std::unique_ptr<hydraguard::engine::Engine> MakeEngine(const hydraguard::ingest::Interners* interners,
                                                       const hydraguard::text::TextModel* text_model) {
  hydraguard::engine::EngineConfig config;
  config.use_text = g_no_text ? 0 : 1;
  auto engine = hydraguard::engine::Engine::Create(config, nullptr, interners, text_model);
  if (!engine.ok()) std::exit(1);
  return *std::move(engine);
}

// One pass of the engine over the file per iteration, then one Detect():
// on the calling thread, or as `hydraguard detect` runs it (FeedEngine);
// prompts read by the shipped text model or by the cue phrases (null).
void RunDetect(benchmark::State& state, bool pipelined,
               const hydraguard::text::TextModel* text_model = &hydraguard::text::TextModel::Shipped()) {
  uint64_t events = 0, bytes = 0, campaigns = 0;
  for (auto _ : state) {
    hydraguard::ingest::Interners interners;
    hydraguard::ingest::BadInputLog bad_input(nullptr);
    auto engine = MakeEngine(&interners, text_model);
    hydraguard::ingest::ReadOptions options;
    options.not_interned = hydraguard::engine::Engine::kUnusedIdFields;
    hydraguard::ingest::EventReader reader({g_input}, options, &interners, &bad_input);
    absl::Status status;
    if (pipelined) {
      status = hydraguard::engine::FeedEngine(reader, *engine);
    } else {
      hydraguard::ingest::Event event;
      while (true) {
        absl::StatusOr<bool> more = reader.Next(&event);
        if (!more.ok() || !*more) break;
        engine->Add(event);
      }
    }
    campaigns += engine->Detect().campaigns.size();
    events += reader.counters().lines;
    bytes += reader.counters().bytes;
    if (!status.ok() || bad_input.bad_lines() > 0) state.SkipWithError("input has bad lines");
  }
  benchmark::DoNotOptimize(campaigns);
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_DetectOneThread(benchmark::State& state) { RunDetect(state, false); }
void BM_Detect(benchmark::State& state) { RunDetect(state, true); }
void BM_DetectCuePhrases(benchmark::State& state) { RunDetect(state, true, nullptr); }

// One pass over the file per iteration; repetitions are interleaved at random
// (see main) so that a noisy neighbour slows every benchmark alike, and the
// ratios use each benchmark's median.
BENCHMARK(BM_ReadLines)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_SimdjsonDomParse)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_SimdjsonRawParse)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_Ingest)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_DetectOneThread)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_Detect)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_DetectCuePhrases)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// Console output as usual, plus the rates, to print ratios at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Aggregate || run.aggregate_name != "median") continue;
      auto bytes = run.counters.find("bytes_per_second");
      auto items = run.counters.find("items_per_second");
      std::string name = run.run_name.function_name;
      if (bytes != run.counters.end()) bytes_per_second[name] = bytes->second;
      if (items != run.counters.end()) items_per_second[name] = items->second;
    }
  }
  std::map<std::string, double> bytes_per_second, items_per_second;
};

}  // namespace

int main(int argc, char** argv) {
  for (int arg = 1; arg < argc; ++arg) {
    bool ours = std::strncmp(argv[arg], "--input=", 8) == 0 || std::strcmp(argv[arg], "--no-text") == 0;
    if (!ours) continue;
    if (argv[arg][2] == 'i') {
      g_input = argv[arg] + 8;
    } else {
      g_no_text = true;
    }
    for (int rest = arg; rest + 1 < argc; ++rest) argv[rest] = argv[rest + 1];
    --argc;
    --arg;
  }
  if (g_input.empty()) {
    std::fprintf(stderr, "usage: %s --input=FILE [--no-text] [benchmark flags]\n", argv[0]);
    return 1;
  }
  // Defaults (command-line flags still override): 5 interleaved repetitions.
  std::vector<char*> args(argv, argv + argc);
  std::string repetitions = "--benchmark_repetitions=5";
  std::string interleave = "--benchmark_enable_random_interleaving=true";
  args.insert(args.begin() + 1, {repetitions.data(), interleave.data()});
  int arg_count = static_cast<int>(args.size());
  benchmark::Initialize(&arg_count, args.data());
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nmedians of the repetitions:\n");
  const std::string base = "BM_SimdjsonRawParse";
  for (const auto& [name, rate] : reporter.bytes_per_second) {
    if (name == base || reporter.bytes_per_second.count(base) == 0) continue;
    std::printf("%-36s %8.1f MB/s %10.0f events/s  %.2fx raw simdjson\n", name.c_str(), rate / 1e6,
                reporter.items_per_second[name], rate / reporter.bytes_per_second[base]);
  }
  if (reporter.bytes_per_second.count(base)) {
    std::printf("%-36s %8.1f MB/s %10.0f events/s  (baseline)\n", base.c_str(), reporter.bytes_per_second[base] / 1e6,
                reporter.items_per_second[base]);
  }
  benchmark::Shutdown();
  return 0;
}
