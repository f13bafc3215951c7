#include "gateway/event_line.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/event_parser.h"
#include "simdjson.h"

namespace hydraguard::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr std::string_view kApiKey = "sk-ant-api03-SECRET-KEY-0123456789abcdef";

struct Fixture {
  Identity identity{.account = "a1",
                    .org = "o1",
                    .tier = "build",
                    .payment = "fp_9c1",
                    .email_domain = "example.com",
                    .campaign = "c1",
                    .verified = ingest::Verification::kPhone,
                    .created_ms = 1'767'312'000'000};
  RequestContext context;
  EventOutcome outcome{.api_key = kApiKey,
                       .endpoint = "/v1/messages",
                       .country = "DE",
                       .status = 200,
                       .input_tokens = 1200,
                       .output_tokens = 340};
  Fixture() {
    context.identity = &identity;
    context.ip = ingest::IpAddress::Parse("2001:db8::7").value();
    context.asn = 64500;
    context.tls = "t13d1516h2_8daaf6152771";
    context.ua = "anthropic-sdk-python/0.40 \"quoted\"";
    context.now_ms = 1'767'400'000'123;
    context.request.model = "claude-sonnet-4-5";
    context.request.max_tokens = 1024;
    context.request.stream = true;
    context.request.system = "You are terse.\nAnswer in \"French\".";
    context.request.prompt = "Bonjour \\ \u00e7a va?\t\x01";
    context.request.turn = 3;
    context.request.tools = 2;
  }
};

// `line` as the engine's parser reads it (it reads past the end: padded).
struct ReadBack {
  explicit ReadBack(const std::string& line) : padded(line), parser(&interners) {
    padded.resize(line.size() + 64, ' ');
    ok = parser.Parse(std::string_view(padded.data(), line.size()), &event, &error);
  }
  std::string padded;
  ingest::Interners interners;
  ingest::EventParser parser;
  ingest::Event event;
  ingest::ParseError error;
  bool ok = false;
};

TEST(KeyIdTest, StableAndOpaque) {
  std::string id = KeyId(kApiKey);
  EXPECT_THAT(id, MatchesRegex("k_[0-9a-f]{16}"));
  EXPECT_EQ(KeyId(kApiKey), id);
  EXPECT_NE(KeyId("sk-ant-api03-SECRET-KEY-0123456789abcdeF"), id);
  EXPECT_THAT(id, Not(HasSubstr("SECRET")));
  EXPECT_THAT(KeyId(""), MatchesRegex("k_[0-9a-f]{16}"));
}

TEST(EventLineTest, ValidJsonWithEveryField) {
  Fixture f;
  std::string line = EventLine(f.context, f.outcome);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_THAT(line, Not(HasSubstr(std::string(kApiKey))));
  EXPECT_THAT(line, Not(HasSubstr("SECRET")));

  simdjson::dom::parser parser;
  simdjson::dom::object object;
  ASSERT_EQ(parser.parse(line).get_object().get(object), simdjson::SUCCESS) << line;
  auto string_of = [&](std::string_view field) {
    std::string_view value;
    EXPECT_EQ(object[field].get_string().get(value), simdjson::SUCCESS) << field;
    return std::string(value);
  };
  auto int_of = [&](std::string_view field) {
    int64_t value = 0;
    EXPECT_EQ(object[field].get_int64().get(value), simdjson::SUCCESS) << field;
    return value;
  };
  EXPECT_EQ(int_of("ts"), 1'767'400'000'123);
  EXPECT_EQ(string_of("account"), "a1");
  EXPECT_EQ(string_of("ip"), "2001:db8::7");
  EXPECT_EQ(string_of("org"), "o1");
  EXPECT_EQ(string_of("key"), KeyId(kApiKey));
  EXPECT_EQ(int_of("account_created"), 1'767'312'000'000);
  EXPECT_EQ(string_of("verified"), "phone");
  EXPECT_EQ(string_of("payment"), "fp_9c1");
  EXPECT_EQ(string_of("email_domain"), "example.com");
  EXPECT_EQ(int_of("asn"), 64500);
  EXPECT_EQ(string_of("ip_country"), "DE");
  EXPECT_EQ(string_of("ua"), "anthropic-sdk-python/0.40 \"quoted\"");
  EXPECT_EQ(string_of("tls"), "t13d1516h2_8daaf6152771");
  EXPECT_EQ(string_of("endpoint"), "/v1/messages");
  EXPECT_EQ(string_of("model"), "claude-sonnet-4-5");
  EXPECT_EQ(string_of("system"), "You are terse.\nAnswer in \"French\".");
  EXPECT_EQ(string_of("prompt"), "Bonjour \\ \u00e7a va?\t\x01");
  EXPECT_EQ(int_of("turn"), 3);
  EXPECT_EQ(int_of("tools"), 2);
  EXPECT_EQ(int_of("max_tokens"), 1024);
  bool stream = false;
  EXPECT_EQ(object["stream"].get_bool().get(stream), simdjson::SUCCESS);
  EXPECT_TRUE(stream);
  EXPECT_EQ(int_of("status"), 200);
  EXPECT_EQ(int_of("input_tokens"), 1200);
  EXPECT_EQ(int_of("output_tokens"), 340);
  // Nothing else: no tier, campaign or other gateway-only facts.
  EXPECT_EQ(object.size(), 24u);
}

