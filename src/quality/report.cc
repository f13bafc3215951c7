#include "quality/report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "fmt/format.h"
#include "io/json_writer.h"
#include "sim/strategy.h"
#include "simdjson.h"

namespace hydraguard::quality {
namespace {

using eval::Rate;

void AddTo(Rate* total, const Rate& rate) {
  total->hits += rate.hits;
  total->total += rate.total;
}

std::string Pct(const Rate& rate, int decimals = 1) {
  std::optional<double> value = rate.value();
  return value ? fmt::format("{:.{}f}%", *value * 100, decimals) : "n/a";
}

std::string PctOf(std::optional<double> value) { return value ? fmt::format("{:.1f}%", *value * 100) : "n/a"; }

std::string Hours(std::optional<int64_t> ms) {
  return ms ? fmt::format("{:.1f} h", static_cast<double>(*ms) / 3600000.0) : "never";
}

std::string Join(const std::vector<uint64_t>& seeds) {
  std::string out;
  for (uint64_t seed : seeds) out += (out.empty() ? "" : ", ") + std::to_string(seed);
  return out;
}

const replay::CampaignReplay* FindCampaign(const replay::ReplayResult& replay, const std::string& id) {
  for (const replay::CampaignReplay& campaign : replay.campaigns) {
    if (campaign.campaign == id) return &campaign;
  }
  return nullptr;
}

const replay::SegmentReplay* FindSegment(const replay::ReplayResult& replay, const std::string& segment) {
  for (const replay::SegmentReplay& honest : replay.honest) {
    if (honest.segment == segment) return &honest;
  }
  return nullptr;
}

struct Pooled {
  Rate recall, fpr, baseline, honest_requests_refused;
  uint64_t campaigns = 0, campaigns_found = 0, campaigns_missed = 0, contained = 0;
};

Pooled Pool(const std::vector<const SeedRun*>& runs, bool text) {
  Pooled pooled;
  for (const SeedRun* run : runs) {
    const ModeRun& mode = text ? run->text : run->no_text;
    AddTo(&pooled.recall, mode.evaluation.recall);
    AddTo(&pooled.fpr, mode.evaluation.false_positive_rate);
    for (const auto& [id, rate] : mode.baseline.by_campaign) AddTo(&pooled.baseline, rate);
    pooled.honest_requests_refused.hits += mode.replay.honest_total.refused;
    pooled.honest_requests_refused.total += mode.replay.honest_total.requests;
    for (const auto& [id, campaign] : mode.evaluation.by_campaign) {
      ++pooled.campaigns;
      std::optional<double> recall = campaign.recall.value();
      pooled.campaigns_found += recall && *recall >= 0.99;
      pooled.campaigns_missed += !recall || *recall == 0;
      const replay::CampaignReplay* replayed = FindCampaign(mode.replay, id);
      pooled.contained += replayed != nullptr && replayed->time_to_containment_ms().has_value();
    }
  }
  return pooled;
}

// The rate of one axis value in an axis -> value -> rate map (empty if absent).
Rate RateAt(const std::map<std::string, std::map<std::string, Rate>>& by, const std::string& axis,
            const std::string& value) {
  auto found_axis = by.find(axis);
  if (found_axis == by.end()) return {};
  auto found = found_axis->second.find(value);
  return found == found_axis->second.end() ? Rate{} : found->second;
}

// One value of one strategy axis, pooled over the runs.
struct AxisValue {
  std::string axis, value;
  Rate text, no_text, baseline;  // campaign-account recall; the volume baseline's (text FPR)
  uint64_t campaigns = 0;
};

std::vector<AxisValue> PoolAxes(const std::vector<const SeedRun*>& runs) {
  std::vector<AxisValue> pooled;
  for (const auto& [axis, values] : sim::StrategySpace()) {
    for (const std::string& value : values) {
      AxisValue entry{.axis = axis, .value = value};
      for (const SeedRun* run : runs) {
        AddTo(&entry.text, RateAt(run->text.evaluation.recall_by_strategy, axis, value));
        AddTo(&entry.no_text, RateAt(run->no_text.evaluation.recall_by_strategy, axis, value));
        AddTo(&entry.baseline, RateAt(run->text.baseline.by_strategy, axis, value));
        for (const auto& [id, campaign] : run->text.evaluation.by_campaign) {
          entry.campaigns += std::count(campaign.strategy.begin(), campaign.strategy.end(), std::pair{axis, value});
        }
      }
      pooled.push_back(std::move(entry));
    }
  }
  return pooled;
}

}  // namespace

std::string QualityMarkdown(const GridResult& grid, bool eval_seeds, const ReportContext& context,
                            const Figures* before, Figures* figures) {
  Figures shown;
  // Records a rate under `name` and renders it, with the earlier value if there is one.
  auto show = [&](const std::string& name, const Rate& rate, int decimals) {
    shown[name] = rate;
    std::string text = Pct(rate, decimals);
    if (before == nullptr) return text;
    auto earlier = before->find(name);
    return text + " (was " + (earlier == before->end() ? std::string("n/a") : Pct(earlier->second, decimals)) + ")";
  };
  std::vector<const SeedRun*> runs;
  for (const SeedRun& run : grid.runs) {
    if (run.eval_seed == eval_seeds) runs.push_back(&run);
  }
  const GridOptions& o = grid.options;
  std::string out;
  auto add = [&out](std::string_view text) { out.append(text); };
  add(eval_seeds ? "# Quality on the red-team grid (eval seeds)\n\n"
                 : "# Quality on the red-team grid (TUNE seeds: for choosing defaults, not for reporting)\n\n");
  add("> **The rule:** every default (threshold, weight, model) is chosen on the *tune* seeds, whose prompts come "
      "from the tune half of every prompt source; this file reports the *eval* seeds, whose prompts come from the "
      "other half. Nothing here may be tuned against. A change to detection regenerates this file with `make "
      "quality` and shows the before and after.\n\n");
  uint64_t events = 0;
  for (const SeedRun* run : runs) events += run->events;
  add(fmt::format("- Command: `{}`\n", context.command));
  add(
      fmt::format("- Grid: scenario `redteam`, scale {}, {} campaigns per seed; {} seeds {} ({} events in all); "
                  "tune seeds {}, eval seeds {}\n",
                  o.scale, o.campaigns, eval_seeds ? "eval" : "tune", Join(eval_seeds ? o.eval_seeds : o.tune_seeds),
                  events, Join(o.tune_seeds), Join(o.eval_seeds)));
  add(fmt::format("- Prompts: {}; network lists: {}\n", o.prompts_dir.empty() ? "built-in generators" : o.prompts_dir,
                  o.netlists_dir.empty() ? "built-in" : o.netlists_dir));
  add(fmt::format("- Machine: {}; date: {}; the whole grid (tune and eval) took {:.0f} s\n", context.machine,
                  context.date, context.seconds));
  add("- Each seed: `simulate --scenario redteam`, then `replay` (hourly rescoring, enforcement) and the end-of-log "
      "verdicts (equal to `detect`) evaluated against the truth; once with text and once metadata-only "
      "(`--no-text`). **Baseline**: a per-account request-count threshold set on each log's honest accounts so that "
      "it flags no more of them than the engine did; what the engine adds is the difference.\n\n");

  Pooled text = Pool(runs, true), no_text = Pool(runs, false);
  add("## Summary\n\n| mode | campaign-account recall | baseline recall (same FPR) | honest FPR | honest requests "
      "refused in replay | campaigns ≥ 99% found | campaigns entirely missed | campaigns contained |\n"
      "|---|---|---|---|---|---|---|---|\n");
  for (auto [name, mode, pooled] : {std::tuple<const char*, const char*, const Pooled*>{"with text", "text", &text},
                                    {"metadata only", "no_text", &no_text}}) {
    add(fmt::format("| {} | {} ({}/{}) | {} | {} ({}/{}) | {:.4f}% | {}/{} | {}/{} | {}/{} |\n", name,
                    show(fmt::format("recall/{}", mode), pooled->recall, 1), pooled->recall.hits, pooled->recall.total,
                    show(fmt::format("baseline/{}", mode), pooled->baseline, 1),
                    show(fmt::format("fpr/{}", mode), pooled->fpr, 4), pooled->fpr.hits, pooled->fpr.total,
                    pooled->honest_requests_refused.value().value_or(0) * 100, pooled->campaigns_found,
                    pooled->campaigns, pooled->campaigns_missed, pooled->campaigns, pooled->contained,
                    pooled->campaigns));
  }

  std::vector<AxisValue> axes = PoolAxes(runs);
  // The map for detection work: what is missed and who is hurt, worst first.
  {
    std::vector<std::pair<double, std::string>> weak;
    for (const AxisValue& entry : axes) {
      std::optional<double> recall = entry.text.value();
      if (recall && *recall < 0.5) weak.emplace_back(*recall, entry.axis + "=" + entry.value);
    }
    std::sort(weak.begin(), weak.end());
    add("\n## Where it fails (generated)\n\n");
    add(fmt::format("- Axis values with recall below 50% with text ({} of them, worst first): ", weak.size()));
    for (size_t index = 0; index < weak.size(); ++index) {
      add(fmt::format("{}`{}` {:.1f}%", index == 0 ? "" : ", ", weak[index].second, weak[index].first * 100));
    }
    add(".\n");
    std::map<std::string, Rate> hurt;
    for (const SeedRun* run : runs) {
      for (const auto* evaluation : {&run->text.evaluation, &run->no_text.evaluation}) {
        for (const auto& [segment, rate] : evaluation->fpr_by_segment) {
          AddTo(&hurt[segment + (evaluation == &run->text.evaluation ? " (text)" : " (metadata only)")], rate);
        }
      }
    }
    std::erase_if(hurt, [](const auto& entry) { return entry.second.hits == 0; });
    add("- Honest segments with flagged accounts: ");
    if (hurt.empty()) add("none");
    bool first_hurt = true;
    for (const auto& [segment, rate] : hurt) {
      add(fmt::format("{}`{}` {}/{}", first_hurt ? "" : ", ", segment, rate.hits, rate.total));
      first_hurt = false;
    }
    add(".\n");
  }

  // Recall per axis value (marginals), pooled over the runs.
  add("\n## Recall by strategy axis value\n\nEach campaign is one independent draw along every axis "
      "(docs/simulator.md), so each row pools every campaign that took that value, whatever its other axes. "
      "Accounts: campaign accounts that sent requests.\n\n"
      "| axis | value | campaigns | accounts | recall, text | recall, metadata only | baseline, text |\n"
      "|---|---|---|---|---|---|---|\n");
  for (const AxisValue& entry : axes) {
    std::string key = fmt::format("axis/{}={}/", entry.axis, entry.value);
    add(fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", entry.axis, entry.value, entry.campaigns,
                    entry.text.total, show(key + "text", entry.text, 1), show(key + "no_text", entry.no_text, 1),
                    show(key + "baseline", entry.baseline, 1)));
  }

