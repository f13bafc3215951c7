// ApiRequest: the facts the policy needs from an Anthropic Messages or OpenAI
// Chat Completions request body: model, output cap, streaming, the system
// prompt, the latest user turn, and the size of the input for the token
// estimate. The body itself is forwarded untouched.
//
//   absl::StatusOr<ApiRequest> request = ParseApiRequest(ApiKind::kAnthropic, body);
//   if (!request.ok()) ... 400 with request.status().message()
//
// Thread-safety: pure function.
#ifndef HYDRAGUARD_GATEWAY_REQUEST_H_
#define HYDRAGUARD_GATEWAY_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "gateway/api.h"

namespace hydraguard::gateway {

struct ApiRequest {
  std::string model;
  int64_t max_tokens = 0;  // OpenAI: max_completion_tokens or max_tokens; 0 when absent
  bool stream = false;
  std::string system;       // system prompt text (OpenAI: system/developer messages)
  std::string prompt;       // text of the latest user turn
  int64_t input_chars = 0;  // bytes of every text the model reads (system, messages, tools)
  int turn = 0;             // user turns so far
  int tools = 0;            // tool definitions
  bool generates = true;    // false for embeddings: nothing to reserve for output
};

// InvalidArgument with a message fit for the client ("messages: required")
// when the body is not JSON or lacks what the API requires.
absl::StatusOr<ApiRequest> ParseApiRequest(ApiKind kind, std::string_view body);
// The same for any generation endpoint: Messages and Chat Completions as
// above; Responses (input as text or items, instructions as the system
// prompt, max_output_tokens as the cap); Embeddings (input as text, texts or
// token arrays; generates nothing). REQUIRES: IsGeneration(endpoint).
absl::StatusOr<ApiRequest> ParseEndpointRequest(Endpoint endpoint, std::string_view body);

// OpenAI sends the usage of a streamed completion only when the request asks
// for it (stream_options.include_usage); without it the gateway could not
// settle a stream's token reservation. For a body with "stream": true whose
// stream_options do not say include_usage: true, the body with
// "include_usage": true set (stream_options added, filled in, or replaced
// when null); every other byte is kept. nullopt when nothing needs to change:
// not streamed, usage already asked for, or not a JSON object (stream_options
// of another type are left for the upstream to refuse).
std::optional<std::string> WithStreamUsage(std::string_view body);

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_REQUEST_H_
