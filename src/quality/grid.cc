#include "quality/grid.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>

#include "engine/config.h"
#include "engine/engine.h"
#include "engine/pipeline.h"
#include "fmt/format.h"
#include "ingest/event_reader.h"
#include "io/output_file.h"
#include "netinfo/network_lists.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace hydraguard::quality {
namespace {

void Progress(const GridOptions& options, std::string_view line) {
  if (options.progress) options.progress(line);
}

absl::Status SimulateSeed(const GridOptions& options, uint64_t seed, bool eval_seed, const std::string& events_path,
                          const std::string& truth_path, uint64_t* events) {
  absl::StatusOr<sim::Scenario> scenario = sim::MakeScenario("redteam", options.scale, seed, options.campaigns);
  if (!scenario.ok()) return scenario.status();
  sim::SimulateOptions simulate{.seed = seed,
                                .prompts_dir = options.prompts_dir,
                                .prompt_split = eval_seed ? sim::PromptSplit::kEval : sim::PromptSplit::kTune,
                                .netlists_dir = options.netlists_dir};
  absl::StatusOr<std::unique_ptr<io::OutputFile>> events_out = io::OutputFile::Open(events_path, {.zstd_level = 1});
  if (!events_out.ok()) return events_out.status();
  absl::StatusOr<std::unique_ptr<io::OutputFile>> truth_out = io::OutputFile::Open(truth_path);
  if (!truth_out.ok()) return truth_out.status();
  absl::StatusOr<sim::SimulationSummary> summary =
      sim::Simulate(*scenario, simulate, events_out->get(), truth_out->get());
  if (!summary.ok()) return summary.status();
  *events = summary->events;
  if (absl::Status closed = (*events_out)->Close(); !closed.ok()) return closed;
  return (*truth_out)->Close();
}

// Replays the log through a fresh engine (enforcing as it goes), then takes
// the engine's end-of-log verdicts, which equal batch detection.
absl::StatusOr<ModeRun> RunMode(const std::string& events_path, const eval::Truth& truth,
                                const netinfo::NetworkLists* lists, engine::EngineConfig config, bool use_text) {
  if (!use_text) config.use_text = 0;
  ingest::Interners interners;
  absl::StatusOr<std::unique_ptr<engine::Engine>> engine = engine::Engine::Create(config, lists, &interners);
  if (!engine.ok()) return engine.status();
  replay::EngineVerdicts verdict_source(engine->get());
  replay::Replayer replayer(&verdict_source, truth, &interners, replay::ReplayOptions{});
  ingest::BadInputLog bad_input(stderr);
  ingest::ReadOptions read_options;
  read_options.not_interned = engine::Engine::kUnusedIdFields;
  ingest::EventReader reader({events_path}, read_options, &interners, &bad_input);
  absl::Status read = engine::FeedEvents(reader, [&](const ingest::Event& event) { replayer.Process(event); });
  if (!read.ok()) return read;
  if (bad_input.bad_lines() > 0 || bad_input.unreadable_files() > 0) {
    return absl::DataLossError(fmt::format("{}: {} bad lines, {} unreadable files in the simulator's own output",
                                           events_path, bad_input.bad_lines(), bad_input.unreadable_files()));
  }
  ModeRun run;
  run.replay = replayer.Finish();
  engine::Detection detection = (*engine)->Detect();
  eval::Verdicts verdicts;
  std::map<std::string, uint64_t> requests;  // the replay gives the engine every request, refused or not
  const engine::AccountFeatureTable& features = (*engine)->features();
  for (const engine::AccountVerdict& verdict : detection.verdicts) {
    std::string name(interners.account.Name(verdict.account));
    if (verdict.account < features.size()) requests[name] = features.Get(verdict.account).events;
    verdicts[std::move(name)] = {verdict.action, verdict.score,
                                 verdict.campaign >= 0 ? fmt::format("c{}", verdict.campaign) : "", verdict.since_ms};
  }
  run.evaluation = eval::Evaluate(truth, verdicts);
  run.baseline = VolumeBaseline(truth, requests, run.evaluation.false_positive_rate.hits);
  return run;
}

}  // namespace

