#include "gateway/response_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "testing/upstream_stub.h"

namespace hydraguard::gateway {
namespace {

using hydraguard::testing::UpstreamStub;
using ::testing::HasSubstr;
using ::testing::Not;

struct Filtered {
  std::string out;
  Usage usage;
  int64_t stripped_events = 0;
  int64_t stripped_bytes = 0;
  int stripped_blocks = 0;
};

// Feeds `input` cut at the given positions (ascending).
Filtered FeedPieces(ApiKind api, bool strip, std::string_view input, const std::vector<size_t>& cuts) {
  SseFilter filter(api, strip);
  Filtered result;
  size_t begin = 0;
  for (size_t cut : cuts) {
    filter.Feed(input.substr(begin, cut - begin), &result.out);
    begin = cut;
  }
  filter.Feed(input.substr(begin), &result.out);
  filter.Finish(&result.out);
  result.usage = filter.usage();
  result.stripped_events = filter.stripped_events();
  result.stripped_bytes = filter.stripped_bytes();
  result.stripped_blocks = filter.stripped_blocks();
  return result;
}

Filtered FeedWhole(ApiKind api, bool strip, std::string_view input) { return FeedPieces(api, strip, input, {}); }

Filtered FeedBytewise(ApiKind api, bool strip, std::string_view input) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return FeedPieces(api, strip, input, cuts);
}

std::string Join(const std::vector<std::string>& events) {
  std::string out;
  for (const std::string& event : events) out += event;
  return out;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

UpstreamStub::Options StubOptions(bool with_thinking) {
  return {.input_tokens = 31, .output_tokens = 77, .with_thinking = with_thinking, .thinking_deltas = 3};
}

std::string AnthropicStream(bool with_thinking) {
  return Join(UpstreamStub::AnthropicEvents(StubOptions(with_thinking)));
}
std::string OpenAiStream(bool with_thinking) { return Join(UpstreamStub::OpenAiEvents(StubOptions(with_thinking))); }

// Every way of cutting `input` in two, and byte by byte, gives `expected`.
void ExpectSplitInvariant(ApiKind api, bool strip, const std::string& input, const std::string& expected) {
  ASSERT_EQ(FeedWhole(api, strip, input).out, expected);
  ASSERT_EQ(FeedBytewise(api, strip, input).out, expected);
  for (size_t cut = 0; cut <= input.size(); ++cut) {
    ASSERT_EQ(FeedPieces(api, strip, input, {cut}).out, expected) << "cut at " << cut;
  }
}

TEST(SseFilterTest, AnthropicWithoutStripIsByteIdentical) {
  std::string input = AnthropicStream(true);
  ExpectSplitInvariant(ApiKind::kAnthropic, false, input, input);
  Filtered result = FeedWhole(ApiKind::kAnthropic, false, input);
  EXPECT_TRUE(result.usage.known);
  EXPECT_EQ(result.usage.input_tokens, 31);
  EXPECT_EQ(result.usage.output_tokens, 77);
  EXPECT_EQ(result.stripped_events, 0);
  EXPECT_EQ(result.stripped_bytes, 0);
}

TEST(SseFilterTest, AnthropicStripRemovesThinkingAndRenumbers) {
  // The stream without its thinking block is exactly the stream the stub
  // sends without one: the text block renumbered from 1 to 0.
  std::string input = AnthropicStream(true);
  std::string expected = AnthropicStream(false);
  ASSERT_THAT(input, HasSubstr(R"("index":1)"));
  ASSERT_THAT(expected, Not(HasSubstr(R"("index":1)")));
  ExpectSplitInvariant(ApiKind::kAnthropic, true, input, expected);
  Filtered result = FeedWhole(ApiKind::kAnthropic, true, input);
  EXPECT_THAT(result.out, Not(HasSubstr("thinking")));
  EXPECT_THAT(result.out, Not(HasSubstr("signature")));
  EXPECT_EQ(result.stripped_blocks, 1);
  EXPECT_EQ(result.stripped_events, 3 + 3);  // start, 3 thinking deltas, signature, stop
  EXPECT_GT(result.stripped_bytes, 0);
  EXPECT_EQ(result.usage.output_tokens, 77);
}

TEST(SseFilterTest, CrLfAndBareCrLineEndings) {
  for (std::string_view ending : {"\r\n", "\r"}) {
    std::string input = Replace(AnthropicStream(true), "\n", ending);
    std::string expected = Replace(AnthropicStream(false), "\n", ending);
    ExpectSplitInvariant(ApiKind::kAnthropic, true, input, expected);
    ExpectSplitInvariant(ApiKind::kAnthropic, false, input, input);
  }
}

TEST(SseFilterTest, SeveralBlocksRenumberedWithoutGaps) {
  std::string input =
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"xx"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":0})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "a"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":1})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":2,"content_block":{"type":"thinking","thinking":""}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":2,"delta":{"type":"thinking_delta","thinking":"hmm"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":2})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"index\":3}"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":3})"
      "\n\n";
  // Only the "index" member changes; the rest of each event, spacing
  // included, is as the upstream wrote it.
  std::string expected =
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "a"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":0})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"index\":3}"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":1})"
      "\n\n";
  ExpectSplitInvariant(ApiKind::kAnthropic, true, input, expected);
  EXPECT_EQ(FeedWhole(ApiKind::kAnthropic, true, input).stripped_blocks, 2);
}

TEST(SseFilterTest, UnchangedEventsKeepTheirExactBytes) {
  // Comments, unknown events, odd spacing, "data:" without a space, and a
  // multi-line data field all pass as written.
  std::string input =
      ": keep-alive comment\n\n"
      "event: ping\ndata: {\"type\": \"ping\"}\n\n"
      "event: custom\ndata:{\"type\":\"custom\",\"x\":  [1, 2]}\nid: 7\nretry: 100\n\n"
      "data: {\"type\":\"content_block_start\",\n"
      "data: \"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"x\"}}\n\n";
  ExpectSplitInvariant(ApiKind::kAnthropic, true, input, input);
}

TEST(SseFilterTest, MultiLineDataIsParsedAndRewritten) {
  std::string input =
      "data: {\"type\":\"content_block_start\",\n"
      "data: \"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n"
      "event: content_block_start\n"
      "data: {\"type\":\"content_block_start\",\n"
      "data: \"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
  std::string expected =
      "event: content_block_start\n"
      "data: {\"type\":\"content_block_start\",\n"
      "data: \"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
  ExpectSplitInvariant(ApiKind::kAnthropic, true, input, expected);
}

TEST(SseFilterTest, StreamCutShortIsFilteredToo) {
  std::string thinking_cut =
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})";
  EXPECT_EQ(FeedWhole(ApiKind::kAnthropic, true, thinking_cut).out, "");
  EXPECT_EQ(FeedWhole(ApiKind::kAnthropic, false, thinking_cut).out, thinking_cut);
  std::string text_cut = "event: ping\ndata: {\"type\":\"ping\"}\r";
  EXPECT_EQ(FeedWhole(ApiKind::kAnthropic, true, text_cut).out, text_cut);
}