  // Honest segments.
  add("\n## Honest segments\n\nFalse-positive rate (accounts flagged `challenge` or `block` at the end of the log) "
      "and the share of the segment's requests refused during replay.\n\n"
      "| segment | accounts | FPR, text | FPR, metadata only | requests refused in replay, text |\n"
      "|---|---|---|---|---|\n");
  std::set<std::string> segments;
  for (const SeedRun* run : runs) {
    for (const auto& [segment, rate] : run->text.evaluation.fpr_by_segment) segments.insert(segment);
  }
  for (const std::string& segment : segments) {
    Rate fpr_text, fpr_meta, refused;
    for (const SeedRun* run : runs) {
      auto rate_in = [&](const eval::Evaluation& evaluation) {
        auto found = evaluation.fpr_by_segment.find(segment);
        return found == evaluation.fpr_by_segment.end() ? Rate{} : found->second;
      };
      AddTo(&fpr_text, rate_in(run->text.evaluation));
      AddTo(&fpr_meta, rate_in(run->no_text.evaluation));
      if (const replay::SegmentReplay* replayed = FindSegment(run->text.replay, segment)) {
        refused.hits += replayed->traffic.refused;
        refused.total += replayed->traffic.requests;
      }
    }
    add(fmt::format("| {} | {} | {} ({}) | {} ({}) | {} |\n", segment, fpr_text.total,
                    show("segment/" + segment + "/text", fpr_text, 3), fpr_text.hits,
                    show("segment/" + segment + "/no_text", fpr_meta, 3), fpr_meta.hits,
                    refused.value() ? fmt::format("{:.4f}%", *refused.value() * 100) : "n/a"));
  }

