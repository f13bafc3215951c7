#include "gateway/api.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace hydraguard::gateway {
namespace {

TEST(ApiTest, ApiOfPath) {
  EXPECT_EQ(ApiOfPath("/v1/messages"), ApiKind::kAnthropic);
  EXPECT_EQ(ApiOfPath("/v1/messages?beta=true"), ApiKind::kAnthropic);
  EXPECT_EQ(ApiOfPath("/v1/chat/completions"), ApiKind::kOpenAi);
  EXPECT_EQ(ApiOfPath("/v1/chat/completions?x=1"), ApiKind::kOpenAi);
  EXPECT_EQ(ApiOfPath("/v1/messages/count_tokens"), ApiKind::kAnthropic);
  EXPECT_EQ(ApiOfPath("/v1/completions"), std::nullopt);
  EXPECT_EQ(ApiOfPath("/v1/messages/"), std::nullopt);
  EXPECT_EQ(ApiOfPath(""), std::nullopt);
  EXPECT_EQ(ApiOfPath("?/v1/messages"), std::nullopt);
  EXPECT_EQ(ApiName(ApiKind::kAnthropic), "anthropic");
  EXPECT_EQ(ApiName(ApiKind::kOpenAi), "openai");
}

TEST(ApiTest, RoutesOfEveryEndpoint) {
  struct Case {
    std::string_view path;
    ApiKind api;
    Endpoint endpoint;
    std::string_view name;
  };
  for (const Case& c : {Case{"/v1/messages", ApiKind::kAnthropic, Endpoint::kMessages, "messages"},
                        Case{"/v1/chat/completions", ApiKind::kOpenAi, Endpoint::kChatCompletions, "chat_completions"},
                        Case{"/v1/responses", ApiKind::kOpenAi, Endpoint::kResponses, "responses"},
                        Case{"/v1/responses/resp_1", ApiKind::kOpenAi, Endpoint::kPassThrough, "responses"},
                        Case{"/v1/embeddings", ApiKind::kOpenAi, Endpoint::kEmbeddings, "embeddings"},
                        Case{"/v1/messages/batches", ApiKind::kAnthropic, Endpoint::kMessageBatches, "batches"},
                        Case{"/v1/messages/batches/b1/results", ApiKind::kAnthropic, Endpoint::kPassThrough, "batches"},
                        Case{"/v1/messages/count_tokens", ApiKind::kAnthropic, Endpoint::kPassThrough, "count_tokens"},
                        Case{"/v1/models?limit=5", ApiKind::kAnthropic, Endpoint::kPassThrough, "models"},
                        Case{"/v1/models/claude-x", ApiKind::kAnthropic, Endpoint::kPassThrough, "models"}}) {
    std::optional<Route> route = RouteOf(c.path);
    ASSERT_TRUE(route.has_value()) << c.path;
    EXPECT_EQ(route->api, c.api) << c.path;
    EXPECT_EQ(route->endpoint, c.endpoint) << c.path;
    EXPECT_EQ(route->name, c.name) << c.path;
  }
  for (std::string_view path : {"/v1/modelsx", "/v1/messages/batchesx", "/v1/completions", "/v1/responsesx"}) {
    EXPECT_FALSE(RouteOf(path).has_value()) << path;
  }
  EXPECT_TRUE(IsGeneration(Endpoint::kEmbeddings));
  EXPECT_FALSE(IsGeneration(Endpoint::kMessageBatches));
}

TEST(ErrorBodyTest, AnthropicShape) {
  EXPECT_EQ(ErrorBody(ApiKind::kAnthropic, ErrorKind::kRateLimited, "slow down"),
            R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})");
  // The code is OpenAI's only.
  EXPECT_EQ(ErrorBody(ApiKind::kAnthropic, ErrorKind::kPermission, "verify", "verification_required"),
            R"({"type":"error","error":{"type":"permission_error","message":"verify"}})");
  struct Case {
    ErrorKind kind;
    std::string_view type;
  };
  for (const Case& c :
       {Case{ErrorKind::kInvalidRequest, "invalid_request_error"},
        Case{ErrorKind::kAuthentication, "authentication_error"}, Case{ErrorKind::kPermission, "permission_error"},
        Case{ErrorKind::kNotFound, "not_found_error"}, Case{ErrorKind::kRateLimited, "rate_limit_error"},
        Case{ErrorKind::kApiError, "api_error"}, Case{ErrorKind::kOverloaded, "overloaded_error"}}) {
    std::string body = ErrorBody(ApiKind::kAnthropic, c.kind, "m");
    simdjson::dom::parser parser;
    std::string_view type, error_type, message;
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
    ASSERT_EQ(root["type"].get_string().get(type), simdjson::SUCCESS);
    EXPECT_EQ(type, "error");
    ASSERT_EQ(root["error"]["type"].get_string().get(error_type), simdjson::SUCCESS);
    EXPECT_EQ(error_type, c.type);
    ASSERT_EQ(root["error"]["message"].get_string().get(message), simdjson::SUCCESS);
    EXPECT_EQ(message, "m");
  }
}