TEST(SseFilterTest, AnthropicMessageDeltaUsageIsCumulative) {
  std::string input =
      "event: message_start\n"
      R"(data: {"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1}}})"
      "\n\n"
      "event: message_delta\n"
      R"(data: {"type":"message_delta","delta":{},"usage":{"output_tokens":5}})"
      "\n\n"
      "event: message_delta\n"
      R"(data: {"type":"message_delta","delta":{},"usage":{"output_tokens":9}})"
      "\n\n";
  Filtered result = FeedWhole(ApiKind::kAnthropic, false, input);
  EXPECT_TRUE(result.usage.known);
  EXPECT_EQ(result.usage.input_tokens, 10);
  EXPECT_EQ(result.usage.output_tokens, 9);
  EXPECT_FALSE(FeedWhole(ApiKind::kAnthropic, false, "event: ping\ndata: {}\n\n").usage.known);
}

TEST(SseFilterTest, OpenAiWithoutStripIsByteIdentical) {
  std::string input = OpenAiStream(true);
  ExpectSplitInvariant(ApiKind::kOpenAi, false, input, input);
  Filtered result = FeedWhole(ApiKind::kOpenAi, false, input);
  EXPECT_TRUE(result.usage.known);
  EXPECT_EQ(result.usage.input_tokens, 31);
  EXPECT_EQ(result.usage.output_tokens, 77);
}

