#include "eval/evaluation.h"

#include <algorithm>
#include <set>

#include "fmt/format.h"
#include "io/display_text.h"
#include "io/json_writer.h"
#include "io/line_reader.h"
#include "simdjson.h"

namespace hydraguard::eval {
namespace {

using ingest::ErrorKind;
using ingest::ParseError;

// Runs `handle(object)` on each JSON object line of `path`; `handle` returns
// a ParseError for a bad line (reported and skipped) or nullopt.
template <typename Handle>
absl::Status ForEachObjectLine(const std::string& path, ingest::BadInputLog* bad_input, Handle handle) {
  absl::StatusOr<std::unique_ptr<io::ByteSource>> source = io::OpenByteSource(path);
  if (!source.ok()) return source.status();
  std::string display = io::EscapeForDisplay(path);
  io::LineReader reader(*std::move(source));
  simdjson::dom::parser parser;
  io::Line line;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    if (line.text.find_first_not_of(" \t\r") == std::string_view::npos && !line.too_long) continue;
    std::optional<ParseError> error;
    simdjson::dom::object object;
    if (line.too_long) {
      error = ParseError{ErrorKind::kLineTooLong, "line", fmt::format("line is {} bytes", line.length)};
    } else if (auto code = parser.parse(line.text.data(), line.text.size(), false).get_object().get(object)) {
      error = ParseError{code == simdjson::UTF8_ERROR ? ErrorKind::kInvalidUtf8 : ErrorKind::kMalformedJson, "json",
                         simdjson::error_message(code)};
    } else {
      error = handle(object);
    }
    if (error) bad_input->AddBadLine(display, line.number, *error);
  }
}

// A required, non-empty string field.
std::optional<ParseError> RequireString(simdjson::dom::object& object, const char* field, std::string_view* out) {
  simdjson::dom::element value;
  if (object[field].get(value)) return ParseError{ErrorKind::kMissingField, field, "required field is missing"};
  if (!value.is_string()) return ParseError{ErrorKind::kWrongType, field, "expected a string"};
  *out = value.get_string().value_unsafe();
  if (out->empty()) return ParseError{ErrorKind::kMissingField, field, "must not be empty"};
  return std::nullopt;
}

// An optional string field: "" when absent or null.
std::optional<ParseError> OptionalString(simdjson::dom::object& object, const char* field, std::string_view* out) {
  *out = {};
  simdjson::dom::element value;
  if (object[field].get(value) || value.is_null()) return std::nullopt;
  if (!value.is_string()) return ParseError{ErrorKind::kWrongType, field, "expected a string or null"};
  *out = value.get_string().value_unsafe();
  return std::nullopt;
}

std::string Percent(const Rate& rate, int decimals = 2) {
  std::optional<double> value = rate.value();
  if (!value) return "n/a";
  return fmt::format("{:.{}f}% ({}/{})", *value * 100, decimals, rate.hits, rate.total);
}

void AppendRateJson(std::string* out, const Rate& rate) {
  std::optional<double> value = rate.value();
  fmt::format_to(std::back_inserter(*out), "{{\"value\":{},\"hits\":{},\"total\":{}}}",
                 value ? fmt::format("{}", *value) : "null", rate.hits, rate.total);
}

// {"name":{rate},...}
void AppendRateMapJson(std::string* out, const std::map<std::string, Rate>& rates) {
  out->push_back('{');
  bool first = true;
  for (const auto& [name, rate] : rates) {
    if (!first) out->push_back(',');
    first = false;
    io::AppendJsonString(out, name);
    out->push_back(':');
    AppendRateJson(out, rate);
  }
  out->push_back('}');
}

void AppendListJson(std::string* out, const std::vector<std::string>& items) {
  out->push_back('[');
  for (size_t index = 0; index < items.size(); ++index) {
    if (index > 0) out->push_back(',');
    io::AppendJsonString(out, items[index]);
  }
  out->push_back(']');
}

}  // namespace

