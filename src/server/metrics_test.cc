#include "server/metrics.h"

#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hydraguard::server {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, RendersPrometheusTextWithLabels) {
  Metrics metrics;
  metrics.CountDecision(engine::Action::kThrottle, Reason::kOk);
  metrics.CountDecision(engine::Action::kAllow, Reason::kRateLimited);
  metrics.CountDecision(engine::Action::kAllow, Reason::kRateLimited);
  metrics.CountEndpoint("messages");
  metrics.limiter_latency().Observe(0.0003);
  metrics.limiter_latency().Observe(0.2);
  metrics.AddGauge("hydraguard_redis_up", "1 when up.", [] { return 1.0; });
  std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE hydraguard_decisions_total counter\n"));
  EXPECT_THAT(text, HasSubstr("hydraguard_decisions_total{action=\"throttle\",reason=\"ok\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hydraguard_decisions_total{action=\"allow\",reason=\"rate_limited\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hydraguard_requests_total{endpoint=\"messages\"} 1\n"));
  // Buckets are cumulative; +Inf equals the count.
  EXPECT_THAT(text, HasSubstr("hydraguard_limiter_seconds_bucket{le=\"0.00025\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("hydraguard_limiter_seconds_bucket{le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hydraguard_limiter_seconds_bucket{le=\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hydraguard_limiter_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hydraguard_limiter_seconds_count 2\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE hydraguard_redis_up gauge\nhydraguard_redis_up 1\n"));
}

TEST(Metrics, CountsFromManyThreads) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) metrics.CountDecision(engine::Action::kBlock, Reason::kVerdict);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(metrics.decisions(engine::Action::kBlock, Reason::kVerdict), 40'000u);
}

TEST(Metrics, ReasonNamesRoundTrip) {
  for (int index = 0; index < static_cast<int>(Reason::kCount); ++index) {
    EXPECT_EQ(ReasonOf(ReasonName(static_cast<Reason>(index))), static_cast<Reason>(index));
  }
  EXPECT_EQ(ReasonOf("no such reason"), Reason::kOk);
}

}  // namespace
}  // namespace hydraguard::server