TEST(SseFilterTest, OpenAiStripDropsReasoningChunksAndKeepsDone) {
  std::string input = OpenAiStream(true);
  std::string expected = OpenAiStream(false);
  ExpectSplitInvariant(ApiKind::kOpenAi, true, input, expected);
  Filtered result = FeedWhole(ApiKind::kOpenAi, true, input);
  EXPECT_THAT(result.out, HasSubstr("data: [DONE]\n\n"));
  EXPECT_THAT(result.out, Not(HasSubstr("reasoning")));
  EXPECT_EQ(result.stripped_events, 3);
  EXPECT_EQ(result.usage.output_tokens, 77);
}

TEST(SseFilterTest, OpenAiUsageChunkIsReadButHiddenWhenAsked) {
  std::vector<std::string> events = UpstreamStub::OpenAiEvents(StubOptions(true));
  const std::string input = Join(events);
  ASSERT_THAT(events[events.size() - 2], HasSubstr(R"("choices":[],"usage")"));
  std::vector<std::string> without_usage = events;
  without_usage.erase(without_usage.end() - 2);
  for (size_t cut = 0; cut <= input.size(); cut += 7) {
    gateway::SseFilter filter(ApiKind::kOpenAi, /*strip_thinking=*/false, /*hide_usage_chunk=*/true);
    std::string out;
    filter.Feed(std::string_view(input).substr(0, cut), &out);
    filter.Feed(std::string_view(input).substr(cut), &out);
    filter.Finish(&out);
    ASSERT_EQ(out, Join(without_usage)) << "cut at " << cut;
    EXPECT_EQ(filter.usage().output_tokens, 77);
    EXPECT_EQ(filter.stripped_events(), 0);  // not thinking: not counted as stripped
  }
  // A chunk with choices and a usage member stays (only the usage-only one goes).
  std::string mixed =
      R"(data: {"choices":[{"index":0,"delta":{"content":"x"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}})"
      "\n\n";
  gateway::SseFilter filter(ApiKind::kOpenAi, false, true);
  std::string out;
  filter.Feed(mixed, &out);
  EXPECT_EQ(out, mixed);
  EXPECT_EQ(filter.usage().output_tokens, 2);
}

TEST(SseFilterTest, OpenAiMixedChunksKeepTheirOtherFields) {
  std::string input =
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","reasoning_content":"r"},"finish_reason":null}]})"
      "\n\n"
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":"a", "reasoning":"r2"},"finish_reason":null}]})"
      "\n\n"
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"r3"},"finish_reason":null}]})"
      "\n\n"
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"r4"},"finish_reason":"length"}]})"
      "\n\n"
      "data: [DONE]\n\n";
  std::string expected = R"(data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]})"
                         "\n\n"
                         R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]})"
                         "\n\n"
                         R"(data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"length"}]})"
                         "\n\n"
                         "data: [DONE]\n\n";
  ExpectSplitInvariant(ApiKind::kOpenAi, true, input, expected);
  Filtered result = FeedWhole(ApiKind::kOpenAi, true, input);
  EXPECT_EQ(result.stripped_events, 1);
  EXPECT_EQ(result.stripped_blocks, 4);
  EXPECT_FALSE(result.usage.known);
}

