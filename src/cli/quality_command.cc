// hydraguard quality: the red-team grid (tune and eval seeds, with and
// without text, detect + eval + replay) and QUALITY.md from it.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "fmt/format.h"
#include "io/output_file.h"
#include "quality/grid.h"
#include "quality/report.h"

namespace hydraguard::cli {
namespace {

struct QualityArgs {
  quality::GridOptions grid;
  std::string out = "QUALITY.md", tune_out;
  std::string json_out, baseline;
  std::string machine;
  bool quiet = false;
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "hydraguard quality: %s\n", std::string(status.message()).c_str());
  return kExitIoError;
}

std::string Today() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof(text), "%Y-%m-%d", &utc);
  return text;
}

std::string SeedList(const std::vector<uint64_t>& seeds) {
  std::string out;
  for (uint64_t seed : seeds) out += (out.empty() ? "" : ",") + std::to_string(seed);
  return out;
}

int RunQuality(QualityArgs& args) {
  std::optional<quality::Figures> before;
  if (!args.baseline.empty()) {  // read first: it may be the file this run replaces
    absl::StatusOr<quality::Figures> loaded = quality::ReadFiguresJson(args.baseline);
    if (!loaded.ok()) return Fail(loaded.status());
    before = *std::move(loaded);
  }
  if (!args.quiet)
    args.grid.progress = [](std::string_view line) { std::fprintf(stderr, "%.*s\n", int(line.size()), line.data()); };
  auto begin = std::chrono::steady_clock::now();
  absl::StatusOr<quality::GridResult> grid = quality::RunGrid(args.grid);
  if (!grid.ok()) return Fail(grid.status());
  const quality::GridOptions& o = args.grid;
  quality::ReportContext context{
      .command = fmt::format("hydraguard quality --scale {} --campaigns {} --tune-seeds {} --eval-seeds {}{}{}{}",
                             o.scale, o.campaigns, SeedList(o.tune_seeds), SeedList(o.eval_seeds),
                             o.config_path.empty() ? "" : " --config " + o.config_path,
                             o.prompts_dir.empty() ? "" : " --prompts " + o.prompts_dir,
                             o.netlists_dir.empty() ? "" : " --netlists " + o.netlists_dir),
      .machine = args.machine.empty() ? "not given (--machine)" : args.machine,
      .date = Today(),
      .seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count()};
  quality::Figures figures;
  std::string markdown =
      quality::QualityMarkdown(*grid, /*eval_seeds=*/true, context, before ? &*before : nullptr, &figures);
  if (absl::Status status = io::WriteFile(args.out, markdown); !status.ok()) return Fail(status);
  if (!args.json_out.empty()) {
    if (absl::Status status = io::WriteFile(args.json_out, quality::FiguresJson(figures)); !status.ok()) {
      return Fail(status);
    }
  }
  std::string tune_out = args.tune_out.empty() ? o.work_dir + "/TUNE.md" : args.tune_out;
  if (!o.tune_seeds.empty()) {
    if (absl::Status status = io::WriteFile(tune_out, quality::QualityMarkdown(*grid, /*eval_seeds=*/false, context));
        !status.ok()) {
      return Fail(status);
    }
  }
  if (!args.quiet) {
    std::printf("eval seeds: %s\n", args.out.c_str());
    if (!o.tune_seeds.empty()) std::printf("tune seeds: %s\n", tune_out.c_str());
    std::printf("grid took %.0f s\n", context.seconds);
  }
  return kExitOk;
}

}  // namespace

void RegisterQualityCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<QualityArgs>();
  CLI::App* command = app.add_subcommand(
      "quality",
      "Run the red-team grid (tune and eval seeds; detect, eval and replay with and without text) and write "
      "QUALITY.md (eval seeds) and a tune-seed report");
  command->add_option("--tune-seeds", args->grid.tune_seeds, "Seeds defaults may be chosen on (comma-separated)")
      ->delimiter(',');
  command->add_option("--eval-seeds", args->grid.eval_seeds, "Seeds quality is reported on (disjoint from tune)")
      ->delimiter(',')
      ->required();
  command->add_option("--scale", args->grid.scale, "Scenario scale")->capture_default_str();
  command->add_option("--campaigns", args->grid.campaigns, "Campaigns per seed")->capture_default_str();
  command->add_option("--work", args->grid.work_dir, "Directory for the simulated logs")->required();
  command->add_option("--out", args->out, "The eval-seed report (QUALITY.md)")->capture_default_str();
  command->add_option("--tune-out", args->tune_out, "The tune-seed report (default WORK/TUNE.md)");
  command->add_option("--json", args->json_out, "Also write the eval-seed figures here (e.g. QUALITY.json)");
  command->add_option("--baseline", args->baseline,
                      "A previous run's --json: QUALITY.md shows each main rate beside its earlier value");
  command->add_option("--prompts", args->grid.prompts_dir, "Prompt pools (e.g. ../shared/data/prompts)");
  command->add_option("--netlists", args->grid.netlists_dir, "Datacenter/VPN lists (e.g. ../shared/data/netlists)");
  command->add_option("--config", args->grid.config_path,
                      "Detection config (YAML) to measure instead of the defaults; choose it on tune seeds");
  command->add_option("--machine", args->machine, "The machine, for the report (e.g. \"2 cores AMD EPYC\")");
  command->add_flag("--quiet", args->quiet, "No progress on stderr");
  command->callback([args, exit_code] { *exit_code = RunQuality(*args); });
}

}  // namespace hydraguard::cli
