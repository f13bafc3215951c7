// The event (DESIGN.md schema v1) the gateway records for every request it
// decides, admitted or refused, so the detection engine sees exactly the
// traffic the gateway saw (Redis Stream "hg:events", field "event").
//
//   std::string line = EventLine(context, outcome, config.event_prompts);
//
// The system prompt and last user turn are kept as `prompts` says (full,
// truncated, hashed or left out): see GatewayConfig::event_prompts.
//
// The API key is never written: "key" is "k_" + 16 hex digits of its XXH3
// hash, stable across gateways, so the engine can still group by key.
//
// Whatever the client sent, the line is valid UTF-8 JSON that the engine's
// parser accepts (fuzz/event_line_fuzzer.cc): bytes that are not UTF-8
// become U+FFFD, and a country that is not an ISO code is left out. A
// request must never be hidden from detection by the bytes it carries.
//
// Thread-safety: pure function.
#ifndef HYDRAGUARD_GATEWAY_EVENT_LINE_H_
#define HYDRAGUARD_GATEWAY_EVENT_LINE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/config.h"
#include "gateway/policy.h"

namespace hydraguard::gateway {

struct EventOutcome {
  std::string_view api_key;   // hashed, never written
  std::string_view endpoint;  // "/v1/messages"
  std::string_view country;   // ip_country from a trusted header, may be empty
  int status = 0;             // HTTP status returned to the client
  int64_t input_tokens = -1;  // real usage; -1: unknown (not written)
  int64_t output_tokens = -1;
};

// One JSON line (no trailing newline). REQUIRES: context.identity non-null.
std::string EventLine(const RequestContext& context, const EventOutcome& outcome, const EventPrompts& prompts = {});

// "k_" + 16 lower-case hex digits.
std::string KeyId(std::string_view api_key);

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_EVENT_LINE_H_
