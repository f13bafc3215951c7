// EventStats: what is in a log, at a glance (`hydraguard stats`).
//
//   StatsCollector collector;
//   ReadEvents(paths, options, &interners, &bad_input, &counters,
//              [&](const Event& e) { collector.Add(e); });
//   EventStats stats = collector.Finish(interners);
//   std::fputs(FormatStatsText(stats, counters, bad_input).c_str(), stdout);
#ifndef HYDRAGUARD_STATS_EVENT_STATS_H_
#define HYDRAGUARD_STATS_EVENT_STATS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "ingest/bad_input.h"
#include "ingest/event.h"
#include "ingest/event_reader.h"
#include "ingest/interner.h"

namespace hydraguard::stats {

struct EventStats {
  uint64_t events = 0;
  uint64_t accounts = 0;
  uint64_t orgs = 0;
  uint64_t payments = 0;
  uint64_t ips = 0;
  uint64_t ipv4_prefixes = 0;  // distinct /24
  uint64_t ipv6_prefixes = 0;  // distinct /48
  uint64_t asns = 0;
  int64_t first_ts_ms = 0;  // valid when events > 0
  int64_t last_ts_ms = 0;
  uint64_t input_tokens = 0;
  uint64_t output_tokens = 0;
  uint64_t events_with_prompt = 0;
  // (name, events), most events first; "(none)" for events without the field.
  std::vector<std::pair<std::string, uint64_t>> by_endpoint;
  std::vector<std::pair<std::string, uint64_t>> by_model;
};

class StatsCollector {
 public:
  void Add(const ingest::Event& event);
  EventStats Finish(const ingest::Interners& interners) const;

 private:
  // Marks id in `seen`; returns true the first time.
  static bool Mark(std::vector<bool>& seen, ingest::Id id);

  EventStats partial_;
  std::vector<bool> seen_account_, seen_org_, seen_payment_, seen_ip_, seen_prefix_;
  std::vector<uint64_t> endpoint_events_, model_events_;  // by id
  absl::flat_hash_set<uint32_t> asns_;
  uint64_t no_endpoint_ = 0, no_model_ = 0;
};

// Human-readable report.
std::string FormatStatsText(const EventStats& stats, const ingest::ReadCounters& counters,
                            const ingest::BadInputLog& bad_input);
// The same figures as one JSON object.
std::string FormatStatsJson(const EventStats& stats, const ingest::ReadCounters& counters,
                            const ingest::BadInputLog& bad_input);

}  // namespace hydraguard::stats

#endif  // HYDRAGUARD_STATS_EVENT_STATS_H_
