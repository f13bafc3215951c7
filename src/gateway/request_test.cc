#include "gateway/request.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hydraguard::gateway {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

ApiRequest ParseOk(ApiKind kind, std::string_view body) {
  absl::StatusOr<ApiRequest> request = ParseApiRequest(kind, body);
  EXPECT_TRUE(request.ok()) << request.status() << "\n" << body;
  return request.ok() ? *request : ApiRequest{};
}

void ExpectInvalid(ApiKind kind, std::string_view body, std::string_view message) {
  absl::StatusOr<ApiRequest> request = ParseApiRequest(kind, body);
  ASSERT_FALSE(request.ok()) << body;
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(request.status()), HasSubstr(std::string(message))) << body;
}

TEST(ParseApiRequestTest, AnthropicStringContent) {
  ApiRequest request = ParseOk(ApiKind::kAnthropic, R"({
    "model": "claude-sonnet-4-5", "max_tokens": 1024,
    "messages": [{"role": "user", "content": "Hello there"}]})");
  EXPECT_EQ(request.model, "claude-sonnet-4-5");
  EXPECT_EQ(request.max_tokens, 1024);
  EXPECT_FALSE(request.stream);
  EXPECT_EQ(request.system, "");
  EXPECT_EQ(request.prompt, "Hello there");
  EXPECT_EQ(request.input_chars, 11);
  EXPECT_EQ(request.turn, 1);
  EXPECT_EQ(request.tools, 0);
}

TEST(ParseApiRequestTest, AnthropicBlocksSystemToolsAndStream) {
  constexpr std::string_view kBody = R"({
    "model": "claude-opus-4-1", "max_tokens": 64000, "stream": true,
    "system": [{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Answer in French."}],
    "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}, {"name": "t2", "input_schema": {}}],
    "messages": [
      {"role": "user", "content": [{"type": "text", "text": "First question"}]},
      {"role": "assistant", "content": [{"type": "text", "text": "First answer"}]},
      {"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
        {"type": "text", "text": "Latest"},
        {"type": "text", "text": "question"}]}
    ]})";
  ApiRequest request = ParseOk(ApiKind::kAnthropic, kBody);
  EXPECT_EQ(request.model, "claude-opus-4-1");
  EXPECT_EQ(request.max_tokens, 64000);
  EXPECT_TRUE(request.stream);
  EXPECT_EQ(request.system, "You are terse.\nAnswer in French.");
  EXPECT_EQ(request.prompt, "Latest\nquestion");  // the latest user turn, blocks joined
  EXPECT_EQ(request.turn, 2);
  EXPECT_EQ(request.tools, 2);
  const std::string image = R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}})";
  const std::string tools =
      R"([{"name":"get_weather","input_schema":{"type":"object"}},{"name":"t2","input_schema":{}}])";
  const int64_t expected = std::string("You are terse.").size() + std::string("Answer in French.").size() +
                           std::string("First question").size() + std::string("First answer").size() + image.size() +
                           std::string("Latest").size() + std::string("question").size() + tools.size();
  EXPECT_EQ(request.input_chars, expected);
}

TEST(ParseApiRequestTest, AnthropicSystemString) {
  ApiRequest request = ParseOk(ApiKind::kAnthropic, R"({"model":"m","max_tokens":1,"system":"Be brief.",
    "messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"cc"}]})");
  EXPECT_EQ(request.system, "Be brief.");
  EXPECT_EQ(request.prompt, "cc");
  EXPECT_EQ(request.turn, 2);
  EXPECT_EQ(request.input_chars, 9 + 1 + 1 + 2);
}

TEST(ParseApiRequestTest, AnthropicIgnoresSystemRoleMessages) {
  // Anthropic has no system role in messages; it is not the system prompt.
  ApiRequest request = ParseOk(
      ApiKind::kAnthropic,
      R"({"model":"m","max_tokens":5,"messages":[{"role":"system","content":"sys"},{"role":"user","content":"u"}]})");
  EXPECT_EQ(request.system, "");
  EXPECT_EQ(request.prompt, "u");
}

