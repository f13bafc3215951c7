// Evaluation: how good are a detector's verdicts, against the simulator's
// ground truth (DESIGN.md, "How quality is measured").
//
//   absl::StatusOr<Truth> truth = ReadTruth("truth.jsonl", &bad_input);
//   absl::StatusOr<Verdicts> verdicts = ReadVerdicts("verdicts.jsonl", &bad_input);
//   Evaluation result = Evaluate(*truth, *verdicts);
//   std::fputs(FormatEvaluationTable(result).c_str(), stdout);
//
// An account is flagged when its verdict's action is "challenge" or "block".
// Truth accounts with no verdict count as not flagged; verdicts for accounts
// not in the truth are counted and listed, never silently ignored. A second
// verdict for the same account is a bad line (reported, skipped).
#ifndef HYDRAGUARD_EVAL_EVALUATION_H_
#define HYDRAGUARD_EVAL_EVALUATION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/verdict.h"
#include "ingest/bad_input.h"

namespace hydraguard::eval {

// A campaign's strategy: (axis, value) pairs, as the redteam scenario writes
// them ("strategy":{"network":"vpn",...}); empty for other scenarios.
using Strategy = std::vector<std::pair<std::string, std::string>>;

struct TruthEntry {
  bool campaign = false;
  std::string campaign_id;  // "" for legit accounts
  std::string segment;
  Strategy strategy;
};
using Truth = absl::flat_hash_map<std::string, TruthEntry>;  // by account

using engine::Action;
struct Verdict {
  Action action = Action::kAllow;
  double score = 0;
  std::string campaign;  // the detector's cluster id, "" if none
  int64_t since_ms = 0;
  bool flagged() const { return engine::Flagged(action); }
};
using Verdicts = absl::flat_hash_map<std::string, Verdict>;  // by account

// Each bad line is reported to `bad_input` and skipped; a file that cannot be
// read is an error.
absl::StatusOr<Truth> ReadTruth(const std::string& path, ingest::BadInputLog* bad_input);
absl::StatusOr<Verdicts> ReadVerdicts(const std::string& path, ingest::BadInputLog* bad_input);

struct Rate {
  uint64_t hits = 0, total = 0;
  // nullopt when total is 0 (undefined, e.g. a campaign with no accounts).
  std::optional<double> value() const {
    return total == 0 ? std::nullopt : std::optional<double>(static_cast<double>(hits) / static_cast<double>(total));
  }
};

struct CampaignResult {
  Strategy strategy;               // from its accounts' truth lines
  Rate recall;                     // flagged / accounts
  uint64_t detected_clusters = 0;  // distinct detector campaign ids among its flagged accounts
  uint64_t flagged_without_cluster = 0;
};

struct Evaluation {
  Rate recall;                                 // campaign accounts flagged / campaign accounts
  Rate precision;                              // campaign accounts flagged / accounts flagged (truth accounts only)
  Rate false_positive_rate;                    // legit accounts flagged / legit accounts
  std::map<std::string, Rate> fpr_by_segment;  // legit segments
  std::map<std::string, CampaignResult> by_campaign;  // truth campaign ids
  // Campaign-account recall for every value of every strategy axis (axis ->
  // value -> rate); empty when the truth carries no strategies.
  std::map<std::string, std::map<std::string, Rate>> recall_by_strategy;
  std::vector<std::string> false_positives;   // sorted
  std::vector<std::string> false_negatives;   // sorted
  std::vector<std::string> unknown_accounts;  // verdicts for accounts not in the truth, sorted
  uint64_t truth_accounts = 0, verdict_accounts = 0, flagged_unknown = 0;
};

Evaluation Evaluate(const Truth& truth, const Verdicts& verdicts);

// A table for people (lists at most `max_listed` accounts per list).
std::string FormatEvaluationTable(const Evaluation& evaluation, size_t max_listed = 20);
// Every figure and every listed account, as one JSON object.
std::string FormatEvaluationJson(const Evaluation& evaluation);

}  // namespace hydraguard::eval

#endif  // HYDRAGUARD_EVAL_EVALUATION_H_
