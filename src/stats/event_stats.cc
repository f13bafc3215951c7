#include "stats/event_stats.h"

#include <algorithm>

#include "fmt/format.h"
#include "ingest/timestamp.h"
#include "io/json_writer.h"

namespace hydraguard::stats {
namespace {

using ingest::kNoId;

std::vector<std::pair<std::string, uint64_t>> Ranked(const std::vector<uint64_t>& counts, uint64_t absent,
                                                     const ingest::StringInterner& names) {
  std::vector<std::pair<std::string, uint64_t>> ranked;
  for (size_t id = 0; id < counts.size(); ++id) {
    if (counts[id] > 0) ranked.emplace_back(std::string(names.Name(static_cast<ingest::Id>(id))), counts[id]);
  }
  if (absent > 0) ranked.emplace_back("(none)", absent);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return ranked;
}

void Count(std::vector<uint64_t>& counts, uint64_t& absent, ingest::Id id) {
  if (id == kNoId) {
    ++absent;
    return;
  }
  if (id >= counts.size()) counts.resize(id + 1, 0);
  ++counts[id];
}

std::string Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "0%" : fmt::format("{:.2f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

}  // namespace

bool StatsCollector::Mark(std::vector<bool>& seen, ingest::Id id) {
  if (id == kNoId) return false;
  if (id >= seen.size()) seen.resize(std::max<size_t>(id + 1, seen.size() * 2), false);
  if (seen[id]) return false;
  seen[id] = true;
  return true;
}

void StatsCollector::Add(const ingest::Event& event) {
  EventStats& s = partial_;
  if (s.events == 0 || event.ts_ms < s.first_ts_ms) s.first_ts_ms = event.ts_ms;
  if (s.events == 0 || event.ts_ms > s.last_ts_ms) s.last_ts_ms = event.ts_ms;
  ++s.events;
  s.accounts += Mark(seen_account_, event.account);
  s.orgs += Mark(seen_org_, event.org);
  s.payments += Mark(seen_payment_, event.payment);
  s.ips += Mark(seen_ip_, event.ip_id);
  if (Mark(seen_prefix_, event.ip_prefix_id)) ++(event.ip.is_v4() ? s.ipv4_prefixes : s.ipv6_prefixes);
  if (event.has(ingest::Field::kAsn)) asns_.insert(event.asn);
  s.input_tokens += static_cast<uint64_t>(event.input_tokens);
  s.output_tokens += static_cast<uint64_t>(event.output_tokens);
  s.events_with_prompt += event.has(ingest::Field::kPrompt);
  Count(endpoint_events_, no_endpoint_, event.endpoint);
  Count(model_events_, no_model_, event.model);
}

EventStats StatsCollector::Finish(const ingest::Interners& interners) const {
  EventStats stats = partial_;
  stats.asns = asns_.size();
  stats.by_endpoint = Ranked(endpoint_events_, no_endpoint_, interners.endpoint);
  stats.by_model = Ranked(model_events_, no_model_, interners.model);
  return stats;
}

std::string FormatStatsText(const EventStats& s, const ingest::ReadCounters& counters,
                            const ingest::BadInputLog& bad_input) {
  std::string out;
  auto line = [&out](std::string_view label, std::string value) { out += fmt::format("{:<22}{}\n", label, value); };
  line("files", fmt::format("{} ({} bytes, {} lines, {} blank)", counters.files, counters.bytes, counters.lines,
                            counters.blank_lines));
  line("events", std::to_string(s.events));
  line("accounts", std::to_string(s.accounts));
  line("orgs", std::to_string(s.orgs));
  line("payment instruments", std::to_string(s.payments));
  line("IPs", std::to_string(s.ips));
  line("IPv4 /24 prefixes", std::to_string(s.ipv4_prefixes));
  line("IPv6 /48 prefixes", std::to_string(s.ipv6_prefixes));
  line("ASNs", std::to_string(s.asns));
  if (s.events > 0) {
    double days = static_cast<double>(s.last_ts_ms - s.first_ts_ms) / 86400000.0;
    line("time range", fmt::format("{} .. {} ({:.2f} days)", ingest::FormatRfc3339Millis(s.first_ts_ms),
                                   ingest::FormatRfc3339Millis(s.last_ts_ms), days));
  } else {
    line("time range", "(no events)");
  }
  line("input tokens", std::to_string(s.input_tokens));
  line("output tokens", std::to_string(s.output_tokens));
  line("events with prompt", fmt::format("{} ({})", s.events_with_prompt, Percent(s.events_with_prompt, s.events)));
  for (const auto& [title, ranked] :
       {std::pair{"events by endpoint", &s.by_endpoint}, std::pair{"events by model", &s.by_model}}) {
    out += fmt::format("{}:\n", title);
    for (const auto& [name, count] : *ranked) {
      out += fmt::format("  {:<40} {:>12} {:>8}\n", name, count, Percent(count, s.events));
    }
  }
  line("bad lines", fmt::format("{} of {} lines ({}), skipped", bad_input.bad_lines(), counters.lines,
                                Percent(bad_input.bad_lines(), counters.lines)));
  for (const auto& [kind_field, count] : bad_input.by_kind_and_field()) {
    out += fmt::format("  {:<40} {:>12}\n", kind_field.first + " (" + kind_field.second + ")", count);
  }
  if (bad_input.unreadable_files() > 0) line("unreadable files", std::to_string(bad_input.unreadable_files()));
  if (bad_input.empty_files() > 0) line("empty files", std::to_string(bad_input.empty_files()));
  return out;
}

std::string FormatStatsJson(const EventStats& s, const ingest::ReadCounters& counters,
                            const ingest::BadInputLog& bad_input) {
  std::string out = "{";
  auto number = [&out](std::string_view key, auto value) { out += fmt::format("\"{}\":{},", key, value); };
  number("files", counters.files);
  number("bytes", counters.bytes);
  number("lines", counters.lines);
  number("blank_lines", counters.blank_lines);
  number("events", s.events);
  number("accounts", s.accounts);
  number("orgs", s.orgs);
  number("payments", s.payments);
  number("ips", s.ips);
  number("ipv4_prefixes", s.ipv4_prefixes);
  number("ipv6_prefixes", s.ipv6_prefixes);
  number("asns", s.asns);
  if (s.events > 0) {
    number("first_ts", s.first_ts_ms);
    number("last_ts", s.last_ts_ms);
  }
  number("input_tokens", s.input_tokens);
  number("output_tokens", s.output_tokens);
  number("events_with_prompt", s.events_with_prompt);
  for (const auto& [key, ranked] : {std::pair{"by_endpoint", &s.by_endpoint}, std::pair{"by_model", &s.by_model}}) {
    out += fmt::format("\"{}\":{{", key);
    for (const auto& [name, count] : *ranked) {
      io::AppendJsonString(&out, name);
      out += fmt::format(":{},", count);
    }
    if (out.back() == ',') out.pop_back();
    out += "},";
  }
  number("bad_lines", bad_input.bad_lines());
  out += "\"bad_lines_by_kind\":{";
  for (int kind = 0; kind < ingest::kErrorKindCount; ++kind) {
    out += fmt::format("\"{}\":{},", ingest::ErrorKindName(static_cast<ingest::ErrorKind>(kind)),
                       bad_input.count(static_cast<ingest::ErrorKind>(kind)));
  }
  out.pop_back();
  out += "},";
  number("unreadable_files", bad_input.unreadable_files());
  number("empty_files", bad_input.empty_files());
  out.pop_back();
  out += "}\n";
  return out;
}

}  // namespace hydraguard::stats