TEST(ParseApiRequestTest, OpenAiChat) {
  constexpr std::string_view kBody = R"({
    "model": "gpt-4.1", "stream": false, "max_completion_tokens": 500,
    "messages": [
      {"role": "system", "content": "You are helpful."},
      {"role": "developer", "content": [{"type": "text", "text": "Use JSON."}]},
      {"role": "user", "content": "What is 2+2?"},
      {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function"}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "4"},
      {"role": "user", "content": [{"type": "text", "text": "And 3+3?"}]}
    ],
    "tools": [{"type": "function", "function": {"name": "calc"}}]})";
  ApiRequest request = ParseOk(ApiKind::kOpenAi, kBody);
  EXPECT_EQ(request.model, "gpt-4.1");
  EXPECT_EQ(request.max_tokens, 500);
  EXPECT_FALSE(request.stream);
  EXPECT_EQ(request.system, "You are helpful.\nUse JSON.");
  EXPECT_EQ(request.prompt, "And 3+3?");
  EXPECT_EQ(request.turn, 2);
  EXPECT_EQ(request.tools, 1);
  const std::string tools = R"([{"type":"function","function":{"name":"calc"}}])";
  EXPECT_EQ(request.input_chars, 16 + 9 + 12 + 1 + 8 + static_cast<int64_t>(tools.size()));
}

TEST(ParseApiRequestTest, OpenAiOutputCap) {
  EXPECT_EQ(ParseOk(ApiKind::kOpenAi, R"({"model":"m","messages":[{"role":"user","content":"x"}]})").max_tokens, 0);
  EXPECT_EQ(ParseOk(ApiKind::kOpenAi, R"({"model":"m","max_tokens":300,"messages":[{"role":"user","content":"x"}]})")
                .max_tokens,
            300);
  // max_completion_tokens wins over the deprecated max_tokens.
  EXPECT_EQ(
      ParseOk(ApiKind::kOpenAi,
              R"({"model":"m","max_tokens":300,"max_completion_tokens":70,"messages":[{"role":"user","content":"x"}]})")
          .max_tokens,
      70);
  EXPECT_EQ(ParseOk(ApiKind::kOpenAi,
                    R"({"model":"m","max_tokens":null,"stream":null,"messages":[{"role":"user","content":"x"}]})")
                .max_tokens,
            0);
  ExpectInvalid(ApiKind::kOpenAi,
                R"({"model":"m","max_completion_tokens":-1,"messages":[{"role":"user","content":"x"}]})",
                "max_completion_tokens: expected a non-negative integer");
  ExpectInvalid(ApiKind::kOpenAi, R"({"model":"m","max_tokens":"10","messages":[{"role":"user","content":"x"}]})",
                "max_tokens: expected a non-negative integer");
}

TEST(ParseApiRequestTest, NoUserTurn) {
  ApiRequest request =
      ParseOk(ApiKind::kOpenAi, R"({"model":"m","messages":[{"role":"system","content":"only a system prompt"}]})");
  EXPECT_EQ(request.prompt, "");
  EXPECT_EQ(request.turn, 0);
  EXPECT_EQ(request.system, "only a system prompt");
}

TEST(ParseApiRequestTest, Errors) {
  ExpectInvalid(ApiKind::kAnthropic, "not json", "request body is not a JSON object");
  ExpectInvalid(ApiKind::kOpenAi, "[1,2]", "request body is not a JSON object");
  ExpectInvalid(ApiKind::kAnthropic, "", "request body is not a JSON object");
  ExpectInvalid(ApiKind::kAnthropic, R"({"max_tokens":1,"messages":[{"role":"user","content":"x"}]})",
                "model: Field required");
  ExpectInvalid(ApiKind::kOpenAi, R"({"model":"","messages":[{"role":"user","content":"x"}]})",
                "model: must not be empty");
  ExpectInvalid(ApiKind::kOpenAi, R"({"model":7,"messages":[{"role":"user","content":"x"}]})",
                "model: expected a string");
  ExpectInvalid(ApiKind::kAnthropic, R"({"model":123,"max_tokens":1,"messages":[{"role":"user","content":"x"}]})",
                "model: expected a string");
  ExpectInvalid(ApiKind::kAnthropic, R"({"model":null,"max_tokens":1,"messages":[{"role":"user","content":"x"}]})",
                "model: Field required");
  ExpectInvalid(ApiKind::kAnthropic, R"({"model":"m","max_tokens":1})", "messages: Field required");
  ExpectInvalid(ApiKind::kOpenAi, R"({"model":"m","messages":"hi"})", "messages: Field required");
  ExpectInvalid(ApiKind::kOpenAi, R"({"model":"m","messages":[]})", "messages: at least one message");
  ExpectInvalid(ApiKind::kAnthropic, R"({"model":"m","messages":[{"role":"user","content":"x"}]})",
                "max_tokens: Field required");
  // null is no value: Anthropic requires one (and the output reservation needs it).
  ExpectInvalid(ApiKind::kAnthropic, R"({"model":"m","max_tokens":null,"messages":[{"role":"user","content":"x"}]})",
                "max_tokens: Field required");
  ExpectInvalid(ApiKind::kAnthropic, R"({"model":"m","max_tokens":-5,"messages":[{"role":"user","content":"x"}]})",
                "max_tokens: expected a non-negative integer");
  ExpectInvalid(ApiKind::kAnthropic, R"({"model":"m","max_tokens":1.5,"messages":[{"role":"user","content":"x"}]})",
                "max_tokens: expected a non-negative integer");
  ExpectInvalid(ApiKind::kAnthropic,
                R"({"model":"m","max_tokens":1,"stream":"yes","messages":[{"role":"user","content":"x"}]})",
                "stream: expected a boolean");
  ExpectInvalid(ApiKind::kOpenAi, R"({"model":"m","stream":1,"messages":[{"role":"user","content":"x"}]})",
                "stream: expected a boolean");
  ExpectInvalid(ApiKind::kOpenAi, R"({"model":"m","messages":[{"content":"x"}]})", "each message needs a string role");
  ExpectInvalid(ApiKind::kOpenAi, R"({"model":"m","messages":[{"role":"user"}]})", "each message needs content");
}

