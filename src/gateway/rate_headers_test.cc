#include "gateway/rate_headers.h"

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hydraguard::gateway {
namespace {

constexpr int64_t kNow = 1'763'860'123'457;  // 2025-11-23T01:08:43.457Z

std::optional<std::string> Header(const Headers& headers, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [key, value] : headers) {
    if (key != name) continue;
    EXPECT_FALSE(found.has_value()) << "header " << name << " twice";
    found = value;
  }
  return found;
}

Decision AllowedWithAllLimits() {
  Decision decision;
  decision.allowed = true;
  decision.limits[static_cast<int>(LimitKind::kRequests)] =
      LimitState{.known = true, .limit = 50, .remaining = 12, .reset_ms = 4'500, .window_ms = 60'000};
  decision.limits[static_cast<int>(LimitKind::kInputTokens)] =
      LimitState{.known = true, .limit = 40'000, .remaining = 39'000, .reset_ms = 1'500, .window_ms = 60'000};
  decision.limits[static_cast<int>(LimitKind::kOutputTokens)] =
      LimitState{.known = true, .limit = 8'000, .remaining = 7'000, .reset_ms = 360'000, .window_ms = 86'400'000};
  return decision;
}

TEST(RateLimitHeadersTest, Anthropic) {
  Headers headers = RateLimitHeaders(ApiKind::kAnthropic, AllowedWithAllLimits(), kNow);
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-requests-limit"), "50");
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-requests-remaining"), "12");
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-requests-reset"), "2025-11-23T01:08:48.457Z");  // now + 5 s
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-input-tokens-limit"), "40000");
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-input-tokens-remaining"), "39000");
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-input-tokens-reset"), "2025-11-23T01:08:45.457Z");
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-output-tokens-limit"), "8000");
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-output-tokens-remaining"), "7000");
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-output-tokens-reset"), "2025-11-23T01:14:43.457Z");
  // Combined tokens: the binding limit, output (7/8 left) before input (39/40 left).
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-tokens-limit"), "8000");
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-tokens-remaining"), "7000");
  EXPECT_EQ(Header(headers, "anthropic-ratelimit-tokens-reset"), "2025-11-23T01:14:43.457Z");
  EXPECT_EQ(Header(headers, "RateLimit-Policy"),
            "\"requests\";q=50;w=60, \"input-tokens\";q=40000;w=60, \"output-tokens\";q=8000;w=86400");
  EXPECT_EQ(Header(headers, "RateLimit"),
            "\"requests\";r=12;t=5, \"input-tokens\";r=39000;t=2, \"output-tokens\";r=7000;t=360");
  EXPECT_EQ(Header(headers, "Retry-After"), std::nullopt);
  for (const auto& [name, value] : headers) EXPECT_THAT(name, ::testing::Not(::testing::StartsWith("x-ratelimit")));
  EXPECT_EQ(headers.size(), 12u + 2u);
}

TEST(RateLimitHeadersTest, OpenAi) {
  Headers headers = RateLimitHeaders(ApiKind::kOpenAi, AllowedWithAllLimits(), kNow);
  EXPECT_EQ(Header(headers, "x-ratelimit-limit-requests"), "50");
  EXPECT_EQ(Header(headers, "x-ratelimit-remaining-requests"), "12");
  EXPECT_EQ(Header(headers, "x-ratelimit-reset-requests"), "5s");
  // OpenAI's one token figure is the binding limit: output (7/8 left).
  EXPECT_EQ(Header(headers, "x-ratelimit-limit-tokens"), "8000");
  EXPECT_EQ(Header(headers, "x-ratelimit-remaining-tokens"), "7000");
  EXPECT_EQ(Header(headers, "x-ratelimit-reset-tokens"), "6m0s");
  // The IETF headers carry all three.
  EXPECT_THAT(Header(headers, "RateLimit-Policy").value_or(""), ::testing::HasSubstr("\"output-tokens\";q=8000"));
  EXPECT_EQ(Header(headers, "RateLimit"),
            "\"requests\";r=12;t=5, \"input-tokens\";r=39000;t=2, \"output-tokens\";r=7000;t=360");
  for (const auto& [name, value] : headers) EXPECT_THAT(name, ::testing::Not(::testing::StartsWith("anthropic-")));
  EXPECT_EQ(headers.size(), 6u + 2u);
}

TEST(RateLimitHeadersTest, OpenAiDurations) {
  struct Case {
    int64_t reset_ms;
    std::string text;
  };
  for (const Case& c : std::vector<Case>{{0, "0ms"},
                                         {20, "20ms"},
                                         {999, "999ms"},
                                         {1'000, "1s"},
                                         {1'001, "2s"},
                                         {59'000, "59s"},
                                         {59'001, "1m0s"},
                                         {90'000, "1m30s"},
                                         {360'000, "6m0s"},
                                         {3'599'000, "59m59s"},
                                         {3'600'000, "1h0m0s"},
                                         {3'723'000, "1h2m3s"},
                                         {86'400'000, "24h0m0s"}}) {
    Decision decision;
    decision.allowed = true;
    decision.limits[0] =
        LimitState{.known = true, .limit = 1, .remaining = 0, .reset_ms = c.reset_ms, .window_ms = 60'000};
    EXPECT_EQ(Header(RateLimitHeaders(ApiKind::kOpenAi, decision, kNow), "x-ratelimit-reset-requests"), c.text)
        << c.reset_ms;
  }
}

TEST(RateLimitHeadersTest, RetryAfterOnlyWhenRefusedWithAWait) {
  Decision refused = AllowedWithAllLimits();
  refused.allowed = false;
  refused.retry_after_ms = 20'001;
  for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
    Headers headers = RateLimitHeaders(api, refused, kNow);
    EXPECT_EQ(Header(headers, "Retry-After"), "21");  // whole seconds, rounded up
  }
  refused.retry_after_ms = 3'000;
  EXPECT_EQ(Header(RateLimitHeaders(ApiKind::kAnthropic, refused, kNow), "Retry-After"), "3");
  // Refused without a wait (e.g. blocked): no Retry-After.
  refused.retry_after_ms = 0;
  EXPECT_EQ(Header(RateLimitHeaders(ApiKind::kAnthropic, refused, kNow), "Retry-After"), std::nullopt);
  // Admitted: never.
  Decision allowed = AllowedWithAllLimits();
  allowed.retry_after_ms = 5'000;
  EXPECT_EQ(Header(RateLimitHeaders(ApiKind::kOpenAi, allowed, kNow), "Retry-After"), std::nullopt);
}

TEST(RateLimitHeadersTest, OnlyKnownLimits) {
  Decision none;
  none.allowed = true;
  EXPECT_TRUE(RateLimitHeaders(ApiKind::kAnthropic, none, kNow).empty());
  EXPECT_TRUE(RateLimitHeaders(ApiKind::kOpenAi, none, kNow).empty());

  Decision output_only;
  output_only.allowed = true;
  output_only.limits[static_cast<int>(LimitKind::kOutputTokens)] =
      LimitState{.known = true, .limit = 100, .remaining = 0, .reset_ms = 0, .window_ms = 60'000};
  Headers anthropic = RateLimitHeaders(ApiKind::kAnthropic, output_only, kNow);
  EXPECT_EQ(Header(anthropic, "RateLimit-Policy"), "\"output-tokens\";q=100;w=60");
  EXPECT_EQ(Header(anthropic, "RateLimit"), "\"output-tokens\";r=0;t=0");
  EXPECT_EQ(Header(anthropic, "anthropic-ratelimit-output-tokens-reset"), "2025-11-23T01:08:43.457Z");
  EXPECT_EQ(Header(anthropic, "anthropic-ratelimit-requests-limit"), std::nullopt);
  EXPECT_EQ(Header(anthropic, "anthropic-ratelimit-tokens-remaining"), "0");
  // OpenAI: its token headers are the output limit's, and the IETF headers.
  Headers openai = RateLimitHeaders(ApiKind::kOpenAi, output_only, kNow);
  EXPECT_EQ(openai.size(), 3u + 2u);
  EXPECT_EQ(Header(openai, "x-ratelimit-remaining-tokens"), "0");
  EXPECT_EQ(Header(openai, "RateLimit"), "\"output-tokens\";r=0;t=0");
}

// Refused by its output-token limit: the token headers say so (OpenAI once
// showed the untouched input limit, "remaining-tokens: 20000").
TEST(RateLimitHeadersTest, TheLimitThatRefusedIsTheOneReported) {
  Decision refused;
  refused.allowed = false;
  refused.limiter = "account:otpm";
  refused.retry_after_ms = 12'000;
  refused.limits[static_cast<int>(LimitKind::kInputTokens)] =
      LimitState{.known = true, .limit = 20'000, .remaining = 20'000, .reset_ms = 0, .window_ms = 60'000};
  refused.limits[static_cast<int>(LimitKind::kOutputTokens)] =
      LimitState{.known = true, .limit = 4'000, .remaining = 3'900, .reset_ms = 1'500, .window_ms = 60'000};
  Headers openai = RateLimitHeaders(ApiKind::kOpenAi, refused, kNow);
  EXPECT_EQ(Header(openai, "x-ratelimit-limit-tokens"), "4000");
  EXPECT_EQ(Header(openai, "x-ratelimit-remaining-tokens"), "3900");
  EXPECT_EQ(Header(openai, "x-ratelimit-reset-tokens"), "2s");
  EXPECT_EQ(Header(RateLimitHeaders(ApiKind::kAnthropic, refused, kNow), "anthropic-ratelimit-tokens-limit"), "4000");
  // Refused by the input limit: the input limit, though output has less left.
  refused.limiter = "payment:itpd";
  EXPECT_EQ(Header(RateLimitHeaders(ApiKind::kOpenAi, refused, kNow), "x-ratelimit-limit-tokens"), "20000");
}

TEST(RateLimitHeadersTest, AFullLimiterResetsNow) {
  Decision decision;
  decision.allowed = true;
  decision.limits[static_cast<int>(LimitKind::kInputTokens)] =
      LimitState{.known = true, .limit = 200'000, .remaining = 200'000, .reset_ms = 2, .window_ms = 60'000};
  Headers openai = RateLimitHeaders(ApiKind::kOpenAi, decision, kNow);
  EXPECT_EQ(Header(openai, "x-ratelimit-reset-tokens"), "0ms");
  EXPECT_EQ(Header(RateLimitHeaders(ApiKind::kAnthropic, decision, kNow), "anthropic-ratelimit-tokens-reset"),
            "2025-11-23T01:08:43.457Z");
}

TEST(RateLimitHeadersTest, NotRetryableRefusalsTellClientsNotToRetry) {
  Decision refused = AllowedWithAllLimits();
  refused.allowed = false;
  refused.not_retryable = true;
  for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
    Headers headers = RateLimitHeaders(api, refused, kNow);
    EXPECT_EQ(Header(headers, "x-should-retry"), "false");
    EXPECT_EQ(Header(headers, "Retry-After"), std::nullopt);
  }
  EXPECT_EQ(Header(RateLimitHeaders(ApiKind::kOpenAi, AllowedWithAllLimits(), kNow), "x-should-retry"), std::nullopt);
}

}  // namespace
}  // namespace hydraguard::gateway
