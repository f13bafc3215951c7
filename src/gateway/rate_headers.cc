#include "gateway/rate_headers.h"

#include "fmt/format.h"
#include "ingest/timestamp.h"

namespace hydraguard::gateway {
namespace {

// By LimitKind: the RateLimit policy item, and anthropic-ratelimit-<x>-*.
constexpr const char* kNames[3] = {"requests", "input-tokens", "output-tokens"};

int64_t CeilSeconds(int64_t ms) { return ms <= 0 ? 0 : (ms + 999) / 1000; }

// OpenAI writes durations like "1s", "6m0s", "20ms".
std::string OpenAiDuration(int64_t ms) {
  if (ms < 1000) return fmt::format("{}ms", std::max<int64_t>(ms, 0));
  int64_t seconds = CeilSeconds(ms);
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m{}s", seconds / 60, seconds % 60);
  return fmt::format("{}h{}m{}s", seconds / 3600, seconds / 60 % 60, seconds % 60);
}

// The token limit that binds this request: the one that refused it, else
// the input or output limit with the smaller share left.
const LimitState* BindingTokens(const Decision& decision) {
  const LimitState& input = decision.limits[static_cast<int>(LimitKind::kInputTokens)];
  const LimitState& output = decision.limits[static_cast<int>(LimitKind::kOutputTokens)];
  if (!decision.allowed && !decision.limiter.empty()) {
    std::string_view cell = std::string_view(decision.limiter).substr(decision.limiter.rfind(':') + 1);
    std::optional<LimitKind> kind = LimitKindOfCell(cell);
    if (kind == LimitKind::kInputTokens && input.known) return &input;
    if (kind == LimitKind::kOutputTokens && output.known) return &output;
  }
  if (!input.known) return output.known ? &output : nullptr;
  if (!output.known) return &input;
  // remaining/limit compared without division.
  return static_cast<double>(output.remaining) * input.limit < static_cast<double>(input.remaining) * output.limit
             ? &output
             : &input;
}

// Until the limiter is full again: nothing to wait for when it is full.
int64_t ResetMs(const LimitState& limit) { return limit.remaining >= limit.limit ? 0 : limit.reset_ms; }

}  // namespace

Headers RateLimitHeaders(ApiKind api, const Decision& decision, int64_t now_ms) {
  Headers headers;
  std::string policy, state;
  auto anthropic = [&](std::string_view name, const LimitState& limit) {
    std::string prefix = fmt::format("anthropic-ratelimit-{}-", name);
    headers.emplace_back(prefix + "limit", std::to_string(limit.limit));
    headers.emplace_back(prefix + "remaining", std::to_string(limit.remaining));
    headers.emplace_back(prefix + "reset", ingest::FormatRfc3339Millis(now_ms + CeilSeconds(ResetMs(limit)) * 1000));
  };
  auto openai = [&](std::string_view name, const LimitState& limit) {
    headers.emplace_back(fmt::format("x-ratelimit-limit-{}", name), std::to_string(limit.limit));
    headers.emplace_back(fmt::format("x-ratelimit-remaining-{}", name), std::to_string(limit.remaining));
    headers.emplace_back(fmt::format("x-ratelimit-reset-{}", name), OpenAiDuration(ResetMs(limit)));
  };
  for (int kind = 0; kind < 3; ++kind) {
    const LimitState& limit = decision.limits[kind];
    if (!limit.known) continue;
    if (!policy.empty()) {
      policy += ", ";
      state += ", ";
    }
    fmt::format_to(std::back_inserter(policy), "\"{}\";q={};w={}", kNames[kind], limit.limit, limit.window_ms / 1000);
    fmt::format_to(std::back_inserter(state), "\"{}\";r={};t={}", kNames[kind], limit.remaining,
                   CeilSeconds(ResetMs(limit)));
    if (api == ApiKind::kAnthropic) anthropic(kNames[kind], limit);
  }
  // One "tokens" figure: Anthropic's combined headers, OpenAI's only ones.
  if (const LimitState* tokens = BindingTokens(decision)) {
    if (api == ApiKind::kAnthropic) {
      anthropic("tokens", *tokens);
    } else {
      openai("tokens", *tokens);
    }
  }
  if (api == ApiKind::kOpenAi && decision.limits[static_cast<int>(LimitKind::kRequests)].known) {
    openai("requests", decision.limits[static_cast<int>(LimitKind::kRequests)]);
  }
  if (!policy.empty()) {
    headers.emplace_back("RateLimit-Policy", std::move(policy));
    headers.emplace_back("RateLimit", std::move(state));
  }
  if (!decision.allowed && decision.retry_after_ms > 0) {
    headers.emplace_back("Retry-After", std::to_string(CeilSeconds(decision.retry_after_ms)));
  }
  // Read by the official SDKs (Stainless): "false" stops their retries.
  if (!decision.allowed && decision.not_retryable) headers.emplace_back("x-should-retry", "false");
  return headers;
}

}  // namespace hydraguard::gateway