// The engine's own parser reads the line back (schema v1).
TEST(EventLineTest, EngineParsesIt) {
  Fixture f;
  std::string line = EventLine(f.context, f.outcome);
  ReadBack back(line);
  ASSERT_TRUE(back.ok) << back.error.field << ": " << back.error.reason << "\n" << line;
  const ingest::Event& event = back.event;
  const ingest::Interners& interners = back.interners;
  EXPECT_EQ(event.ts_ms, 1'767'400'000'123);
  EXPECT_EQ(interners.account.Name(event.account), "a1");
  EXPECT_EQ(event.ip, f.context.ip);
  EXPECT_EQ(interners.key.Name(event.key), KeyId(kApiKey));
  EXPECT_EQ(event.account_created_ms, 1'767'312'000'000);
  EXPECT_EQ(event.verified, ingest::Verification::kPhone);
  EXPECT_EQ(event.asn, 64500u);
  EXPECT_EQ(event.turn, 3);
  EXPECT_EQ(event.tools, 2);
  EXPECT_EQ(event.max_tokens, 1024);
  EXPECT_TRUE(event.stream);
  EXPECT_EQ(event.status, 200);
  EXPECT_EQ(event.input_tokens, 1200);
  EXPECT_EQ(event.output_tokens, 340);
  EXPECT_EQ(event.prompt, f.context.request.prompt);
  EXPECT_EQ(event.system, f.context.request.system);
}

TEST(EventLineTest, UnknownFieldsAreAbsent) {
  Identity identity{.account = "a2"};
  RequestContext context;
  context.identity = &identity;
  context.ip = ingest::IpAddress::Parse("203.0.113.9").value();
  context.now_ms = 1'767'400'000'000;
  context.has_body = false;  // an auth check: nothing known of the body
  EventOutcome outcome;      // no key, endpoint, country, status or usage
  std::string line = EventLine(context, outcome);
  EXPECT_EQ(line, R"({"ts":1767400000000,"account":"a2","ip":"203.0.113.9"})");

  // With a body: tools and stream are always known; max_tokens only when set.
  context.has_body = true;
  context.request.model = "m";
  outcome.status = 429;
  outcome.input_tokens = 0;
  std::string with_body = EventLine(context, outcome);
  EXPECT_EQ(with_body, R"({"ts":1767400000000,"account":"a2","ip":"203.0.113.9","model":"m","tools":0,"stream":false,)"
                       R"("status":429,"input_tokens":0})");
}

