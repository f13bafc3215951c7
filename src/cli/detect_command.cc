// hydraguard detect: find campaigns in API logs; write verdicts and campaigns.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "engine/config.h"
#include "engine/engine.h"
#include "engine/pipeline.h"
#include "engine/report.h"
#include "ingest/event_reader.h"
#include "io/output_file.h"
#include "netinfo/network_lists.h"

namespace hydraguard::cli {
namespace {

struct DetectArgs {
  std::vector<std::string> files;
  std::string verdicts, campaigns;
  EngineOptions engine;
  bool print_config = false;
  bool quiet = false;
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "hydraguard detect: %s\n", std::string(status.message()).c_str());
  return kExitIoError;
}

int RunDetect(const DetectArgs& args) {
  if (args.print_config) {
    std::fputs(engine::DefaultConfigYaml().c_str(), stdout);
    return kExitOk;
  }
  if (args.files.empty()) return Fail(absl::InvalidArgumentError("no input files (give EVENTS... or - for stdin)"));
  EngineSetup setup;
  if (absl::Status status = SetUpEngine(args.engine, &setup); !status.ok()) return Fail(status);
  ingest::BadInputLog bad_input(stderr);
  ingest::EventReader reader(args.files, setup.read_options, &setup.interners, &bad_input);
  absl::Status read = engine::FeedEngine(reader, *setup.engine);
  if (!read.ok()) {
    std::fprintf(stderr, "hydraguard detect: stopped at the first bad input (--strict)\n");
    return kExitStrictStop;
  }
  engine::Detection detection = setup.engine->Detect();
  if (!args.verdicts.empty()) {
    if (absl::Status status =
            engine::WriteVerdicts(args.verdicts, detection, setup.engine->features(), setup.interners);
        !status.ok())
      return Fail(status);
  }
  if (!args.campaigns.empty()) {
    if (absl::Status status = io::WriteFile(args.campaigns, engine::CampaignsJson(detection, setup.interners));
        !status.ok()) {
      return Fail(status);
    }
  }
  if (!args.quiet) {
    std::fputs(engine::SummaryText(detection).c_str(), stdout);
    if (bad_input.bad_lines() > 0) {
      std::printf("bad lines skipped: %llu\n", static_cast<unsigned long long>(bad_input.bad_lines()));
    }
  }
  if (bad_input.unreadable_files() > 0) {
    std::fprintf(stderr, "hydraguard detect: %llu input file(s) could not be read\n",
                 static_cast<unsigned long long>(bad_input.unreadable_files()));
    return kExitIoError;
  }
  return kExitOk;
}

}  // namespace

void RegisterDetectCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DetectArgs>();
  CLI::App* command = app.add_subcommand(
      "detect", "Find distillation campaigns in API logs: verdicts per account, campaigns with evidence");
  command->add_option("events", args->files, "Event files (JSONL, .zst, - for stdin)");
  command->add_option("--verdicts", args->verdicts, "Write one verdict per account here (JSONL)");
  command->add_option("--campaigns", args->campaigns, "Write the campaigns found here (JSON)");
  AddEngineOptions(command, &args->engine);
  command->add_flag("--print-config", args->print_config, "Print the default config with every signal, and exit");
  command->add_flag("--quiet", args->quiet, "No summary on stdout");
  command->callback([args, exit_code] { *exit_code = RunDetect(*args); });
}

}  // namespace hydraguard::cli