absl::StatusOr<Truth> ReadTruth(const std::string& path, ingest::BadInputLog* bad_input) {
  Truth truth;
  absl::Status status =
      ForEachObjectLine(path, bad_input, [&](simdjson::dom::object& object) -> std::optional<ParseError> {
        std::string_view account, label, campaign, segment;
        if (auto error = RequireString(object, "account", &account)) return error;
        if (auto error = RequireString(object, "label", &label)) return error;
        if (label != "legit" && label != "campaign") {
          return ParseError{ErrorKind::kInvalidValue, "label",
                            fmt::format("expected \"legit\" or \"campaign\", got {}", ingest::QuoteForMessage(label))};
        }
        if (auto error = OptionalString(object, "campaign", &campaign)) return error;
        if (auto error = OptionalString(object, "segment", &segment)) return error;
        if (label == "campaign" && campaign.empty()) {
          return ParseError{ErrorKind::kMissingField, "campaign", "a campaign account needs its campaign id"};
        }
        auto [it, inserted] = truth.try_emplace(std::string(account));
        if (!inserted) {
          return ParseError{ErrorKind::kDuplicateField, "account",
                            fmt::format("{} appears more than once", ingest::QuoteForMessage(account))};
        }
        it->second = {label == "campaign", label == "campaign" ? std::string(campaign) : "", std::string(segment), {}};
        simdjson::dom::element strategy;
        if (object["strategy"].get(strategy) || strategy.is_null()) return std::nullopt;
        simdjson::dom::object axes;
        if (strategy.get_object().get(axes)) {
          truth.erase(it);
          return ParseError{ErrorKind::kWrongType, "strategy", "expected an object of axis: value strings"};
        }
        for (auto [axis, value] : axes) {
          if (!value.is_string()) {
            truth.erase(it);
            return ParseError{ErrorKind::kWrongType, "strategy",
                              fmt::format("axis {}: expected a string value", ingest::QuoteForMessage(axis))};
          }
          it->second.strategy.emplace_back(std::string(axis), std::string(value.get_string().value_unsafe()));
        }
        return std::nullopt;
      });
  if (!status.ok()) return status;
  return truth;
}

absl::StatusOr<Verdicts> ReadVerdicts(const std::string& path, ingest::BadInputLog* bad_input) {
  Verdicts verdicts;
  absl::Status status =
      ForEachObjectLine(path, bad_input, [&](simdjson::dom::object& object) -> std::optional<ParseError> {
        std::string_view account, action_text, campaign;
        if (auto error = RequireString(object, "account", &account)) return error;
        if (auto error = RequireString(object, "action", &action_text)) return error;
        std::optional<Action> action = engine::ParseAction(action_text);
        if (!action) {
          return ParseError{ErrorKind::kInvalidValue, "action",
                            fmt::format("expected allow, monitor, throttle, challenge or block, got {}",
                                        ingest::QuoteForMessage(action_text))};
        }
        if (auto error = OptionalString(object, "campaign", &campaign)) return error;
        Verdict verdict{*action, 0, std::string(campaign), 0};
        simdjson::dom::element value;
        if (!object["score"].get(value) && !value.is_null()) {
          if (!value.is_number()) return ParseError{ErrorKind::kWrongType, "score", "expected a number"};
          verdict.score = value.get_double().value_unsafe();
        }
        if (!object["since"].get(value) && !value.is_null()) {
          if (!value.is_int64()) return ParseError{ErrorKind::kWrongType, "since", "expected integer milliseconds"};
          verdict.since_ms = value.get_int64().value_unsafe();
        }
        auto [it, inserted] = verdicts.try_emplace(std::string(account), verdict);
        if (!inserted) {
          return ParseError{ErrorKind::kDuplicateField, "account",
                            fmt::format("second verdict for {} (the first is kept)", ingest::QuoteForMessage(account))};
        }
        return std::nullopt;
      });
  if (!status.ok()) return status;
  return verdicts;
}

Evaluation Evaluate(const Truth& truth, const Verdicts& verdicts) {
  Evaluation result;
  result.truth_accounts = truth.size();
  result.verdict_accounts = verdicts.size();
  std::map<std::string, std::set<std::string>> clusters;  // truth campaign -> detector campaign ids
  for (const auto& [account, entry] : truth) {
    auto verdict = verdicts.find(account);
    bool flagged = verdict != verdicts.end() && verdict->second.flagged();
    if (entry.campaign) {
      CampaignResult& campaign = result.by_campaign[entry.campaign_id];
      if (campaign.strategy.empty()) campaign.strategy = entry.strategy;
      ++campaign.recall.total;
      ++result.recall.total;
      for (const auto& [axis, value] : entry.strategy) {
        Rate& rate = result.recall_by_strategy[axis][value];
        ++rate.total;
        rate.hits += flagged;
      }
      if (flagged) {
        ++campaign.recall.hits;
        ++result.recall.hits;
        if (verdict->second.campaign.empty()) {
          ++campaign.flagged_without_cluster;
        } else {
          clusters[entry.campaign_id].insert(verdict->second.campaign);
        }
      } else {
        result.false_negatives.push_back(account);
      }
    } else {
      Rate& segment = result.fpr_by_segment[entry.segment.empty() ? "(none)" : entry.segment];
      ++segment.total;
      ++result.false_positive_rate.total;
      if (flagged) {
        ++segment.hits;
        ++result.false_positive_rate.hits;
        result.false_positives.push_back(account);
      }
    }
    if (flagged) {
      ++result.precision.total;
      result.precision.hits += entry.campaign;
    }
  }
  for (auto& [id, campaign] : result.by_campaign) campaign.detected_clusters = clusters[id].size();
  for (const auto& [account, verdict] : verdicts) {
    if (truth.contains(account)) continue;
    result.unknown_accounts.push_back(account);
    result.flagged_unknown += verdict.flagged();
  }
  std::sort(result.false_positives.begin(), result.false_positives.end());
  std::sort(result.false_negatives.begin(), result.false_negatives.end());
  std::sort(result.unknown_accounts.begin(), result.unknown_accounts.end());
  return result;
}