// Whatever bytes a client sends (headers are not UTF-8 by contract), the line
// is valid JSON and valid UTF-8, and the engine reads it: a bad byte must
// never hide a request from detection.
TEST(EventLineTest, InvalidUtf8FromTheClientStillParses) {
  Fixture f;
  f.context.ua = "evil\xff";
  f.context.tls = "t13\xc0\xaf";                      // overlong '/'
  f.context.request.model = "m\x80";                  // lone continuation byte
  f.context.request.system = "sys \xed\xa0\x80 end";  // a surrogate
  f.context.request.prompt = "cut \xe2\x82";          // truncated sequence at the end
  f.outcome.country = "\xf5\x80\x80\x80";             // above U+10FFFF
  f.outcome.endpoint = "/v1/messages?\xfe";
  f.identity.payment = "fp\xf0\x9f\x92";  // truncated 4-byte sequence
  std::string line = EventLine(f.context, f.outcome);
  EXPECT_TRUE(simdjson::validate_utf8(line.data(), line.size())) << line;
  ReadBack back(line);
  ASSERT_TRUE(back.ok) << back.error.field << ": " << back.error.reason << "\n" << line;
  const ingest::Event& event = back.event;
  const ingest::Interners& interners = back.interners;
  EXPECT_EQ(interners.ua.Name(event.ua), "evil\uFFFD");
  EXPECT_EQ(event.prompt, "cut \uFFFD\uFFFD");
  EXPECT_EQ(event.system, "sys \uFFFD\uFFFD\uFFFD end");
  // Well-formed text of every length passes unchanged.
  f.context.request.prompt = "\u00e7 \u20ac \U0001F600 \uFFFD \u2028";
  std::string good = EventLine(f.context, f.outcome);
  EXPECT_THAT(good, HasSubstr("\u00e7 \u20ac \U0001F600 \uFFFD \u2028"));
}

// The operator chooses how much prompt text rests in the events.
TEST(EventLineTest, PromptsFullTruncatedHashedOrOff) {
  Fixture f;
  f.context.request.system = "You are a data generator. \u00e9\u00e9\u00e9";
  f.context.request.prompt = "Write a function.";
  auto parse = [](const std::string& line) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    EXPECT_EQ(parser.parse(line).get_object().get(object), simdjson::SUCCESS) << line;
    std::string system, prompt;
    std::string_view value;
    if (object["system"].get_string().get(value) == simdjson::SUCCESS) system = value;
    if (object["prompt"].get_string().get(value) == simdjson::SUCCESS) prompt = value;
    return std::make_pair(system, prompt);
  };
  auto [full_system, full_prompt] = parse(EventLine(f.context, f.outcome, {.storage = PromptStorage::kFull}));
  EXPECT_EQ(full_system, f.context.request.system);
  EXPECT_EQ(full_prompt, f.context.request.prompt);

  // 27 bytes would split the first "é" (bytes 26-27): cut before it.
  auto [cut_system, cut_prompt] =
      parse(EventLine(f.context, f.outcome, {.storage = PromptStorage::kTruncate, .max_bytes = 27}));
  EXPECT_EQ(cut_system, "You are a data generator. ");
  EXPECT_EQ(cut_prompt, "Write a function.");

  std::string hashed = EventLine(f.context, f.outcome, {.storage = PromptStorage::kHash});
  auto [hash_system, hash_prompt] = parse(hashed);
  EXPECT_THAT(hash_system, MatchesRegex("h:[0-9a-f]{32}"));
  EXPECT_THAT(hash_prompt, MatchesRegex("h:[0-9a-f]{32}"));
  EXPECT_NE(hash_system, hash_prompt);
  EXPECT_THAT(hashed, Not(HasSubstr("generator")));
  // Equal texts, equal hashes: exact-duplicate prompts still link accounts.
  EXPECT_EQ(parse(EventLine(f.context, f.outcome, {.storage = PromptStorage::kHash})).first, hash_system);

  std::string off = EventLine(f.context, f.outcome, {.storage = PromptStorage::kOff});
  EXPECT_THAT(off, Not(HasSubstr("\"system\"")));
  EXPECT_THAT(off, Not(HasSubstr("\"prompt\"")));
  EXPECT_THAT(off, HasSubstr("\"model\":\"claude-sonnet-4-5\""));
}

}  // namespace
}  // namespace hydraguard::gateway
