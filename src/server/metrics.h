// Metrics: the gateway's counters, histograms and gauges, rendered in the
// Prometheus text format at GET /metrics.
//
//   hydraguard_decisions_total{action="throttle",reason="ok"} 12
//   hydraguard_limiter_seconds_bucket{le="0.001"} 9120
//   hydraguard_redis_up 1
//   hydraguard_stream_backlog 0
//
// Counting is lock-free (relaxed atomics in fixed arrays) so that it costs
// nothing next to a decision. Gauges are read at render time from callbacks.
//
// Thread-safety: every method may run concurrently.
#ifndef HYDRAGUARD_SERVER_METRICS_H_
#define HYDRAGUARD_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/verdict.h"

namespace hydraguard::server {

// Why a request ended as it did; label values of decisions_total.
enum class Reason {
  kOk,
  kVerdict,
  kVerificationRequired,
  kRateLimited,
  kStateUnavailable,
  kUnauthenticated,
  kBadRequest,
  kTooLarge,
  kTimeout,
  kNotFound,
  kCount,
};
std::string_view ReasonName(Reason reason);
// Maps Decision::reason; kOk for anything unknown.
Reason ReasonOf(std::string_view name);

class Histogram {
 public:
  void Observe(double seconds);
  void Render(std::string_view name, std::string_view help, std::string* out) const;

 private:
  static constexpr std::array<double, 12> kBounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                     0.005,   0.01,   0.025,   0.1,    1,     10};
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

class Metrics {
 public:
  void CountDecision(engine::Action action, Reason reason);
  // label: messages, chat_completions, responses, embeddings, batches,
  // count_tokens, models, usage, check; anything else: other.
  void CountEndpoint(std::string_view endpoint);
  void CountDegraded() { degraded_.fetch_add(1, std::memory_order_relaxed); }
  void CountUpstreamError() { upstream_errors_.fetch_add(1, std::memory_order_relaxed); }
  void CountSettleError() { settle_errors_.fetch_add(1, std::memory_order_relaxed); }
  void CountStripped() { stripped_.fetch_add(1, std::memory_order_relaxed); }
  void CountClientGone() { client_gone_.fetch_add(1, std::memory_order_relaxed); }
  void CountRefreshError() { refresh_errors_.fetch_add(1, std::memory_order_relaxed); }
  // A proxied request sent on a kept-alive upstream connection (reused) or a new one.
  void CountUpstreamConnection(bool reused) {
    upstream_connections_[reused ? 1 : 0].fetch_add(1, std::memory_order_relaxed);
  }
  Histogram& limiter_latency() { return limiter_latency_; }
  Histogram& request_latency() { return request_latency_; }

  // A gauge read at each render: name (with labels, if any), help, value.
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  // A counter kept elsewhere (only ever grows), read at each render. REQUIRES:
  // `name` ends in "_total" (Prometheus naming).
  void AddCounter(std::string name, std::string help, std::function<double()> read);

  uint64_t decisions(engine::Action action, Reason reason) const;
  std::string Render() const;

 private:
  static constexpr int kActions = 5;
  std::array<std::array<std::atomic<uint64_t>, static_cast<int>(Reason::kCount)>, kActions> decisions_{};
  std::array<std::atomic<uint64_t>, 10> endpoints_{};
  std::atomic<uint64_t> degraded_{0}, upstream_errors_{0}, settle_errors_{0}, stripped_{0}, client_gone_{0},
      refresh_errors_{0};
  std::array<std::atomic<uint64_t>, 2> upstream_connections_{};  // new, reused
  Histogram limiter_latency_, request_latency_;
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
    bool counter = false;
  };
  mutable std::mutex gauges_mutex_;
  std::vector<Gauge> gauges_;
};

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_METRICS_H_
