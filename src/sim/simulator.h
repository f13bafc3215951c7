// Simulate: writes a scenario's API traffic as schema v1 events, in time
// order, plus the ground truth (one line per account that sent anything).
//
//   absl::StatusOr<Scenario> scenario = MakeScenario("mixed", 0.01);
//   SimulateOptions options{.seed = 7};
//   absl::StatusOr<SimulationSummary> summary =
//       Simulate(*scenario, options, events_out.get(), truth_out.get());
//
// Streaming: memory grows with the number of accounts active at once, never
// with the number of events. Deterministic: the same scenario, scale, seed
// and prompt pools give byte-identical output.
#ifndef HYDRAGUARD_SIM_SIMULATOR_H_
#define HYDRAGUARD_SIM_SIMULATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "io/output_file.h"
#include "sim/prompts.h"
#include "sim/scenario.h"

namespace hydraguard::sim {

struct SimulateOptions {
  uint64_t seed = 1;
  std::string prompts_dir;                       // "" = built-in prompt generators only
  PromptSplit prompt_split = PromptSplit::kAll;  // which half of every prompt source (prompts.h)
  std::string netlists_dir;                      // "" = built-in cloud/VPN ranges
  // Run the whole schedule (times, accounts, conversations) but build no
  // text and write nothing: for totals at full scale in seconds.
  bool count_only = false;
};

struct GroupSummary {
  std::string name;
  bool campaign = false;
  uint64_t accounts = 0;  // accounts that sent at least one request
  uint64_t events = 0;
  uint64_t input_tokens = 0;
  uint64_t output_tokens = 0;
  double account_days = 0;    // sum of the active spans (days) of accounts that sent anything
  uint64_t distinct_ips = 0;  // distinct source IPs
  uint64_t payments = 0;      // distinct payment instruments
  uint64_t events_after_release = 0;
  uint64_t events_on_new_model_after_release = 0;
};

struct SimulationSummary {
  std::string scenario;
  double scale = 1;
  uint64_t seed = 1;
  uint64_t events = 0;
  int64_t first_ts_ms = 0, last_ts_ms = 0;
  std::vector<GroupSummary> groups;
};

// `events` and `truth` may be null when options.count_only.
absl::StatusOr<SimulationSummary> Simulate(const Scenario& scenario, const SimulateOptions& options,
                                           io::OutputFile* events, io::OutputFile* truth);

// A table of accounts and events per segment and campaign.
std::string FormatSummary(const SimulationSummary& summary);

// Model names the simulator uses; the new one is released at
// Scenario::model_release_ms.
inline constexpr const char* kNewModel = "model-large-2026-02";

}  // namespace hydraguard::sim

#endif  // HYDRAGUARD_SIM_SIMULATOR_H_