TEST(ErrorBodyTest, OpenAiShape) {
  EXPECT_EQ(ErrorBody(ApiKind::kOpenAi, ErrorKind::kRateLimited, "slow down"),
            R"({"error":{"message":"slow down","type":"rate_limit_exceeded","param":null,"code":null}})");
  EXPECT_EQ(
      ErrorBody(ApiKind::kOpenAi, ErrorKind::kPermission, "verify", "verification_required"),
      R"({"error":{"message":"verify","type":"invalid_request_error","param":null,"code":"verification_required"}})");
  struct Case {
    ErrorKind kind;
    std::string_view type;
  };
  for (const Case& c :
       {Case{ErrorKind::kInvalidRequest, "invalid_request_error"},
        Case{ErrorKind::kAuthentication, "invalid_request_error"},
        Case{ErrorKind::kPermission, "invalid_request_error"}, Case{ErrorKind::kNotFound, "invalid_request_error"},
        Case{ErrorKind::kRateLimited, "rate_limit_exceeded"}, Case{ErrorKind::kApiError, "server_error"},
        Case{ErrorKind::kOverloaded, "server_error"}}) {
    std::string body = ErrorBody(ApiKind::kOpenAi, c.kind, "m", "c");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
    std::string_view type, code;
    ASSERT_EQ(root["error"]["type"].get_string().get(type), simdjson::SUCCESS);
    EXPECT_EQ(type, c.type);
    ASSERT_EQ(root["error"]["code"].get_string().get(code), simdjson::SUCCESS);
    EXPECT_EQ(code, "c");
    EXPECT_TRUE(root["error"]["param"].is_null());
  }
}

TEST(ErrorBodyTest, MessagesAreEscaped) {
  const std::string message = "bad \"quote\" \\ back\nslash \x01 and \xc3\xa9";
  for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
    std::string body = ErrorBody(api, ErrorKind::kInvalidRequest, message, "c\"ode");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
    std::string_view parsed;
    ASSERT_EQ(root["error"]["message"].get_string().get(parsed), simdjson::SUCCESS);
    EXPECT_EQ(parsed, message);
  }
}

TEST(ErrorBodyTest, RequestIdAsEachApiSendsIt) {
  std::string id = NewRequestId();
  EXPECT_THAT(id, ::testing::MatchesRegex("req_[0-9a-f]{24}"));
  EXPECT_NE(NewRequestId(), id);
  EXPECT_EQ(ErrorBody(ApiKind::kAnthropic, ErrorKind::kRateLimited, "m", "", id),
            R"({"type":"error","error":{"type":"rate_limit_error","message":"m"},"request_id":")" + id + R"("})");
  EXPECT_EQ(std::string(RequestIdHeader(ApiKind::kAnthropic)), "request-id");
  EXPECT_EQ(std::string(RequestIdHeader(ApiKind::kOpenAi)), "x-request-id");
}

}  // namespace
}  // namespace hydraguard::gateway