TEST(ParseApiRequestTest, UnicodeAndEscapesCountBytes) {
  ApiRequest request = ParseOk(
      ApiKind::kAnthropic, R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"h\u00e9\n\"x\""}]})");
  EXPECT_EQ(request.prompt, "h\xc3\xa9\n\"x\"");
  EXPECT_EQ(request.input_chars, 7);  // bytes of the unescaped text
}

}  // namespace
}  // namespace hydraguard::gateway

namespace hydraguard::gateway {
namespace {

TEST(ParseApiRequestDuplicates, ARepeatedModelOrCapIsRefused) {
  // Parsers disagree on which duplicate wins: the upstream might run a model
  // other than the one the policy judged.
  for (std::string_view body :
       {R"({"model":"cheap","model":"gated","max_tokens":5,"messages":[{"role":"user","content":"x"}]})",
        R"({"model":"m","max_tokens":5,"max_tokens":99999,"messages":[{"role":"user","content":"x"}]})",
        R"({"model":"m","max_tokens":5,"stream":false,"stream":true,"messages":[{"role":"user","content":"x"}]})"}) {
    absl::StatusOr<ApiRequest> request = ParseApiRequest(ApiKind::kAnthropic, body);
    EXPECT_FALSE(request.ok()) << body;
  }
}

TEST(WithStreamUsageTest, AsksForTheUsageOfAStream) {
  EXPECT_EQ(WithStreamUsage(R"({"model":"m","stream":true,"messages":[]})"),
            R"({"stream_options":{"include_usage":true},"model":"m","stream":true,"messages":[]})");
  EXPECT_EQ(WithStreamUsage(R"( {"stream":true,"stream_options":{}})"),
            R"( {"stream":true,"stream_options":{"include_usage":true}})");
  EXPECT_EQ(WithStreamUsage(R"({"stream":true,"stream_options":{"x":1}})"),
            R"({"stream":true,"stream_options":{"include_usage":true,"x":1}})");
  EXPECT_EQ(WithStreamUsage(R"({"stream":true,"stream_options":{"include_usage": false}})"),
            R"({"stream":true,"stream_options":{"include_usage": true}})");
  EXPECT_EQ(WithStreamUsage(R"({"stream":true,"stream_options":null})"),
            R"({"stream":true,"stream_options":{"include_usage":true}})");
  // The result parses as the same request.
  std::optional<std::string> body =
      WithStreamUsage(R"({"model":"gpt","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(body.has_value());
  absl::StatusOr<ApiRequest> parsed = ParseApiRequest(ApiKind::kOpenAi, *body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(parsed->stream);
  EXPECT_EQ(parsed->max_tokens, 9);
}

TEST(WithStreamUsageTest, LeavesOtherBodiesAlone) {
  for (const char* body : {R"({"model":"m","messages":[]})", R"({"stream":false})", R"({"stream":"true"})",
                           R"({"stream":true,"stream_options":{"include_usage":true}})",
                           R"({"stream":true,"stream_options":[1]})", "[1,2]", "", "{", "not json"}) {
    EXPECT_EQ(WithStreamUsage(body), std::nullopt) << body;
  }
}

}  // namespace
}  // namespace hydraguard::gateway
