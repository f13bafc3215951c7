// ReplayReportHtml: the replay figures as one self-contained HTML5 page. The
// styles are inline, the charts are inline SVG, there is no script and
// nothing is loaded from the network. Every chart shares one time axis: the
// replay's rescore intervals, merged (summed) by a common factor so that no
// chart has more than kMaxColumns points per line.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fmt/format.h"
#include "ingest/timestamp.h"
#include "replay/internal/format.h"
#include "replay/report.h"

namespace hydraguard::replay {
namespace {

using internal::FormatContainment;
using internal::FormatDuration;
using internal::FormatShare;
using internal::kDayMs;
using internal::kHourMs;
constexpr size_t kMaxColumns = 400;
// Goals: a campaign fails one when it leaks more than this share of its
// requests, or is contained later than this after its first request.
constexpr double kLeakageGoal = 0.02;
constexpr int64_t kContainmentGoalMs = 24 * kHourMs;

// Chart geometry, in SVG user units.
constexpr double kWidth = 880, kHeight = 250, kLeft = 72, kRight = 20, kTop = 30, kBottom = 30;
constexpr double kPlotWidth = kWidth - kLeft - kRight, kPlotHeight = kHeight - kTop - kBottom;
constexpr std::string_view kServedColor = "#2b6cb0", kRefusedColor = "#d9480f";

constexpr std::string_view kStyle = R"(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
       max-width: 1200px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; } h3 { font-size: 15px; margin: 20px 0 4px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; white-space: nowrap; }
th { background: #f3f4f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.fail { background: #fde2e1; color: #9b1c1c; font-weight: 600; }
tr.total td { font-weight: 600; border-top: 2px solid #999; }
tr.apart td { font-style: italic; }
table.summary th { background: none; font-weight: 600; }
.note { color: #555; font-size: 13px; }
svg { display: block; width: 100%; max-width: 880px; height: auto; font-size: 11px; }
svg text { fill: #333; }
)";

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Tick labels: 20000 -> "20k", 1500000 -> "1.5M".
std::string FormatCount(uint64_t value) {
  if (value >= 1000000) return fmt::format("{:g}M", static_cast<double>(value) / 1e6);
  if (value >= 10000) return fmt::format("{:g}k", static_cast<double>(value) / 1e3);
  return fmt::format("{}", value);
}

// A 1, 2 or 5 times a power of ten step that covers max in about five steps.
uint64_t NiceStep(uint64_t max) {
  const uint64_t raw = (max + 4) / 5;
  if (raw <= 1) return 1;
  uint64_t magnitude = 1;
  while (magnitude <= raw / 10) magnitude *= 10;
  for (uint64_t multiple : {1, 2, 5}) {
    if (multiple * magnitude >= raw) return multiple * magnitude;
  }
  return 10 * magnitude;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The time axis of every chart: `columns` columns of `factor` rescore
// intervals each, from start_ms.
struct Axis {
  int64_t start_ms = 0;
  int64_t column_ms = 1;
  size_t factor = 1, columns = 1;

  int64_t end_ms() const { return start_ms + column_ms * static_cast<int64_t>(columns); }
  double X(double ms) const {
    return kLeft + kPlotWidth * (ms - static_cast<double>(start_ms)) / static_cast<double>(end_ms() - start_ms);
  }
};

Axis MakeAxis(const ReplayResult& result) {
  const int64_t rescore_ms = std::max<int64_t>(result.options.rescore_ms, 1);
  uint64_t bins = 1;
  if (result.end_ms > result.start_ms) bins = static_cast<uint64_t>((result.end_ms - result.start_ms) / rescore_ms) + 1;
  auto widen = [&bins](const Series& series) {
    bins = std::max<uint64_t>({bins, series.served.size(), series.refused.size()});
  };
  for (const CampaignReplay& campaign : result.campaigns) widen(campaign.series);
  for (const SegmentReplay& segment : result.honest) widen(segment.series);
  if (result.unknown) widen(result.unknown->series);
  Axis axis;
  axis.start_ms = result.start_ms;
  axis.factor = (bins + kMaxColumns - 1) / kMaxColumns;
  axis.columns = (bins + axis.factor - 1) / axis.factor;
  axis.column_ms = rescore_ms * static_cast<int64_t>(axis.factor);
  return axis;
}

// Sums consecutive bins into the axis's columns; missing bins count 0.
std::vector<uint64_t> Downsample(const std::vector<uint64_t>& bins, const Axis& axis) {
  std::vector<uint64_t> columns(axis.columns, 0);
  for (size_t index = 0; index < bins.size(); ++index) columns[index / axis.factor] += bins[index];
  return columns;
}

struct Line {
  std::string_view label, color;
  std::vector<uint64_t> columns;  // axis.columns values
};

// One SVG line chart. `title` is already escaped. `marker_ms`: a dashed
// vertical line labelled "contained". `empty_note` is shown when every
// value is 0.
std::string Chart(const Axis& axis, std::string_view title, const std::vector<Line>& lines,
                  std::optional<int64_t> marker_ms, std::string_view empty_note) {
  uint64_t max = 0;
  for (const Line& line : lines) {
    for (uint64_t value : line.columns) max = std::max(max, value);
  }
  const uint64_t step = NiceStep(max);
  const uint64_t top = std::max<uint64_t>(step, (max + step - 1) / step * step);
  auto y = [&](uint64_t value) {
    return kTop + kPlotHeight * (1.0 - static_cast<double>(value) / static_cast<double>(top));
  };
  const double bottom = kTop + kPlotHeight, right = kLeft + kPlotWidth;

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" font-family=\"system-ui, sans-serif\" "
      "role=\"img\" aria-label=\"{}\">\n"
      "<title>{}</title>\n",
      kWidth, kHeight, title, title);
  auto out = std::back_inserter(svg);

  // Y axis: grid lines, counts, and what a count is.
  for (uint64_t value = 0; value <= top; value += step) {
    fmt::format_to(out,
                   "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e5e7eb\"/>"
                   "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                   kLeft, right, y(value), y(value), kLeft - 6, y(value) + 4, FormatCount(value));
  }
  fmt::format_to(out,
                 "<text transform=\"translate(14 {:.1f}) rotate(-90)\" text-anchor=\"middle\">requests per {}</text>\n",
                 kTop + kPlotHeight / 2, FormatDuration(axis.column_ms));

  // X axis: dates at UTC midnights, at most about six of them.
  const double span_days = static_cast<double>(axis.end_ms() - axis.start_ms) / kDayMs;
  int64_t step_days = 1;
  for (int64_t candidate : {1, 2, 7, 14, 28, 56, 91, 182, 364}) {
    step_days = candidate;
    if (span_days / static_cast<double>(candidate) <= 6) break;
  }
  if (span_days / static_cast<double>(step_days) > 6) step_days = static_cast<int64_t>(span_days / 6) + 1;
  int ticks = 0;
  for (int64_t ms = (FloorDiv(axis.start_ms - 1, kDayMs) + 1) * kDayMs; ms <= axis.end_ms();
       ms += step_days * kDayMs, ++ticks) {
    const double x = axis.X(static_cast<double>(ms));
    const char* anchor = x + 36 > kWidth ? "end" : "middle";
    fmt::format_to(out,
                   "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#999\"/>"
                   "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"{4}\">{5}</text>\n",
                   x, bottom, bottom + 5, bottom + 18, anchor, ingest::FormatRfc3339Date(ms));
  }
  if (ticks == 0) {
    fmt::format_to(out, "<text x=\"{}\" y=\"{}\" text-anchor=\"start\">{}</text>\n", kLeft, bottom + 18,
                   ingest::FormatRfc3339Date(axis.start_ms));
  }
  fmt::format_to(out, "<polyline points=\"{0},{1} {0},{2} {3},{2}\" fill=\"none\" stroke=\"#666\"/>\n", kLeft, kTop,
                 bottom, right);

  // The lines, one point per column (at its middle), and their legend.
  for (size_t index = 0; index < lines.size(); ++index) {
    const Line& line = lines[index];
    std::string points;
    if (line.columns.size() == 1) {
      points = fmt::format("{},{:.1f} {},{:.1f}", kLeft, y(line.columns[0]), right, y(line.columns[0]));
    } else {
      for (size_t column = 0; column < line.columns.size(); ++column) {
        const double ms = static_cast<double>(axis.start_ms) +
                          (static_cast<double>(column) + 0.5) * static_cast<double>(axis.column_ms);
        if (column > 0) points += ' ';
        fmt::format_to(std::back_inserter(points), "{:.1f},{:.1f}", axis.X(ms), y(line.columns[column]));
      }
    }
    fmt::format_to(out,
                   "<polyline class=\"series\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" "
                   "stroke-linejoin=\"round\"/>\n",
                   points, line.color);
    const double legend_x = kLeft + 100.0 * static_cast<double>(index);
    fmt::format_to(out,
                   "<rect x=\"{}\" y=\"8\" width=\"14\" height=\"4\" fill=\"{}\"/>"
                   "<text x=\"{}\" y=\"14\">{}</text>\n",
                   legend_x, line.color, legend_x + 20, line.label);
  }

  if (marker_ms && *marker_ms >= axis.start_ms && *marker_ms <= axis.end_ms()) {
    const double x = axis.X(static_cast<double>(*marker_ms));
    fmt::format_to(out,
                   "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#333\" "
                   "stroke-dasharray=\"5 4\"/>"
                   "<text x=\"{3:.1f}\" y=\"{4}\" text-anchor=\"{5}\">contained</text>\n",
                   x, kTop, bottom, x + 4 < right - 60 ? x + 4 : x - 4, kTop + 12,
                   x + 4 < right - 60 ? "start" : "end");
  }
  if (max == 0 && !empty_note.empty()) {
    fmt::format_to(out, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\">{}</text>\n",
                   kLeft + kPlotWidth / 2, kTop + kPlotHeight / 2, empty_note);
  }
  svg += "</svg>\n";
  return svg;
}

void AppendSummary(std::string* out, const ReplayResult& result) {
  auto row = [out](std::string_view name, const std::string& value) {
    fmt::format_to(std::back_inserter(*out), "<tr><th>{}</th><td>{}</td></tr>\n", name, value);
  };
  *out += "<table class=\"summary\">\n";
  row("replay window", fmt::format("{} .. {}", ingest::FormatRfc3339Millis(result.start_ms),
                                   ingest::FormatRfc3339Millis(result.end_ms)));
  row("events", result.late_events == 0
                    ? fmt::format("{}", result.events)
                    : fmt::format("{} ({} late: replayed at the replay's clock)", result.events, result.late_events));
  row("rescore interval", FormatDuration(result.options.rescore_ms));
  row("rescores", fmt::format("{}", result.rescores));
  row("rescore wall time",
      fmt::format("{:.3f} s in all, longest {:.3f} s", result.rescore_seconds, result.max_rescore_seconds));
  row("verdict changes", fmt::format("{}", result.verdict_changes));
  row("indicators", fmt::format("{}", result.indicators));
  row("throttle", fmt::format("one request served per {}", FormatDuration(result.options.throttle_ms)));
  row("containment", fmt::format("from the first interval with at least {:g}% of the campaign's requests refused",
                                 100.0 * result.options.containment_share));
  *out += "</table>\n";
}

void AppendCampaignTable(std::string* out, const ReplayResult& result) {
  if (result.campaigns.empty()) {
    *out += "<p class=\"note\">No campaign in the truth.</p>\n";
    return;
  }
  *out +=
      "<table>\n<thead><tr><th>campaign</th><th class=\"num\">accounts</th><th class=\"num\">accounts seen</th>"
      "<th class=\"num\">accounts flagged</th><th class=\"num\">requests</th><th class=\"num\">served</th>"
      "<th class=\"num\">refused</th><th class=\"num\">by verdict</th><th class=\"num\">by indicator</th>"
      "<th class=\"num\">by throttle</th><th class=\"num\">leakage</th><th class=\"num\">output tokens leaked</th>"
      "<th class=\"num\">time to containment</th></tr></thead>\n<tbody>\n";
  for (const CampaignReplay& campaign : result.campaigns) {
    const Traffic& traffic = campaign.traffic;
    const std::optional<double> leakage = campaign.leakage();
    const std::optional<int64_t> containment = campaign.time_to_containment_ms();
    const bool leak_fails = leakage && *leakage > kLeakageGoal;
    const bool containment_fails = traffic.requests > 0 && (!containment || *containment > kContainmentGoalMs);
    const std::string contained = FormatContainment(campaign);
    fmt::format_to(std::back_inserter(*out),
                   "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                   "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                   "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                   "<td class=\"num{}\">{}</td><td class=\"num\">{} of {}</td><td class=\"num{}\">{}</td></tr>\n",
                   Escape(campaign.campaign), campaign.accounts, campaign.accounts_seen, campaign.accounts_flagged,
                   traffic.requests, traffic.served, traffic.refused, traffic.refused_by_verdict,
                   traffic.refused_by_indicator, traffic.refused_by_throttle, leak_fails ? " fail" : "",
                   FormatShare(traffic.served, traffic.requests, 2), traffic.output_tokens_served,
                   traffic.output_tokens, containment_fails ? " fail" : "", contained);
  }
  fmt::format_to(std::back_inserter(*out),
                 "</tbody>\n</table>\n<p class=\"note\">Leakage: share of the campaign's requests served. Time to "
                 "containment: from its first request. Highlighted: a goal missed (leakage above {:g}%, or "
                 "containment after more than {} h, or never).</p>\n",
                 100.0 * kLeakageGoal, kContainmentGoalMs / kHourMs);
}

void AppendHonestTable(std::string* out, const ReplayResult& result) {
  *out +=
      "<table>\n<thead><tr><th>segment</th><th class=\"num\">accounts</th><th class=\"num\">accounts affected</th>"
      "<th class=\"num\">requests</th><th class=\"num\">refused</th><th class=\"num\">refused share</th></tr>"
      "</thead>\n<tbody>\n";
  auto row = [out](std::string_view row_class, std::string_view name, uint64_t accounts, uint64_t affected,
                   const Traffic& traffic) {
    fmt::format_to(std::back_inserter(*out),
                   "<tr{}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                   "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                   row_class, Escape(name), accounts, affected, traffic.requests, traffic.refused,
                   FormatShare(traffic.refused, traffic.requests, 4));
  };
  for (const SegmentReplay& segment : result.honest) {
    row("", segment.segment, segment.accounts, segment.accounts_affected, segment.traffic);
  }
  row(" class=\"total\"", "all honest", result.honest_accounts, result.honest_accounts_affected, result.honest_total);
  if (result.unknown) {
    row(" class=\"apart\"", result.unknown->segment, result.unknown->accounts, result.unknown->accounts_affected,
        result.unknown->traffic);
  }
  *out += "</tbody>\n</table>\n";
  if (result.unknown)
    *out += "<p class=\"note\">The last row: accounts missing from the truth, not in the total.</p>\n";
}

}  // namespace

std::string ReplayReportHtml(const ReplayResult& result) {
  const Axis axis = MakeAxis(result);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>hydraguard replay report</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<h1>hydraguard replay report</h1>\n<section id=\"summary\">\n";
  AppendSummary(&out, result);
  out += "</section>\n<section id=\"campaigns\">\n<h2>Campaigns</h2>\n";
  AppendCampaignTable(&out, result);
  out += "</section>\n<section id=\"honest\">\n<h2>Honest traffic</h2>\n";
  AppendHonestTable(&out, result);
  out += "</section>\n<section id=\"charts\">\n<h2>Campaign requests over time</h2>\n";
  for (const CampaignReplay& campaign : result.campaigns) {
    const std::string name = Escape(campaign.campaign);
    fmt::format_to(std::back_inserter(out), "<h3>{}</h3>\n", name);
    out += Chart(axis, fmt::format("{}: served and refused requests over time", name),
                 {{"served", kServedColor, Downsample(campaign.series.served, axis)},
                  {"refused", kRefusedColor, Downsample(campaign.series.refused, axis)}},
                 campaign.contained_ms, "no request from this campaign");
  }
  std::vector<uint64_t> honest_refused(axis.columns, 0);
  for (const SegmentReplay& segment : result.honest) {
    const std::vector<uint64_t> columns = Downsample(segment.series.refused, axis);
    for (size_t column = 0; column < columns.size(); ++column) honest_refused[column] += columns[column];
  }
  out += "<h2>Honest requests refused over time</h2>\n";
  out += Chart(axis, "honest requests refused over time", {{"refused", kRefusedColor, std::move(honest_refused)}},
               std::nullopt, "no honest request refused");
  out += "</section>\n</body>\n</html>\n";
  return out;
}

}  // namespace hydraguard::replay
