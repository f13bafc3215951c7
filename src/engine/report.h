// Writing a Detection out: verdicts.jsonl and campaigns.json in the formats
// of DESIGN.md, and the human-readable summary `hydraguard detect` prints.
//
//   std::string line = VerdictJson(verdict, detection, interners);  // one line, no newline
//   absl::Status written = WriteVerdicts("verdicts.jsonl", detection, engine.features(), interners);
//   std::string json = CampaignsJson(detection, interners);
//   std::string text = SummaryText(detection);
//
// `interners` must be the ones the engine's events were read with.
#ifndef HYDRAGUARD_ENGINE_REPORT_H_
#define HYDRAGUARD_ENGINE_REPORT_H_

#include <string>

#include "absl/status/status.h"
#include "engine/engine.h"
#include "ingest/interner.h"

namespace hydraguard::engine {

// {"account":..,"action":..,"score":..,"campaign":..|null,"since":ms,"reasons":[..]}
std::string VerdictJson(const AccountVerdict& verdict, const Detection& detection, const ingest::Interners& interners);

// verdicts.jsonl: one VerdictJson line per account that sent events (ids
// interned elsewhere, e.g. from a truth file, have no verdict), by id.
absl::Status WriteVerdicts(const std::string& path, const Detection& detection, const AccountFeatureTable& features,
                           const ingest::Interners& interners);

// {"campaigns":[{id, accounts, exchanges, input_tokens, output_tokens,
// first_seen, last_seen, capability_mix, indicators, evidence, ...}], ...}
std::string CampaignsJson(const Detection& detection, const ingest::Interners& interners);

// Campaigns found with size, volume, capability mix and top indicators;
// signals that could not be used.
std::string SummaryText(const Detection& detection);

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_REPORT_H_
