// hydraguard replay: feed a log through the engine as if live, with
// enforcement, and measure leakage, containment and honest collateral.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "engine/pipeline.h"
#include "engine/report.h"
#include "eval/evaluation.h"
#include "fmt/format.h"
#include "io/output_file.h"
#include "replay/replay.h"
#include "replay/report.h"

namespace hydraguard::cli {
namespace {

struct ReplayArgs {
  std::vector<std::string> files;
  std::string truth, report_dir, verdicts;
  std::string rescore = "1h", throttle = "1m";
  EngineOptions engine;
  bool quiet = false;
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "hydraguard replay: %s\n", std::string(status.message()).c_str());
  return kExitIoError;
}

// Batch detection over the same engine, compared account by account with
// the incremental verdicts; optionally written as verdicts.jsonl.
absl::Status CheckAgainstBatch(const engine::Engine& engine, const engine::Rescorer& rescorer,
                               const ingest::Interners& interners, const std::string& verdicts_path) {
  engine::Detection detection = engine.Detect();
  uint64_t accounts = 0, differ = 0;
  for (const engine::AccountVerdict& verdict : detection.verdicts) {
    if (engine.features().Get(verdict.account).events == 0) continue;
    ++accounts;
    differ += rescorer.action(verdict.account) != verdict.action;
  }
  if (differ > 0) {
    return absl::InternalError(
        fmt::format("incremental verdicts differ from batch detection for {} of {} accounts (a bug: please report it)",
                    differ, accounts));
  }
  std::printf("end of log: the incremental verdicts equal batch detection for all %llu accounts (%zu campaigns)\n",
              static_cast<unsigned long long>(accounts), detection.campaigns.size());
  if (verdicts_path.empty()) return absl::OkStatus();
  return engine::WriteVerdicts(verdicts_path, detection, engine.features(), interners);
}

int RunReplay(const ReplayArgs& args) {
  if (args.files.empty()) return Fail(absl::InvalidArgumentError("no input files (give EVENTS... or - for stdin)"));
  std::optional<int64_t> rescore_ms = replay::ParseDuration(args.rescore);
  std::optional<int64_t> throttle_ms = replay::ParseDuration(args.throttle);
  if (!rescore_ms || !throttle_ms) {
    return Fail(absl::InvalidArgumentError(
        fmt::format("--rescore {} / --throttle {}: want a positive duration such as 1h, 30m, 90s, 1d", args.rescore,
                    args.throttle)));
  }
  ingest::BadInputLog bad_input(stderr);
  absl::StatusOr<eval::Truth> truth = eval::ReadTruth(args.truth, &bad_input);
  if (!truth.ok()) return Fail(truth.status());
  EngineSetup setup;
  if (absl::Status status = SetUpEngine(args.engine, &setup); !status.ok()) return Fail(status);

  auto begin = std::chrono::steady_clock::now();
  replay::EngineVerdicts verdicts(setup.engine.get());
  replay::Replayer replayer(&verdicts, *truth, &setup.interners,
                            {.rescore_ms = *rescore_ms, .throttle_ms = *throttle_ms});
  ingest::EventReader reader(args.files, setup.read_options, &setup.interners, &bad_input);
  absl::Status read = engine::FeedEvents(reader, [&](const ingest::Event& event) { replayer.Process(event); });
  if (!read.ok()) {
    std::fprintf(stderr, "hydraguard replay: stopped at the first bad input (--strict)\n");
    return kExitStrictStop;
  }
  replay::ReplayResult result = replayer.Finish();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (!args.quiet) {
    std::fputs(replay::ReplayReportText(result).c_str(), stdout);
    std::printf("\nreplay took %.1f s\n", seconds);
  }
  if (absl::Status status = CheckAgainstBatch(*setup.engine, verdicts.rescorer(), setup.interners, args.verdicts);
      !status.ok()) {
    return Fail(status);
  }
  if (!args.report_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(args.report_dir, error);
    if (error) return Fail(absl::InternalError(fmt::format("{}: {}", args.report_dir, error.message())));
    for (const auto& [name, contents] :
         {std::pair<std::string, std::string>{"report.json", replay::ReplayReportJson(result)},
          {"report.html", replay::ReplayReportHtml(result)}}) {
      if (absl::Status status = io::WriteFile(args.report_dir + "/" + name, contents); !status.ok()) {
        return Fail(status);
      }
    }
    if (!args.quiet)
      std::printf("report: %s/report.html, %s/report.json\n", args.report_dir.c_str(), args.report_dir.c_str());
  }
  if (bad_input.bad_lines() > 0 && !args.quiet) {
    std::printf("bad lines skipped: %llu\n", static_cast<unsigned long long>(bad_input.bad_lines()));
  }
  if (bad_input.unreadable_files() > 0) {
    std::fprintf(stderr, "hydraguard replay: %llu input file(s) could not be read\n",
                 static_cast<unsigned long long>(bad_input.unreadable_files()));
    return kExitIoError;
  }
  return kExitOk;
}

}  // namespace

void RegisterReplayCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* command = app.add_subcommand(
      "replay",
      "Replay a log in time order as if live, refusing flagged accounts from the moment they are flagged: "
      "what each campaign got before it was contained, what honest traffic lost");
  command->add_option("events", args->files, "Event files in time order (JSONL, .zst, - for stdin)");
  command->add_option("--truth", args->truth, "Ground truth JSONL (from hydraguard simulate)")->required();
  command->add_option("--rescore", args->rescore, "Bring verdicts up to date every this much event time (1h)");
  command->add_option("--throttle", args->throttle, "A throttled account gets one request per this (1m)");
  command->add_option("--report", args->report_dir, "Write report.html and report.json into this directory");
  command->add_option("--verdicts", args->verdicts, "Write the verdicts at the end of the log here (JSONL)");
  AddEngineOptions(command, &args->engine);
  command->add_flag("--quiet", args->quiet, "No tables on stdout");
  command->callback([args, exit_code] { *exit_code = RunReplay(*args); });
}

}  // namespace hydraguard::cli
