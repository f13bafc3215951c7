// hydraguard stats FILE... : what is in a log.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "ingest/event_reader.h"
#include "stats/event_stats.h"

namespace hydraguard::cli {
namespace {

struct StatsArgs {
  std::vector<std::string> files;
  bool strict = false;
  bool json = false;
};

int RunStats(const StatsArgs& args) {
  ingest::Interners interners;
  ingest::BadInputLog bad_input(stderr);
  ingest::ReadCounters counters;
  stats::StatsCollector collector;
  ingest::ReadOptions options;
  options.strict = args.strict;
  absl::Status status = ingest::ReadEvents(args.files, options, &interners, &bad_input, &counters,
                                           [&collector](const ingest::Event& event) { collector.Add(event); });
  if (!status.ok()) {
    std::fprintf(stderr, "hydraguard stats: stopped at the first bad input (--strict)\n");
    return kExitStrictStop;
  }
  stats::EventStats result = collector.Finish(interners);
  std::string report = args.json ? stats::FormatStatsJson(result, counters, bad_input)
                                 : stats::FormatStatsText(result, counters, bad_input);
  std::fputs(report.c_str(), stdout);
  if (bad_input.unreadable_files() > 0) {
    std::fprintf(stderr, "hydraguard stats: %llu input file(s) could not be read completely\n",
                 static_cast<unsigned long long>(bad_input.unreadable_files()));
    return kExitIoError;
  }
  return kExitOk;
}

}  // namespace

void RegisterStatsCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* command = app.add_subcommand("stats", "Summarize event logs: volumes, identities, time range, bad lines");
  command->add_option("files", args->files, "Event logs (JSONL, .zst, or - for stdin)")->required();
  command->add_flag("--strict", args->strict, "Stop with exit status 2 at the first bad line");
  command->add_flag("--json", args->json, "Print the figures as one JSON object");
  command->callback([args, exit_code] { *exit_code = RunStats(*args); });
}

}  // namespace hydraguard::cli