  // Campaigns.
  add("\n## Campaigns\n\nStrategy values in axis order: ");
  std::vector<std::pair<std::string, std::vector<std::string>>> space = sim::StrategySpace();
  for (size_t axis = 0; axis < space.size(); ++axis)
    add(fmt::format("{}{}", axis == 0 ? "" : " · ", space[axis].first));
  add(".\nLeakage: share of the campaign's requests served in replay; contained: time from its first request until "
      "90% of its requests are refused.\n\n"
      "| seed | campaign | strategy | accounts | recall, text | recall, metadata only | baseline | leakage, text | "
      "contained, text | leakage, metadata only | contained, metadata only |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const SeedRun* run : runs) {
    for (const auto& [id, campaign] : run->text.evaluation.by_campaign) {
      std::string strategy;
      for (const auto& [axis, value] : campaign.strategy) strategy += (strategy.empty() ? "" : " · ") + value;
      auto meta = run->no_text.evaluation.by_campaign.find(id);
      auto baseline = run->text.baseline.by_campaign.find(id);
      const replay::CampaignReplay* replay_text = FindCampaign(run->text.replay, id);
      const replay::CampaignReplay* replay_meta = FindCampaign(run->no_text.replay, id);
      add(fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", run->seed, id, strategy,
                      campaign.recall.total, Pct(campaign.recall),
                      meta == run->no_text.evaluation.by_campaign.end() ? "n/a" : Pct(meta->second.recall),
                      baseline == run->text.baseline.by_campaign.end() ? "n/a" : Pct(baseline->second),
                      replay_text ? PctOf(replay_text->leakage()) : "n/a",
                      replay_text ? Hours(replay_text->time_to_containment_ms()) : "n/a",
                      replay_meta ? PctOf(replay_meta->leakage()) : "n/a",
                      replay_meta ? Hours(replay_meta->time_to_containment_ms()) : "n/a"));
    }
  }
  if (figures != nullptr) *figures = std::move(shown);
  return out;
}