std::string FormatEvaluationTable(const Evaluation& e, size_t max_listed) {
  std::string out;
  auto add = [&out](std::string_view label, std::string value) { out += fmt::format("{:<30}{}\n", label, value); };
  add("accounts in truth", std::to_string(e.truth_accounts));
  add("accounts with a verdict", std::to_string(e.verdict_accounts));
  add("account recall", Percent(e.recall));
  add("precision", Percent(e.precision));
  add("false-positive rate", Percent(e.false_positive_rate, 4));
  out += "false-positive rate by honest segment:\n";
  for (const auto& [segment, rate] : e.fpr_by_segment) out += fmt::format("  {:<28}{}\n", segment, Percent(rate, 4));
  out += "recall by campaign (clusters = detected campaign ids it was split into):\n";
  for (const auto& [id, campaign] : e.by_campaign) {
    out += fmt::format("  {:<28}{}  clusters {}{}\n", id, Percent(campaign.recall), campaign.detected_clusters,
                       campaign.flagged_without_cluster > 0
                           ? fmt::format(" (+{} flagged outside any cluster)", campaign.flagged_without_cluster)
                           : "");
  }
  if (!e.recall_by_strategy.empty()) out += "recall by strategy axis value:\n";
  for (const auto& [axis, values] : e.recall_by_strategy) {
    for (const auto& [value, rate] : values) {
      out += fmt::format("  {:<40}{}\n", fmt::format("{}={}", axis, value), Percent(rate));
    }
  }
  for (const auto& [title, list] :
       {std::pair{"false positives", &e.false_positives}, std::pair{"false negatives", &e.false_negatives},
        std::pair{"verdicts for accounts not in the truth", &e.unknown_accounts}}) {
    if (list->empty()) continue;
    out += fmt::format("{} ({}):", title, list->size());
    for (size_t index = 0; index < list->size() && index < max_listed; ++index) out += " " + (*list)[index];
    out += list->size() > max_listed ? " ...\n" : "\n";
  }
  return out;
}

std::string FormatEvaluationJson(const Evaluation& e) {
  std::string out =
      fmt::format("{{\"truth_accounts\":{},\"verdict_accounts\":{},\"recall\":", e.truth_accounts, e.verdict_accounts);
  AppendRateJson(&out, e.recall);
  out += ",\"precision\":";
  AppendRateJson(&out, e.precision);
  out += ",\"false_positive_rate\":";
  AppendRateJson(&out, e.false_positive_rate);
  out += ",\"false_positive_rate_by_segment\":";
  AppendRateMapJson(&out, e.fpr_by_segment);
  out += ",\"campaigns\":{";
  bool first = true;
  for (const auto& [id, campaign] : e.by_campaign) {
    if (!first) out += ',';
    first = false;
    io::AppendJsonString(&out, id);
    out += ":{\"strategy\":{";
    for (size_t axis = 0; axis < campaign.strategy.size(); ++axis) {
      if (axis > 0) out += ',';
      io::AppendJsonString(&out, campaign.strategy[axis].first);
      out += ':';
      io::AppendJsonString(&out, campaign.strategy[axis].second);
    }
    out += "},\"recall\":";
    AppendRateJson(&out, campaign.recall);
    fmt::format_to(std::back_inserter(out), ",\"detected_clusters\":{},\"flagged_without_cluster\":{}}}",
                   campaign.detected_clusters, campaign.flagged_without_cluster);
  }
  out += "},\"recall_by_strategy\":{";
  first = true;
  for (const auto& [axis, values] : e.recall_by_strategy) {
    if (!first) out += ',';
    first = false;
    io::AppendJsonString(&out, axis);
    out += ':';
    AppendRateMapJson(&out, values);
  }
  out += "},\"false_positives\":";
  AppendListJson(&out, e.false_positives);
  out += ",\"false_negatives\":";
  AppendListJson(&out, e.false_negatives);
  out += ",\"unknown_accounts\":";
  AppendListJson(&out, e.unknown_accounts);
  fmt::format_to(std::back_inserter(out), ",\"flagged_unknown_accounts\":{}}}\n", e.flagged_unknown);
  return out;
}

}  // namespace hydraguard::eval
