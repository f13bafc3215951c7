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
};

// InvalidArgument with a message fit for the client ("messages: required")
// when the body is not JSON or lacks what the API requires.
absl::StatusOr<ApiRequest> ParseApiRequest(ApiKind kind, std::string_view body);

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_REQUEST_H_
