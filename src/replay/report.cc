#include "replay/report.h"

#include "fmt/format.h"
#include "ingest/timestamp.h"
#include "io/json_writer.h"
#include "replay/internal/format.h"

namespace hydraguard::replay {
namespace {

using internal::FormatContainment;
using internal::FormatDuration;
using internal::FormatShare;

void AppendKey(std::string* out, std::string_view key) {
  io::AppendJsonString(out, key);
  *out += ':';
}

void AppendTraffic(std::string* out, const Traffic& traffic) {
  *out += fmt::format(R"("requests":{},"served":{},"refused":{},"refused_by_verdict":{},"refused_by_indicator":{},)"
                      R"("refused_by_throttle":{},"output_tokens":{},"output_tokens_served":{})",
                      traffic.requests, traffic.served, traffic.refused, traffic.refused_by_verdict,
                      traffic.refused_by_indicator, traffic.refused_by_throttle, traffic.output_tokens,
                      traffic.output_tokens_served);
  *out += R"(,"held_by_signal":{)";
  bool first = true;
  for (const auto& [signal, accounts] : traffic.held_by_signal) {
    if (!first) *out += ',';
    first = false;
    io::AppendJsonString(out, signal);
    *out += fmt::format(":{}", accounts);
  }
  *out += '}';
}

void AppendSeries(std::string* out, const Series& series) {
  *out += fmt::format(R"("served_by_interval":[{}],"refused_by_interval":[{}])", fmt::join(series.served, ","),
                      fmt::join(series.refused, ","));
}

void AppendSegment(std::string* out, const SegmentReplay& segment) {
  *out += '{';
  AppendKey(out, "segment");
  io::AppendJsonString(out, segment.segment);
  *out += fmt::format(R"(,"accounts":{},"accounts_affected":{},)", segment.accounts, segment.accounts_affected);
  AppendTraffic(out, segment.traffic);
  *out += fmt::format(R"(,"refused_share":{},)",
                      segment.traffic.requests == 0
                          ? std::string("null")
                          : fmt::format("{:.8f}", static_cast<double>(segment.traffic.refused) /
                                                      static_cast<double>(segment.traffic.requests)));
  AppendSeries(out, segment.series);
  *out += '}';
}

template <typename T>
std::string OrNull(const std::optional<T>& value) {
  return value ? fmt::format("{}", *value) : "null";
}

}  // namespace

std::string ReplayReportJson(const ReplayResult& result) {
  std::string out = "{";
  out += fmt::format(
      R"("rescore_ms":{},"throttle_ms":{},"containment_share":{},"start":"{}","end":"{}","start_ms":{},"end_ms":{},)"
      R"("events":{},"late_events":{},"rescores":{},"rescore_seconds":{:.3f},"max_rescore_seconds":{:.4f},)"
      R"("verdict_changes":{},"indicators":{},"campaigns":[)",
      result.options.rescore_ms, result.options.throttle_ms, result.options.containment_share,
      ingest::FormatRfc3339Millis(result.start_ms), ingest::FormatRfc3339Millis(result.end_ms), result.start_ms,
      result.end_ms, result.events, result.late_events, result.rescores, result.rescore_seconds,
      result.max_rescore_seconds, result.verdict_changes, result.indicators);
  for (size_t index = 0; index < result.campaigns.size(); ++index) {
    const CampaignReplay& campaign = result.campaigns[index];
    if (index > 0) out += ',';
    out += '{';
    AppendKey(&out, "campaign");
    io::AppendJsonString(&out, campaign.campaign);
    out += fmt::format(R"(,"accounts":{},"accounts_seen":{},"accounts_flagged":{},)", campaign.accounts,
                       campaign.accounts_seen, campaign.accounts_flagged);
    AppendTraffic(&out, campaign.traffic);
    std::optional<double> leakage = campaign.leakage();
    out += fmt::format(R"(,"leakage":{},"first_ms":{},"last_ms":{},"contained_ms":{},"time_to_containment_ms":{},)",
                       leakage ? fmt::format("{:.8f}", *leakage) : "null", campaign.first_ms, campaign.last_ms,
                       OrNull(campaign.contained_ms), OrNull(campaign.time_to_containment_ms()));
    AppendSeries(&out, campaign.series);
    out += '}';
  }
  out += R"(],"honest":{)";
  out +=
      fmt::format(R"("accounts":{},"accounts_affected":{},)", result.honest_accounts, result.honest_accounts_affected);
  AppendTraffic(&out, result.honest_total);
  out += R"(,"segments":[)";
  for (size_t index = 0; index < result.honest.size(); ++index) {
    if (index > 0) out += ',';
    AppendSegment(&out, result.honest[index]);
  }
  out += R"(]},"not_in_truth":)";
  if (result.unknown) {
    AppendSegment(&out, *result.unknown);
  } else {
    out += "null";
  }
  out += "}\n";
  return out;
}

std::string ReplayReportText(const ReplayResult& result) {
  std::string out = fmt::format(
      "replayed {} events from {} to {}, rescoring every {}: {} rescores ({:.1f} s in all, longest "
      "{:.0f} ms), {} verdict changes, {} indicators at the end\n",
      result.events, ingest::FormatRfc3339Millis(result.start_ms), ingest::FormatRfc3339Millis(result.end_ms),
      FormatDuration(result.options.rescore_ms), result.rescores, result.rescore_seconds,
      result.max_rescore_seconds * 1000.0, result.verdict_changes, result.indicators);
  if (result.late_events > 0) {
    out += fmt::format("warning: {} events were earlier than one before them (replayed at the replay's clock)\n",
                       result.late_events);
  }
  out += fmt::format("\n{:<18} {:>9} {:>9} {:>11} {:>10} {:>10} {:>8} {:>15} {:>15}\n", "campaign", "accounts",
                     "flagged", "requests", "served", "refused", "leakage", "tokens leaked", "contained after");
  for (const CampaignReplay& campaign : result.campaigns) {
    out += fmt::format("{:<18} {:>9} {:>9} {:>11} {:>10} {:>10} {:>8} {:>15} {:>15}\n", campaign.campaign,
                       campaign.accounts, campaign.accounts_flagged, campaign.traffic.requests, campaign.traffic.served,
                       campaign.traffic.refused, FormatShare(campaign.traffic.served, campaign.traffic.requests, 2),
                       FormatShare(campaign.traffic.output_tokens_served, campaign.traffic.output_tokens, 2),
                       FormatContainment(campaign));
  }
  out += fmt::format("\n{:<18} {:>9} {:>9} {:>11} {:>10} {:>10}\n", "honest segment", "accounts", "affected",
                     "requests", "refused", "refused%");
  auto row = [&](std::string_view name, uint64_t accounts, uint64_t affected, const Traffic& traffic) {
    out += fmt::format("{:<18} {:>9} {:>9} {:>11} {:>10} {:>10}\n", name, accounts, affected, traffic.requests,
                       traffic.refused, FormatShare(traffic.refused, traffic.requests, 4));
  };
  for (const SegmentReplay& segment : result.honest) {
    row(segment.segment, segment.accounts, segment.accounts_affected, segment.traffic);
  }
  row("all honest", result.honest_accounts, result.honest_accounts_affected, result.honest_total);
  if (result.unknown) {
    row(result.unknown->segment, result.unknown->accounts, result.unknown->accounts_affected, result.unknown->traffic);
  }
  return out;
}

}  // namespace hydraguard::replay