std::string FiguresJson(const Figures& figures) {
  std::string out = "{\"figures\":{";
  bool first = true;
  for (const auto& [name, rate] : figures) {
    if (!first) out += ",\n";
    first = false;
    io::AppendJsonString(&out, name);
    fmt::format_to(std::back_inserter(out), ":{{\"hits\":{},\"total\":{}}}", rate.hits, rate.total);
  }
  out += "}}\n";
  return out;
}

absl::StatusOr<Figures> ReadFiguresJson(const std::string& path) {
  simdjson::padded_string text;
  if (auto error = simdjson::padded_string::load(path).get(text)) {
    return absl::NotFoundError(fmt::format("{}: cannot read: {}", path, simdjson::error_message(error)));
  }
  simdjson::dom::parser parser;
  simdjson::dom::object figures;
  if (auto error = parser.parse(text)["figures"].get_object().get(figures)) {
    return absl::InvalidArgumentError(
        fmt::format("{}: figures: expected {{\"figures\":{{NAME:{{\"hits\":H,\"total\":T}}}}}}: {}", path,
                    simdjson::error_message(error)));
  }
  Figures out;
  for (auto [name, value] : figures) {
    uint64_t hits = 0, total = 0;
    if (value["hits"].get_uint64().get(hits) || value["total"].get_uint64().get(total) || hits > total) {
      return absl::InvalidArgumentError(
          fmt::format("{}: figure \"{}\": expected hits <= total, both non-negative integers", path, name));
    }
    out[std::string(name)] = Rate{hits, total};
  }
  return out;
}

}  // namespace hydraguard::quality
