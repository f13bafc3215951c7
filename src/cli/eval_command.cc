// hydraguard eval: score verdicts against ground truth.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "eval/evaluation.h"
#include "io/output_file.h"

namespace hydraguard::cli {
namespace {

struct EvalArgs {
  std::string truth, verdicts, json;
  size_t max_listed = 20;
  bool strict = false;
};

int RunEval(const EvalArgs& args) {
  ingest::BadInputLog bad_input(stderr);
  absl::StatusOr<eval::Truth> truth = eval::ReadTruth(args.truth, &bad_input);
  absl::StatusOr<eval::Verdicts> verdicts =
      truth.ok() ? eval::ReadVerdicts(args.verdicts, &bad_input) : absl::StatusOr<eval::Verdicts>(truth.status());
  if (!verdicts.ok()) {
    std::fprintf(stderr, "hydraguard eval: %s\n", std::string(verdicts.status().message()).c_str());
    return kExitIoError;
  }
  if (args.strict && bad_input.bad_lines() > 0) {
    std::fprintf(stderr, "hydraguard eval: %llu bad line(s) (--strict)\n",
                 static_cast<unsigned long long>(bad_input.bad_lines()));
    return kExitStrictStop;
  }
  eval::Evaluation result = eval::Evaluate(*truth, *verdicts);
  std::fputs(eval::FormatEvaluationTable(result, args.max_listed).c_str(), stdout);
  if (bad_input.bad_lines() > 0) {
    std::printf("bad lines skipped: %llu\n", static_cast<unsigned long long>(bad_input.bad_lines()));
  }
  if (!args.json.empty()) {
    absl::Status written = io::WriteFile(args.json, eval::FormatEvaluationJson(result));
    if (!written.ok()) {
      std::fprintf(stderr, "hydraguard eval: %s\n", std::string(written.message()).c_str());
      return kExitIoError;
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterEvalCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* command = app.add_subcommand(
      "eval", "Score verdicts against ground truth: recall, precision, false-positive rate by segment, per campaign");
  command->add_option("--truth", args->truth, "Ground truth JSONL (from hydraguard simulate)")->required();
  command->add_option("--verdicts", args->verdicts, "Verdicts JSONL (from hydraguard detect)")->required();
  command->add_option("--json", args->json, "Also write every figure and account list as JSON here");
  command->add_option("--list", args->max_listed, "Accounts listed per list in the table")->capture_default_str();
  command->add_flag("--strict", args->strict, "Exit with status 2 if any input line is bad");
  command->callback([args, exit_code] { *exit_code = RunEval(*args); });
}

}  // namespace hydraguard::cli
