#include "gateway/api.h"

#include <random>

#include "fmt/format.h"
#include "io/json_writer.h"

namespace hydraguard::gateway {
namespace {

std::string_view AnthropicType(ErrorKind error) {
  switch (error) {
    case ErrorKind::kInvalidRequest:
      return "invalid_request_error";
    case ErrorKind::kAuthentication:
      return "authentication_error";
    case ErrorKind::kPermission:
      return "permission_error";
    case ErrorKind::kNotFound:
      return "not_found_error";
    case ErrorKind::kRateLimited:
      return "rate_limit_error";
    case ErrorKind::kApiError:
      return "api_error";
    case ErrorKind::kOverloaded:
      return "overloaded_error";
  }
  return "api_error";
}

std::string_view OpenAiType(ErrorKind error) {
  switch (error) {
    case ErrorKind::kInvalidRequest:
      return "invalid_request_error";
    case ErrorKind::kAuthentication:
      return "invalid_request_error";
    case ErrorKind::kPermission:
      return "invalid_request_error";
    case ErrorKind::kNotFound:
      return "invalid_request_error";
    case ErrorKind::kRateLimited:
      return "rate_limit_exceeded";
    case ErrorKind::kApiError:
      return "server_error";
    case ErrorKind::kOverloaded:
      return "server_error";
  }
  return "server_error";
}

}  // namespace

std::optional<Route> RouteOf(std::string_view path) {
  path = path.substr(0, path.find('?'));
  auto under = [&](std::string_view prefix) {
    return path.starts_with(prefix) && path.size() > prefix.size() && path[prefix.size()] == '/';
  };
  if (path == kAnthropicMessagesPath) return Route{ApiKind::kAnthropic, Endpoint::kMessages, "messages"};
  if (path == kOpenAiChatPath) return Route{ApiKind::kOpenAi, Endpoint::kChatCompletions, "chat_completions"};
  if (path == "/v1/responses") return Route{ApiKind::kOpenAi, Endpoint::kResponses, "responses"};
  if (path == "/v1/embeddings") return Route{ApiKind::kOpenAi, Endpoint::kEmbeddings, "embeddings"};
  if (path == "/v1/messages/batches") return Route{ApiKind::kAnthropic, Endpoint::kMessageBatches, "batches"};
  if (under("/v1/messages/batches")) return Route{ApiKind::kAnthropic, Endpoint::kPassThrough, "batches"};
  if (path == "/v1/messages/count_tokens") return Route{ApiKind::kAnthropic, Endpoint::kPassThrough, "count_tokens"};
  if (path == "/v1/models" || under("/v1/models")) return Route{ApiKind::kAnthropic, Endpoint::kPassThrough, "models"};
  if (under("/v1/responses")) return Route{ApiKind::kOpenAi, Endpoint::kPassThrough, "responses"};
  return std::nullopt;
}

bool IsGeneration(Endpoint endpoint) {
  return endpoint == Endpoint::kMessages || endpoint == Endpoint::kChatCompletions ||
         endpoint == Endpoint::kResponses || endpoint == Endpoint::kEmbeddings;
}

std::optional<ApiKind> ApiOfPath(std::string_view path) {
  std::optional<Route> route = RouteOf(path);
  if (!route) return std::nullopt;
  return route->api;
}

std::string_view ApiName(ApiKind kind) { return kind == ApiKind::kAnthropic ? "anthropic" : "openai"; }

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  uint64_t high = generator(), low = generator();
  return fmt::format("req_{:08x}{:016x}", static_cast<uint32_t>(high), low);
}

const char* RequestIdHeader(ApiKind kind) { return kind == ApiKind::kAnthropic ? "request-id" : "x-request-id"; }

std::string ErrorBody(ApiKind kind, ErrorKind error, std::string_view message, std::string_view code,
                      std::string_view request_id) {
  std::string body;
  if (kind == ApiKind::kAnthropic) {
    body = "{\"type\":\"error\",\"error\":{\"type\":";
    io::AppendJsonString(&body, AnthropicType(error));
    body += ",\"message\":";
    io::AppendJsonString(&body, message);
    body += "}";
    if (!request_id.empty()) {
      body += ",\"request_id\":";
      io::AppendJsonString(&body, request_id);
    }
    body += "}";
    return body;
  }
  body = "{\"error\":{\"message\":";
  io::AppendJsonString(&body, message);
  body += ",\"type\":";
  io::AppendJsonString(&body, OpenAiType(error));
  body += ",\"param\":null,\"code\":";
  if (code.empty()) {
    body += "null";
  } else {
    io::AppendJsonString(&body, code);
  }
  body += "}}";
  return body;
}

}  // namespace hydraguard::gateway
