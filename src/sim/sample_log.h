// SampleLog writes a small synthetic schema v1 log: plausible accounts, IPs,
// endpoints, models and prompt text, plus (optionally) a known number of bad
// lines of every kind. It feeds `make demo`, the ingest tests and the ingest
// benchmark. It is NOT the traffic simulator (no campaigns, no ground truth).
//
//   SampleLogOptions options;
//   options.events = 5000;
//   options.bad_lines = 7;
//   absl::Status written = WriteSampleLog(options, "sample.jsonl.zst");
#ifndef HYDRAGUARD_SIM_SAMPLE_LOG_H_
#define HYDRAGUARD_SIM_SAMPLE_LOG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "io/output_file.h"

namespace hydraguard::sim {

struct SampleLogOptions {
  uint64_t events = 5000;       // good events
  uint64_t accounts = 0;        // 0: events / 20, at least 1
  uint64_t bad_lines = 0;       // spread evenly through the file, cycling through kinds
  uint64_t prompt_bytes = 200;  // mean prompt length; 0 writes no prompt or system text
  uint64_t seed = 1;
  int64_t start_ms = 1776816000000;  // 2026-04-22T00:00:00Z
  int64_t mean_gap_ms = 500;         // mean time between events
};

// Writes the log to `out`. Deterministic for given options.
void WriteSampleLog(const SampleLogOptions& options, io::OutputFile* out);
// Opens `path` (".zst" compresses, "-" is stdout), writes, closes.
absl::Status WriteSampleLog(const SampleLogOptions& options, const std::string& path);

}  // namespace hydraguard::sim

#endif  // HYDRAGUARD_SIM_SAMPLE_LOG_H_
