// The rate-limit headers a decision puts on the response, as each API and
// the IETF draft (draft-ietf-httpapi-ratelimit-headers) spell them:
//
//   RateLimit-Policy: "requests";q=50;w=60, "input-tokens";q=40000;w=60
//   RateLimit: "requests";r=12;t=5
//   anthropic-ratelimit-requests-limit: 50          (Anthropic Messages)
//   anthropic-ratelimit-requests-remaining: 12
//   anthropic-ratelimit-requests-reset: 2026-11-23T01:02:03Z
//   anthropic-ratelimit-tokens-limit: 20000         (the binding token limit, as Anthropic combines them)
//   x-ratelimit-limit-requests: 50                  (OpenAI Chat Completions)
//   x-ratelimit-reset-requests: 5s
//   x-ratelimit-remaining-tokens: 0                 (the binding token limit, input or output)
//   Retry-After: 5                                  (refusals with a wait)
//   x-should-retry: false                           (refusals no wait would cure: larger than a limit)
//
// Each describes the tightest limiter of its kind the request touched. The
// one "tokens" figure is the token limit that binds: the one that refused the
// request, else the input or output limit with the smaller share left. A
// full limiter resets in 0 s.
//
// Thread-safety: pure function.
#ifndef HYDRAGUARD_GATEWAY_RATE_HEADERS_H_
#define HYDRAGUARD_GATEWAY_RATE_HEADERS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gateway/api.h"
#include "gateway/policy.h"

namespace hydraguard::gateway {

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers RateLimitHeaders(ApiKind api, const Decision& decision, int64_t now_ms);

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_RATE_HEADERS_H_
