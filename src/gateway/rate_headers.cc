#include "gateway/rate_headers.h"

#include "fmt/format.h"
#include "ingest/timestamp.h"

namespace hydraguard::gateway {
namespace {

struct KindNames {
  const char* ietf;       // RateLimit policy item
  const char* anthropic;  // anthropic-ratelimit-<x>-*
  const char* openai;     // x-ratelimit-*-<x>; nullptr: none
};
constexpr KindNames kNames[3] = {
    {"requests", "requests", "requests"},
    {"input-tokens", "input-tokens", "tokens"},
    {"output-tokens", "output-tokens", nullptr},
};

int64_t CeilSeconds(int64_t ms) { return ms <= 0 ? 0 : (ms + 999) / 1000; }

// OpenAI writes durations like "1s", "6m0s", "20ms".
std::string OpenAiDuration(int64_t ms) {
  if (ms < 1000) return fmt::format("{}ms", std::max<int64_t>(ms, 0));
  int64_t seconds = CeilSeconds(ms);
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m{}s", seconds / 60, seconds % 60);
  return fmt::format("{}h{}m{}s", seconds / 3600, seconds / 60 % 60, seconds % 60);
}

}  // namespace

Headers RateLimitHeaders(ApiKind api, const Decision& decision, int64_t now_ms) {
  Headers headers;
  std::string policy, state;
  for (int kind = 0; kind < 3; ++kind) {
    const LimitState& limit = decision.limits[kind];
    if (!limit.known) continue;
    if (!policy.empty()) {
      policy += ", ";
      state += ", ";
    }
    fmt::format_to(std::back_inserter(policy), "\"{}\";q={};w={}", kNames[kind].ietf, limit.limit,
                   limit.window_ms / 1000);
    fmt::format_to(std::back_inserter(state), "\"{}\";r={};t={}", kNames[kind].ietf, limit.remaining,
                   CeilSeconds(limit.reset_ms));
    if (api == ApiKind::kAnthropic) {
      std::string prefix = fmt::format("anthropic-ratelimit-{}-", kNames[kind].anthropic);
      headers.emplace_back(prefix + "limit", std::to_string(limit.limit));
      headers.emplace_back(prefix + "remaining", std::to_string(limit.remaining));
      headers.emplace_back(prefix + "reset", ingest::FormatRfc3339Millis(now_ms + CeilSeconds(limit.reset_ms) * 1000));
    } else if (kNames[kind].openai != nullptr) {
      headers.emplace_back(fmt::format("x-ratelimit-limit-{}", kNames[kind].openai), std::to_string(limit.limit));
      headers.emplace_back(fmt::format("x-ratelimit-remaining-{}", kNames[kind].openai),
                           std::to_string(limit.remaining));
      headers.emplace_back(fmt::format("x-ratelimit-reset-{}", kNames[kind].openai), OpenAiDuration(limit.reset_ms));
    }
  }
  if (!policy.empty()) {
    headers.emplace_back("RateLimit-Policy", std::move(policy));
    headers.emplace_back("RateLimit", std::move(state));
  }
  if (!decision.allowed && decision.retry_after_ms > 0) {
    headers.emplace_back("Retry-After", std::to_string(CeilSeconds(decision.retry_after_ms)));
  }
  return headers;
}

}  // namespace hydraguard::gateway