TEST(SseFilterTest, MalformedInputNeverCrashes) {
  std::vector<std::string> cases = {
      "data: {\"type\":\"content_block_start\",\"index\":\n\n",
      "data: {\"type\":\"content_block_delta\",\"index\":99999999999999999999}\n\n",
      "data: {\"type\":\"content_block_delta\",\"index\":-1,\"delta\":{}}\n\n",
      "data: {\"type\":\"content_block_start\",\"index\":100000,\"content_block\":{\"type\":\"thinking\"}}\n\n",
      "data: {\"type\":\"message_start\",\"message\":[1,2]}\n\n",
      "data: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":\"x\"}}\n\n",
      "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"x\"}\n\n",
      "data: {\"choices\":{\"delta\":1}}\n\n",
      "data: \"\\\n\n",
      "data: [[[[[[[[[[[[[[[[[[[[[[\n\n",
      "data\n\n",
      "\n\n\n\r\r\n",
      std::string("data: {\"a\":\"\0\"}\n\n", 17),
  };
  for (const std::string& input : cases) {
    for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
      // Without strip, every byte passes: the filter only reads.
      EXPECT_EQ(FeedBytewise(api, false, input).out, input);
      FeedBytewise(api, true, input);
    }
  }
  std::mt19937 rng(7);
  const std::string alphabet = "{}[]\":,\\ \r\ndata:event0123456789thinkingindextypecontent_block_start";
  for (int round = 0; round < 300; ++round) {
    std::string input;
    size_t size = rng() % 200;
    for (size_t i = 0; i < size; ++i) input.push_back(alphabet[rng() % alphabet.size()]);
    for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
      EXPECT_EQ(FeedWhole(api, false, input).out, input);
      std::string stripped = FeedWhole(api, true, input).out;
      EXPECT_EQ(FeedBytewise(api, true, input).out, stripped);
    }
  }
}

TEST(FilterJsonResponseTest, AnthropicStripsThinkingContent) {
  std::string body = UpstreamStub::AnthropicBody(StubOptions(true));
  FilteredBody result = FilterJsonResponse(ApiKind::kAnthropic, body, true);
  EXPECT_EQ(result.body, UpstreamStub::AnthropicBody(StubOptions(false)));
  EXPECT_EQ(result.stripped_blocks, 1);
  EXPECT_TRUE(result.usage.known);
  EXPECT_EQ(result.usage.input_tokens, 31);
  EXPECT_EQ(result.usage.output_tokens, 77);

  FilteredBody kept = FilterJsonResponse(ApiKind::kAnthropic, body, false);
  EXPECT_EQ(kept.body, body);
  EXPECT_EQ(kept.stripped_blocks, 0);
  EXPECT_EQ(kept.usage.output_tokens, 77);
}

TEST(FilterJsonResponseTest, AnthropicRedactedAndSpacedContent) {
  std::string body = R"({"content": [ {"type": "redacted_thinking", "data": "x"} , {"type": "text", "text": "hi"}, )"
                     R"({"type":"thinking","thinking":"t"} ], "usage": {"input_tokens": 3, "output_tokens": 4}})";
  FilteredBody result = FilterJsonResponse(ApiKind::kAnthropic, body, true);
  EXPECT_EQ(result.body,
            R"({"content": [{"type": "text", "text": "hi"}], "usage": {"input_tokens": 3, "output_tokens": 4}})");
  EXPECT_EQ(result.stripped_blocks, 2);
  EXPECT_EQ(result.usage.input_tokens, 3);
}

TEST(FilterJsonResponseTest, OpenAiStripsReasoning) {
  std::string body = UpstreamStub::OpenAiBody(StubOptions(true));
  FilteredBody result = FilterJsonResponse(ApiKind::kOpenAi, body, true);
  EXPECT_EQ(result.body, UpstreamStub::OpenAiBody(StubOptions(false)));
  EXPECT_EQ(result.stripped_blocks, 1);
  EXPECT_EQ(result.usage.input_tokens, 31);
  EXPECT_EQ(result.usage.output_tokens, 77);
  EXPECT_EQ(FilterJsonResponse(ApiKind::kOpenAi, body, false).body, body);

  std::string reasoning = R"({"choices":[{"message":{"reasoning":"r","content":"c"}},{"message":{"content":"d"}}]})";
  EXPECT_EQ(FilterJsonResponse(ApiKind::kOpenAi, reasoning, true).body,
            R"({"choices":[{"message":{"content":"c"}},{"message":{"content":"d"}}]})");
}

TEST(FilterJsonResponseTest, NonJsonPassesUnchanged) {
  for (std::string_view body : {"", "not json", "{\"content\":[{\"type\":\"thinking\"}", "[1,2]", "<html></html>"}) {
    for (ApiKind api : {ApiKind::kAnthropic, ApiKind::kOpenAi}) {
      FilteredBody result = FilterJsonResponse(api, body, true);
      EXPECT_EQ(result.body, body);
      EXPECT_FALSE(result.usage.known);
      EXPECT_EQ(result.stripped_blocks, 0);
    }
  }
}

}  // namespace
}  // namespace hydraguard::gateway
