#include "server/metrics.h"

#include <cassert>
#include <cmath>

#include "fmt/format.h"

namespace hydraguard::server {
namespace {

constexpr std::string_view kReasonNames[] = {"ok",           "verdict",           "verification_required",
                                             "rate_limited", "state_unavailable", "unauthenticated",
                                             "bad_request",  "too_large",         "timeout",
                                             "not_found"};
constexpr std::string_view kEndpointNames[] = {"messages",     "chat_completions", "responses", "embeddings", "batches",
                                               "count_tokens", "models",           "usage",     "check",      "other"};
constexpr size_t kOtherEndpoint = std::size(kEndpointNames) - 1;
constexpr std::string_view kConnectionNames[] = {"new", "reused"};

void Counter(std::string* out, std::string_view name, std::string_view help, uint64_t value) {
  fmt::format_to(std::back_inserter(*out), "# HELP {0} {1}\n# TYPE {0} counter\n{0} {2}\n", name, help, value);
}

}  // namespace

std::string_view ReasonName(Reason reason) { return kReasonNames[static_cast<int>(reason)]; }

Reason ReasonOf(std::string_view name) {
  for (int index = 0; index < static_cast<int>(Reason::kCount); ++index) {
    if (kReasonNames[index] == name) return static_cast<Reason>(index);
  }
  return Reason::kOk;
}

void Histogram::Observe(double seconds) {
  size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(std::max(seconds, 0.0) * 1e6)), std::memory_order_relaxed);
}

void Histogram::Render(std::string_view name, std::string_view help, std::string* out) const {
  fmt::format_to(std::back_inserter(*out), "# HELP {0} {1}\n# TYPE {0} histogram\n", name, help);
  uint64_t cumulative = 0;
  for (size_t bucket = 0; bucket < kBounds.size(); ++bucket) {
    cumulative += buckets_[bucket].load(std::memory_order_relaxed);
    fmt::format_to(std::back_inserter(*out), "{}_bucket{{le=\"{}\"}} {}\n", name, kBounds[bucket], cumulative);
  }
  cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
  fmt::format_to(std::back_inserter(*out), "{0}_bucket{{le=\"+Inf\"}} {1}\n{0}_sum {2}\n{0}_count {3}\n", name,
                 cumulative, static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6,
                 count_.load(std::memory_order_relaxed));
}

void Metrics::CountDecision(engine::Action action, Reason reason) {
  decisions_[static_cast<int>(action)][static_cast<int>(reason)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::CountEndpoint(std::string_view endpoint) {
  size_t index = kOtherEndpoint;
  for (size_t i = 0; i < kOtherEndpoint; ++i) {
    if (kEndpointNames[i] == endpoint) index = i;
  }
  endpoints_[index].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(gauges_mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void Metrics::AddCounter(std::string name, std::string help, std::function<double()> read) {
  assert(name.ends_with("_total"));
  std::lock_guard lock(gauges_mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read), true});
}

uint64_t Metrics::decisions(engine::Action action, Reason reason) const {
  return decisions_[static_cast<int>(action)][static_cast<int>(reason)].load(std::memory_order_relaxed);
}

std::string Metrics::Render() const {
  std::string out;
  out +=
      "# HELP hydraguard_decisions_total Requests decided, by the verdict in force and the outcome.\n"
      "# TYPE hydraguard_decisions_total counter\n";
  for (int action = 0; action < kActions; ++action) {
    for (int reason = 0; reason < static_cast<int>(Reason::kCount); ++reason) {
      uint64_t value = decisions_[action][reason].load(std::memory_order_relaxed);
      if (value == 0 && reason != 0) continue;
      fmt::format_to(std::back_inserter(out), "hydraguard_decisions_total{{action=\"{}\",reason=\"{}\"}} {}\n",
                     engine::ActionName(static_cast<engine::Action>(action)), kReasonNames[reason], value);
    }
  }
  out += "# HELP hydraguard_requests_total Requests received, by endpoint.\n# TYPE hydraguard_requests_total counter\n";
  for (size_t index = 0; index < endpoints_.size(); ++index) {
    fmt::format_to(std::back_inserter(out), "hydraguard_requests_total{{endpoint=\"{}\"}} {}\n", kEndpointNames[index],
                   endpoints_[index].load(std::memory_order_relaxed));
  }
  Counter(&out, "hydraguard_degraded_decisions_total",
          "Requests admitted without limits because the limiter state was unreachable (fail-open).", degraded_.load());
  Counter(&out, "hydraguard_upstream_errors_total", "Proxied requests the upstream failed (502/504).",
          upstream_errors_.load());
  Counter(&out, "hydraguard_settle_errors_total", "Token reservations that could not be settled.",
          settle_errors_.load());
  Counter(&out, "hydraguard_thinking_stripped_total", "Responses whose reasoning output was removed.",
          stripped_.load());
  Counter(&out, "hydraguard_client_gone_total", "Streams ended because the client went away.", client_gone_.load());
  Counter(&out, "hydraguard_refresh_errors_total", "Failed reloads of verdicts or keys.", refresh_errors_.load());
  out +=
      "# HELP hydraguard_upstream_requests_total Proxied requests, by whether their upstream connection was new or "
      "kept alive from an earlier one.\n# TYPE hydraguard_upstream_requests_total counter\n";
  for (size_t index = 0; index < upstream_connections_.size(); ++index) {
    fmt::format_to(std::back_inserter(out), "hydraguard_upstream_requests_total{{connection=\"{}\"}} {}\n",
                   kConnectionNames[index], upstream_connections_[index].load(std::memory_order_relaxed));
  }
  limiter_latency_.Render("hydraguard_limiter_seconds", "Time to decide all limiters of a request.", &out);
  request_latency_.Render("hydraguard_decision_seconds",
                          "Time from a complete request to its decision (parse, key, verdicts, limiters).", &out);
  std::lock_guard lock(gauges_mutex_);
  std::string_view last_family;
  for (const Gauge& gauge : gauges_) {
    std::string_view family = std::string_view(gauge.name).substr(0, gauge.name.find('{'));
    if (family != last_family) {
      fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} {2}\n", family, gauge.help,
                     gauge.counter ? "counter" : "gauge");
      last_family = family;
    }
    fmt::format_to(std::back_inserter(out), "{} {}\n", gauge.name, gauge.read());
  }
  return out;
}

}  // namespace hydraguard::server
