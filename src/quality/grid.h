// Quality grid: runs the red-team scenario for a list of tune seeds and a
// disjoint list of eval seeds, and for each run detection with and without
// text, evaluation against the truth, replay with enforcement, and a volume
// baseline at the engine's false-positive count. report.h turns the result
// into QUALITY.md.
//
//   GridOptions options{.scale = 0.1, .tune_seeds = {1, 2}, .eval_seeds = {101, 102},
//                       .work_dir = "build/quality"};
//   absl::StatusOr<GridResult> grid = RunGrid(options);
//
// The rule the grid enforces by construction: tune seeds draw tune-split
// prompts and eval seeds eval-split prompts (sim/prompts.h), and a seed may
// not be in both lists. Defaults are chosen on tune seeds; QUALITY.md
// reports eval seeds.
#ifndef HYDRAGUARD_QUALITY_GRID_H_
#define HYDRAGUARD_QUALITY_GRID_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "eval/evaluation.h"
#include "replay/replay.h"

namespace hydraguard::quality {

struct GridOptions {
  double scale = 0.1;
  int campaigns = 8;  // per seed
  std::vector<uint64_t> tune_seeds, eval_seeds;
  std::string prompts_dir;                         // "" = built-in prompt generators only
  std::string netlists_dir;                        // "" = built-in ranges (simulator) and none (engine)
  std::string work_dir;                            // events and truth are written here (REQUIRES: non-empty)
  std::string config_path;                         // detection config (YAML); "" = the defaults
  std::function<void(std::string_view)> progress;  // one line per step; may be empty
};

// A per-account request-count threshold set on the log's honest accounts so
// that it flags no more of them than the engine did; what it catches is what
// volume alone would have caught at the engine's false-positive level.
struct Baseline {
  uint64_t threshold = 0;  // accounts with at least this many requests are flagged
  uint64_t honest_flagged = 0;
  std::map<std::string, eval::Rate> by_campaign;
  std::map<std::string, std::map<std::string, eval::Rate>> by_strategy;  // axis -> value
};

// One seed in one mode (text or metadata-only).
struct ModeRun {
  eval::Evaluation evaluation;  // verdicts at the end of the log
  replay::ReplayResult replay;
  Baseline baseline;
};

struct SeedRun {
  uint64_t seed = 0;
  bool eval_seed = false;
  uint64_t events = 0;
  ModeRun text, no_text;
};

struct GridResult {
  GridOptions options;
  std::vector<SeedRun> runs;  // tune seeds first, then eval seeds, each in the order given
};

absl::StatusOr<GridResult> RunGrid(const GridOptions& options);

// The baseline for one log: `requests` per truth account, the engine having
// flagged `engine_honest_flagged` honest accounts. Ties at the threshold are
// left unflagged, so the baseline never flags more honest accounts than the
// engine.
Baseline VolumeBaseline(const eval::Truth& truth, const std::map<std::string, uint64_t>& requests,
                        uint64_t engine_honest_flagged);

}  // namespace hydraguard::quality

#endif  // HYDRAGUARD_QUALITY_GRID_H_
