// hydraguard gen-sample : a small synthetic log for demos, tests, benchmarks.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "sim/sample_log.h"

namespace hydraguard::cli {

void RegisterGenSampleCommand(CLI::App& app, int* exit_code) {
  struct Args {
    sim::SampleLogOptions options;
    std::string out = "-";
  };
  auto args = std::make_shared<Args>();
  CLI::App* command = app.add_subcommand(
      "gen-sample", "Write a small synthetic event log (no campaigns; for demos, tests and benchmarks)");
  command->add_option("--out", args->out, "Output path (.zst compresses; - is stdout)")->capture_default_str();
  command->add_option("--events", args->options.events, "Good events")->capture_default_str();
  command->add_option("--accounts", args->options.accounts, "Accounts (0: events/20)")->capture_default_str();
  command->add_option("--bad-lines", args->options.bad_lines, "Bad lines mixed in")->capture_default_str();
  command->add_option("--prompt-bytes", args->options.prompt_bytes, "Mean prompt length (0: metadata only)")
      ->capture_default_str();
  command->add_option("--seed", args->options.seed, "Random seed")->capture_default_str();
  command->callback([args, exit_code] {
    absl::Status status = sim::WriteSampleLog(args->options, args->out);
    if (!status.ok()) {
      std::fprintf(stderr, "hydraguard gen-sample: %s\n", std::string(status.message()).c_str());
      *exit_code = kExitIoError;
      return;
    }
    *exit_code = kExitOk;
  });
}

}  // namespace hydraguard::cli