Baseline VolumeBaseline(const eval::Truth& truth, const std::map<std::string, uint64_t>& requests,
                        uint64_t engine_honest_flagged) {
  auto count_of = [&](const std::string& account) -> uint64_t {
    auto found = requests.find(account);
    return found == requests.end() ? 0 : found->second;
  };
  std::vector<uint64_t> honest;
  for (const auto& [account, entry] : truth) {
    if (!entry.campaign) honest.push_back(count_of(account));
  }
  std::sort(honest.begin(), honest.end(), std::greater<>());
  Baseline baseline;
  // Flag counts above the (k+1)-th largest honest count: at most k honest accounts.
  baseline.threshold = engine_honest_flagged < honest.size() ? honest[engine_honest_flagged] + 1 : 1;
  for (uint64_t count : honest) baseline.honest_flagged += count >= baseline.threshold;
  for (const auto& [account, entry] : truth) {
    if (!entry.campaign) continue;
    bool flagged = count_of(account) >= baseline.threshold;
    eval::Rate& campaign = baseline.by_campaign[entry.campaign_id];
    ++campaign.total;
    campaign.hits += flagged;
    for (const auto& [axis, value] : entry.strategy) {
      eval::Rate& rate = baseline.by_strategy[axis][value];
      ++rate.total;
      rate.hits += flagged;
    }
  }
  return baseline;
}

absl::StatusOr<GridResult> RunGrid(const GridOptions& options) {
  if (options.work_dir.empty()) return absl::InvalidArgumentError("quality grid: a work directory is required");
  if (options.eval_seeds.empty()) return absl::InvalidArgumentError("quality grid: at least one eval seed is required");
  std::set<uint64_t> tune(options.tune_seeds.begin(), options.tune_seeds.end());
  for (uint64_t seed : options.eval_seeds) {
    if (tune.contains(seed)) {
      return absl::InvalidArgumentError(
          fmt::format("quality grid: seed {} is both a tune and an eval seed (the lists must be disjoint)", seed));
    }
  }
  std::error_code error;
  std::filesystem::create_directories(options.work_dir, error);
  if (error) return absl::InternalError(fmt::format("{}: {}", options.work_dir, error.message()));
  std::optional<netinfo::NetworkLists> lists;
  if (!options.netlists_dir.empty()) {
    absl::StatusOr<netinfo::NetworkLists> loaded = netinfo::NetworkLists::LoadDirectory(options.netlists_dir);
    if (!loaded.ok()) return loaded.status();
    lists = *std::move(loaded);
  }
  engine::EngineConfig config;
  if (!options.config_path.empty()) {
    absl::StatusOr<engine::EngineConfig> loaded = engine::LoadConfig(options.config_path);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  }
  GridResult result;
  result.options = options;
  std::vector<std::pair<uint64_t, bool>> seeds;
  for (uint64_t seed : options.tune_seeds) seeds.emplace_back(seed, false);
  for (uint64_t seed : options.eval_seeds) seeds.emplace_back(seed, true);
  for (auto [seed, eval_seed] : seeds) {
    SeedRun run{.seed = seed, .eval_seed = eval_seed};
    std::string base = fmt::format("{}/redteam-{}", options.work_dir, seed);
    std::string events_path = base + ".jsonl.zst", truth_path = base + ".truth.jsonl";
    Progress(options, fmt::format("seed {} ({}): simulate", seed, eval_seed ? "eval" : "tune"));
    if (absl::Status status = SimulateSeed(options, seed, eval_seed, events_path, truth_path, &run.events);
        !status.ok()) {
      return status;
    }
    ingest::BadInputLog bad_input(stderr);
    absl::StatusOr<eval::Truth> truth = eval::ReadTruth(truth_path, &bad_input);
    if (!truth.ok()) return truth.status();
    for (bool use_text : {true, false}) {
      Progress(options, fmt::format("seed {}: replay and detect, {}", seed, use_text ? "with text" : "metadata only"));
      absl::StatusOr<ModeRun> mode = RunMode(events_path, *truth, lists ? &*lists : nullptr, config, use_text);
      if (!mode.ok()) return mode.status();
      (use_text ? run.text : run.no_text) = *std::move(mode);
    }
    result.runs.push_back(std::move(run));
  }
  return result;
}

}  // namespace hydraguard::quality
