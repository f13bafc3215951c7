#include "engine/report.h"

#include <algorithm>
#include <iterator>
#include <memory>

#include "fmt/format.h"
#include "ingest/timestamp.h"
#include "io/json_writer.h"
#include "io/output_file.h"

namespace hydraguard::engine {
namespace {

void AppendKey(std::string* out, std::string_view key) {
  io::AppendJsonString(out, key);
  out->push_back(':');
}

// Capabilities by share, largest first, those with any traffic.
std::vector<std::pair<text::Capability, double>> CapabilityMix(const Campaign& campaign) {
  std::vector<std::pair<text::Capability, double>> mix;
  if (campaign.text_events == 0) return mix;
  for (int c = 0; c < text::kCapabilityCount; ++c) {
    if (campaign.capabilities[c] == 0) continue;
    mix.emplace_back(static_cast<text::Capability>(c),
                     static_cast<double>(campaign.capabilities[c]) / static_cast<double>(campaign.text_events));
  }
  std::sort(mix.begin(), mix.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return mix;
}

void AppendStringArray(std::string* out, const std::vector<std::string>& values) {
  out->push_back('[');
  for (size_t index = 0; index < values.size(); ++index) {
    if (index > 0) out->push_back(',');
    io::AppendJsonString(out, values[index]);
  }
  out->push_back(']');
}

}  // namespace

absl::Status WriteVerdicts(const std::string& path, const Detection& detection, const AccountFeatureTable& features,
                           const ingest::Interners& interners) {
  absl::StatusOr<std::unique_ptr<io::OutputFile>> out = io::OutputFile::Open(path);
  if (!out.ok()) return out.status();
  std::string line;
  for (const AccountVerdict& verdict : detection.verdicts) {
    if (features.Get(verdict.account).events == 0) continue;
    line = VerdictJson(verdict, detection, interners);
    line += '\n';
    (*out)->Write(line);
  }
  return (*out)->Close();
}

std::string VerdictJson(const AccountVerdict& verdict, const Detection& detection, const ingest::Interners& interners) {
  std::string line = "{";
  AppendKey(&line, "account");
  io::AppendJsonString(&line, interners.account.Name(verdict.account));
  line += ",";
  AppendKey(&line, "action");
  io::AppendJsonString(&line, ActionName(verdict.action));
  fmt::format_to(std::back_inserter(line), ",\"score\":{:.4f},\"points\":{:.2f},\"campaign\":", verdict.score,
                 verdict.points);
  if (verdict.campaign >= 0) {
    io::AppendJsonString(&line, detection.campaigns[verdict.campaign].id);
  } else {
    line += "null";
  }
  fmt::format_to(std::back_inserter(line), ",\"since\":{},", verdict.since_ms);
  AppendKey(&line, "reasons");
  AppendStringArray(&line, verdict.reasons);
  line += "}";
  return line;
}

std::string CampaignsJson(const Detection& detection, const ingest::Interners& interners) {
  std::string out = "{\"campaigns\":[";
  for (size_t index = 0; index < detection.campaigns.size(); ++index) {
    const Campaign& campaign = detection.campaigns[index];
    if (index > 0) out += ",";
    out += "\n{";
    AppendKey(&out, "id");
    io::AppendJsonString(&out, campaign.id);
    fmt::format_to(std::back_inserter(out),
                   ",\"score\":{:.4f},\"account_count\":{},\"exchanges\":{},\"input_tokens\":{},\"output_tokens\":{},",
                   campaign.score, campaign.accounts.size(), campaign.exchanges, campaign.input_tokens,
                   campaign.output_tokens);
    fmt::format_to(std::back_inserter(out), "\"first_seen\":\"{}\",\"last_seen\":\"{}\",\"since\":{},",
                   ingest::FormatRfc3339Millis(campaign.first_ms), ingest::FormatRfc3339Millis(campaign.last_ms),
                   campaign.since_ms);
    fmt::format_to(std::back_inserter(out),
                   "\"median_account_points\":{:.2f},\"proxy_share\":{:.4f},\"country_mismatch_share\":{:.4f},"
                   "\"young_account_share\":{:.4f},\"median_active_days\":{:.1f},"
                   "\"capability_concentration\":{:.4f},\"template_repetition\":{:.4f},",
                   campaign.median_points, campaign.proxy_share, campaign.country_mismatch, campaign.young_share,
                   campaign.median_active_days, campaign.capability_concentration, campaign.template_repetition);
    out += "\"capability_mix\":{";
    bool first = true;
    for (const auto& [capability, share] : CapabilityMix(campaign)) {
      if (!first) out += ",";
      first = false;
      AppendKey(&out, text::CapabilityName(capability));
      fmt::format_to(std::back_inserter(out), "{:.4f}", share);
    }
    out += "},\"indicators\":[";
    for (size_t i = 0; i < campaign.indicators.size(); ++i) {
      const Indicator& indicator = campaign.indicators[i];
      if (i > 0) out += ",";
      out += "{";
      AppendKey(&out, "type");
      io::AppendJsonString(&out, indicator.signal);
      out += ",";
      AppendKey(&out, "value");
      io::AppendJsonString(&out, indicator.value);
      fmt::format_to(std::back_inserter(out), ",\"campaign_accounts\":{},\"all_accounts\":{}", indicator.accounts,
                     indicator.total_accounts);
      if (indicator.qualified_accounts >= 0) {
        fmt::format_to(std::back_inserter(out), ",\"suspicious_accounts\":{},\"expected_by_chance\":{:.2f}",
                       indicator.qualified_accounts, indicator.expected_by_chance);
      }
      out += "}";
    }
    out += "],";
    AppendKey(&out, "evidence");
    AppendStringArray(&out, campaign.evidence);
    out += ",";
    AppendKey(&out, "accounts");
    out += "[";
    for (size_t i = 0; i < campaign.accounts.size(); ++i) {
      if (i > 0) out += ",";
      io::AppendJsonString(&out, interners.account.Name(campaign.accounts[i]));
    }
    out += "]}";
  }
  out += "\n],";
  AppendKey(&out, "unused_signals");
  AppendStringArray(&out, detection.unused_signals);
  fmt::format_to(std::back_inserter(out), ",\"events\":{},\"prompts_read\":{},\"prompts_not_covered\":{}}}\n",
                 detection.events, detection.prompts_read, detection.prompts_not_covered);
  return out;
}

std::string SummaryText(const Detection& detection) {
  std::string out;
  size_t flagged = 0, monitored = 0, accounts = 0;
  for (const AccountVerdict& verdict : detection.verdicts) {  // every account has events
    ++accounts;
    flagged += Flagged(verdict.action);
    monitored += verdict.action == Action::kMonitor;
  }
  fmt::format_to(std::back_inserter(out), "{} events, {} accounts: {} campaign(s), {} accounts flagged, {} monitored\n",
                 detection.events, accounts, detection.campaigns.size(), flagged, monitored);
  for (const Campaign& campaign : detection.campaigns) {
    fmt::format_to(std::back_inserter(out), "\n{}  score {:.2f}  {} accounts  {} exchanges  {} output tokens\n",
                   campaign.id, campaign.score, campaign.accounts.size(), campaign.exchanges, campaign.output_tokens);
    fmt::format_to(std::back_inserter(out), "  active {} .. {}\n", ingest::FormatRfc3339Millis(campaign.first_ms),
                   ingest::FormatRfc3339Millis(campaign.last_ms));
    std::string mix;
    for (const auto& [capability, share] : CapabilityMix(campaign)) {
      if (share < 0.01) continue;
      fmt::format_to(std::back_inserter(mix), "{}{} {:.0f}%", mix.empty() ? "" : ", ", text::CapabilityName(capability),
                     share * 100);
    }
    fmt::format_to(std::back_inserter(out), "  capability mix: {}\n", mix.empty() ? "unknown (no prompt text)" : mix);
    for (const std::string& line : campaign.evidence) fmt::format_to(std::back_inserter(out), "  - {}\n", line);
    size_t shown = 0;
    for (const Indicator& indicator : campaign.indicators) {
      if (shown++ == 6) break;
      fmt::format_to(std::back_inserter(out), "  indicator {} {} ({} of its accounts, {} overall)\n", indicator.signal,
                     indicator.value, indicator.accounts, indicator.total_accounts);
    }
  }
  if (detection.out_of_order_events * 1000 > detection.events) {
    fmt::format_to(std::back_inserter(out),
                   "\nwarning: {} events were older than their account's previous event; give inputs in time "
                   "order (timing signals skip those events)\n",
                   detection.out_of_order_events);
  }
  if (detection.prompts_not_covered > 0) {
    fmt::format_to(std::back_inserter(out),
                   "\n{} of {} prompts read are in a language the text classifier does not cover: left out of "
                   "the content signals (capability, reasoning, dataset tasks)\n",
                   detection.prompts_not_covered, detection.prompts_read);
  }
  if (!detection.unused_signals.empty()) {
    out += "\nsignals not used (their inputs are absent):\n";
    for (const std::string& name : detection.unused_signals) fmt::format_to(std::back_inserter(out), "  {}\n", name);
  }
  return out;
}

}  // namespace hydraguard::engine
