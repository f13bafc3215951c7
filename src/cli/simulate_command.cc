// hydraguard simulate: realistic API traffic with campaigns, and the truth.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "fmt/format.h"
#include "io/output_file.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace hydraguard::cli {
namespace {

struct SimulateArgs {
  std::string scenario = "mixed";
  double scale = 0.01;
  sim::SimulateOptions options;
  std::string out, truth;
  std::vector<std::string> mechanics;
  std::string prompt_split = "all";
  int campaigns = 8;
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "hydraguard simulate: %s\n", std::string(status.message()).c_str());
  return kExitIoError;
}

int RunSimulate(SimulateArgs& args) {
  absl::StatusOr<sim::Scenario> scenario =
      sim::MakeScenario(args.scenario, args.scale, args.options.seed, args.campaigns);
  if (!scenario.ok()) return Fail(scenario.status());
  std::optional<sim::PromptSplit> split = sim::ParsePromptSplit(args.prompt_split);
  if (!split) {
    return Fail(
        absl::InvalidArgumentError(fmt::format("--prompt-split: \"{}\" is not tune, eval or all", args.prompt_split)));
  }
  args.options.prompt_split = *split;
  for (const std::string& setting : args.mechanics) {
    if (absl::Status applied = sim::ApplyMechanicSwitch(setting, &*scenario); !applied.ok()) return Fail(applied);
  }
  std::unique_ptr<io::OutputFile> events, truth;
  if (!args.options.count_only) {
    if (args.out.empty() || args.truth.empty()) {
      return Fail(absl::InvalidArgumentError("--out and --truth are required (or --count-only)"));
    }
    // Level 1: the simulator's output is large and written once.
    absl::StatusOr<std::unique_ptr<io::OutputFile>> opened = io::OutputFile::Open(args.out, {.zstd_level = 1});
    if (!opened.ok()) return Fail(opened.status());
    events = *std::move(opened);
    opened = io::OutputFile::Open(args.truth);
    if (!opened.ok()) return Fail(opened.status());
    truth = *std::move(opened);
  }
  absl::StatusOr<sim::SimulationSummary> summary = sim::Simulate(*scenario, args.options, events.get(), truth.get());
  if (!summary.ok()) return Fail(summary.status());
  for (io::OutputFile* file : {events.get(), truth.get()}) {
    if (file == nullptr) continue;
    if (absl::Status closed = file->Close(); !closed.ok()) return Fail(closed);
  }
  std::FILE* report = args.out == "-" ? stderr : stdout;
  std::fputs(sim::FormatSummary(*summary).c_str(), report);
  return kExitOk;
}

}  // namespace

void RegisterSimulateCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* command = app.add_subcommand(
      "simulate", "Generate API traffic with distillation campaigns inside honest traffic, plus ground truth");
  command
      ->add_option("--scenario", args->scenario,
                   "alibaba-2026, feb-2026, mixed, honest, or redteam (campaigns drawn from the attacker strategy "
                   "space, with honest look-alikes)")
      ->capture_default_str();
  command->add_option("--campaigns", args->campaigns, "redteam: how many campaigns to draw (strategies from --seed)")
      ->capture_default_str();
  command->add_option("--scale", args->scale, "1 = the reported sizes (tens of millions of events)")
      ->capture_default_str();
  command->add_option("--seed", args->options.seed, "Random seed (same seed, same output)")->capture_default_str();
  command->add_option("--out", args->out, "Events, schema v1 JSONL (.zst compresses; - is stdout)");
  command->add_option("--truth", args->truth, "Ground truth: one JSON line per account");
  command->add_option("--prompts", args->options.prompts_dir, "Prompt pools (e.g. ../shared/data/prompts)");
  command
      ->add_option("--prompt-split", args->prompt_split,
                   "Draw prompts from one half of every source: tune (fit models and thresholds on it), eval "
                   "(report quality on it), or all")
      ->capture_default_str();
  command->add_option("--netlists", args->options.netlists_dir, "Datacenter/VPN lists (e.g. ../shared/data/netlists)");
  command->add_option("--mechanic", args->mechanics,
                      "Switch a campaign mechanic, NAME=on|off (repeatable): proxy, rotate_per_request, churn, "
                      "signup_bursts, shared_payment, templates, paraphrase, chain_of_thought, agentic_trajectories, "
                      "spread_volume, synchronized, pivot, ua_mimicry");
  command->add_flag("--count-only", args->options.count_only,
                    "Run the schedule and print the summary without writing events");
  command->callback([args, exit_code] { *exit_code = RunSimulate(*args); });
}

}  // namespace hydraguard::cli
