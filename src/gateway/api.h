// The two LLM APIs the gateway fronts, and how each shapes its errors and
// rate-limit headers, so that a refused client sees what the real API would
// send it.
//
//   ApiKind kind = ApiOfPath("/v1/messages").value();       // kAnthropic
//   std::string body = ErrorBody(kind, ErrorKind::kRateLimited, "slow down");
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_GATEWAY_API_H_
#define HYDRAGUARD_GATEWAY_API_H_

#include <optional>
#include <string>
#include <string_view>

namespace hydraguard::gateway {

enum class ApiKind { kAnthropic, kOpenAi };

inline constexpr std::string_view kAnthropicMessagesPath = "/v1/messages";
inline constexpr std::string_view kOpenAiChatPath = "/v1/chat/completions";

// What the gateway does with a request, by path (query string ignored):
//   generation  admitted, limited, recorded and settled like a single request:
//               /v1/messages, /v1/chat/completions, /v1/responses, /v1/embeddings
//   batch       POST /v1/messages/batches: every request inside is judged, and
//               the batch is admitted as a whole against the limits (its
//               requests and tokens added up) or refused, naming the limit
//   passthrough forwarded after authentication, nothing generated:
//               /v1/messages/count_tokens, /v1/models[/...], GET
//               /v1/messages/batches[/...] (list, results, cancel), /v1/responses/ID
enum class Endpoint {
  kMessages,
  kChatCompletions,
  kResponses,
  kEmbeddings,
  kMessageBatches,
  kPassThrough,
};
struct Route {
  ApiKind api = ApiKind::kAnthropic;  // whose error shapes and headers (models: by the credential's form)
  Endpoint endpoint = Endpoint::kMessages;
  std::string_view name;  // metrics label, e.g. "messages", "responses", "models"
};
std::optional<Route> RouteOf(std::string_view path);
bool IsGeneration(Endpoint endpoint);

// The API served at `path` (query string ignored), if any.
std::optional<ApiKind> ApiOfPath(std::string_view path);
std::string_view ApiName(ApiKind kind);  // "anthropic", "openai"

// Why a request is refused, in the terms both APIs share.
enum class ErrorKind {
  kInvalidRequest,  // 400 (also 413 for a body over the limit)
  kAuthentication,  // 401: no key, or a key not in the table
  kPermission,      // 403: verification required, blocked, challenged
  kNotFound,        // 404
  kRateLimited,     // 429
  kApiError,        // 500/502/503: the gateway or the upstream failed
  kOverloaded,      // 503/529: fail-closed while state is unreachable
};

// The body the API itself returns for such an error:
//   Anthropic {"type":"error","error":{"type":"rate_limit_error","message":M},"request_id":R}
//   OpenAI    {"error":{"message":M,"type":"rate_limit_exceeded","param":null,"code":C}}
// `code` (OpenAI's "code", e.g. "verification_required") may be empty (null);
// `request_id` too (Anthropic: left out). OpenAI sends its request id in the
// x-request-id header only.
std::string ErrorBody(ApiKind kind, ErrorKind error, std::string_view message, std::string_view code = {},
                      std::string_view request_id = {});

// A new request id for a response the gateway makes itself: "req_" and 24
// random hex digits, as the APIs' own. Thread-safe.
std::string NewRequestId();
// The response header that carries it: "request-id" (Anthropic) or
// "x-request-id" (OpenAI), as each API does.
const char* RequestIdHeader(ApiKind kind);

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_API_H_
