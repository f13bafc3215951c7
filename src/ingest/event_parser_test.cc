#include "ingest/event_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace hydraguard::ingest {
namespace {

using ::testing::HasSubstr;

class EventParserTest : public ::testing::Test {
 protected:
  // Parses `line` with the padding the parser requires after it.
  bool Parse(std::string line) {
    buffer_ = line + std::string(64, '\0');
    return parser_.Parse(std::string_view(buffer_.data(), line.size()), &event_, &error_);
  }
  void ExpectError(const std::string& line, ErrorKind kind, const std::string& field, const std::string& reason_part) {
    ASSERT_FALSE(Parse(line)) << line;
    EXPECT_EQ(error_.kind, kind) << line << " -> " << error_.reason;
    EXPECT_EQ(error_.field, field) << line;
    EXPECT_THAT(error_.reason, HasSubstr(reason_part)) << line;
    EXPECT_EQ(error_.reason.find('\n'), std::string::npos);
  }

  Interners interners_;
  EventParser parser_{&interners_};
  Event event_;
  ParseError error_;
  std::string buffer_;
};

TEST_F(EventParserTest, ParsesEveryField) {
  ASSERT_TRUE(Parse(R"({"ts":"2026-04-22T00:00:01.5Z","account":"acct-1","ip":"203.0.113.9","org":"org-1",)"
                    R"("key":"key-1","account_created":1700000000000,"verified":"phone","payment":"pm-1",)"
                    R"("billing_country":"us","email_domain":"Example.COM","asn":64500,"ip_country":"DE",)"
                    R"("ua":"sdk/1.0","tls":"t13d","endpoint":"/v1/messages","model":"m-1","system":"be \"brief\"",)"
                    R"("prompt":"caf\u00e9\nline2","conversation":"c-1","turn":3,"tools":2,"max_tokens":4096,)"
                    R"("stream":true,"status":200,"input_tokens":120,"output_tokens":900,"unknown":{"x":[1,2]}})"))
      << error_.field << ": " << error_.reason;
  EXPECT_EQ(event_.ts_ms, 1776816001500);
  EXPECT_EQ(interners_.account.Name(event_.account), "acct-1");
  EXPECT_EQ(event_.ip.ToString(), "203.0.113.9");
  EXPECT_EQ(interners_.ips.PrefixExample(event_.ip_prefix_id).PrefixString(), "203.0.113.0/24");
  EXPECT_EQ(interners_.org.Name(event_.org), "org-1");
  EXPECT_EQ(interners_.key.Name(event_.key), "key-1");
  EXPECT_EQ(event_.account_created_ms, 1700000000000);
  EXPECT_EQ(event_.verified, Verification::kPhone);
  EXPECT_EQ(interners_.payment.Name(event_.payment), "pm-1");
  EXPECT_EQ(interners_.country.Name(event_.billing_country), "US");  // upper-cased
  EXPECT_EQ(interners_.country.Name(event_.ip_country), "DE");
  EXPECT_EQ(interners_.email_domain.Name(event_.email_domain), "example.com");  // lower-cased
  EXPECT_EQ(event_.asn, 64500u);
  EXPECT_EQ(interners_.ua.Name(event_.ua), "sdk/1.0");
  EXPECT_EQ(interners_.tls.Name(event_.tls), "t13d");
  EXPECT_EQ(interners_.endpoint.Name(event_.endpoint), "/v1/messages");
  EXPECT_EQ(interners_.model.Name(event_.model), "m-1");
  EXPECT_EQ(event_.system, "be \"brief\"");
  EXPECT_EQ(event_.prompt, "café\nline2");
  EXPECT_EQ(interners_.conversation.Name(event_.conversation), "c-1");
  EXPECT_EQ(event_.turn, 3);
  EXPECT_EQ(event_.tools, 2);
  EXPECT_EQ(event_.max_tokens, 4096);
  EXPECT_TRUE(event_.stream);
  EXPECT_EQ(event_.status, 200);
  EXPECT_EQ(event_.input_tokens, 120);
  EXPECT_EQ(event_.output_tokens, 900);
  for (int field = 0; field < kFieldCount; ++field) {
    EXPECT_TRUE(event_.has(static_cast<Field>(field))) << FieldName(static_cast<Field>(field));
  }
}

TEST_F(EventParserTest, MinimalEventHasOnlyRequiredFields) {
  ASSERT_TRUE(Parse(R"({"ts":1776816000000,"account":"a","ip":"2001:db8::1"})"));
  EXPECT_EQ(event_.present, (1u << static_cast<int>(Field::kTs)) | (1u << static_cast<int>(Field::kAccount)) |
                                (1u << static_cast<int>(Field::kIp)));
  EXPECT_EQ(event_.org, kNoId);
  EXPECT_TRUE(event_.prompt.empty());
}

TEST_F(EventParserTest, NullAndEmptyOptionalFieldsAreAbsent) {
  ASSERT_TRUE(
      Parse(R"({"ts":1776816000000,"account":"a","ip":"10.0.0.1","org":null,"payment":"","asn":null,"stream":null})"));
  EXPECT_FALSE(event_.has(Field::kOrg));
  EXPECT_FALSE(event_.has(Field::kPayment));
  EXPECT_FALSE(event_.has(Field::kAsn));
  EXPECT_FALSE(event_.has(Field::kStream));
  EXPECT_EQ(interners_.org.size(), 0u);
}

TEST_F(EventParserTest, WhitespaceAndKeyOrderDoNotMatter) {
  ASSERT_TRUE(Parse("  { \"ip\" : \"10.0.0.1\" ,\t\"account\":\"a\", \"ts\" : 1776816000000 }  "));
}

TEST_F(EventParserTest, MalformedJson) {
  ExpectError(R"({"ts":1776816000000,"account":"a",)", ErrorKind::kMalformedJson, "json", "");
  ExpectError(R"({"ts":1776816000000 "account":"a"})", ErrorKind::kMalformedJson, "json", "");
  ExpectError(R"(not json)", ErrorKind::kMalformedJson, "json", "");
  ExpectError(R"({"ts":1776816000000,"account":"a","ip":"10.0.0.1"} {"x":1})", ErrorKind::kMalformedJson, "json",
              "improper structure");
  ExpectError(R"({"ts":1776816000000,"account":"a","ip":"10.0.0.1","extra":[1,2}})", ErrorKind::kMalformedJson, "json",
              "");  // Unknown fields are validated too.
  ExpectError(R"({"ts":1776816000000,"account":"a","ip":"10.0.0.1","prompt":"unterminated})", ErrorKind::kMalformedJson,
              "json", "");
}

TEST_F(EventParserTest, NotAnObject) {
  ExpectError(R"([1,2,3])", ErrorKind::kMalformedJson, "json", "expected a JSON object, got an array");
  ExpectError(R"("text")", ErrorKind::kMalformedJson, "json", "expected a JSON object");
}

TEST_F(EventParserTest, MissingRequiredFields) {
  ExpectError(R"({"account":"a","ip":"10.0.0.1"})", ErrorKind::kMissingField, "ts", "required");
  ExpectError(R"({"ts":1776816000000,"ip":"10.0.0.1"})", ErrorKind::kMissingField, "account", "required");
  ExpectError(R"({"ts":1776816000000,"account":"a"})", ErrorKind::kMissingField, "ip", "required");
  ExpectError(R"({"ts":1776816000000,"account":"","ip":"10.0.0.1"})", ErrorKind::kMissingField, "account", "empty");
  ExpectError(R"({"ts":1776816000000,"account":null,"ip":"10.0.0.1"})", ErrorKind::kMissingField, "account", "null");
}

TEST_F(EventParserTest, WrongTypes) {
  const std::string base = R"({"ts":1776816000000,"account":"a","ip":"10.0.0.1",)";
  ExpectError(base + R"("asn":"AS13335"})", ErrorKind::kWrongType, "asn", "expected an integer, got a string");
  ExpectError(base + R"("org":42})", ErrorKind::kWrongType, "org", "expected a string, got a number");
  ExpectError(base + R"("stream":"yes"})", ErrorKind::kWrongType, "stream", "expected a boolean");
  ExpectError(base + R"("turn":1.5})", ErrorKind::kWrongType, "turn",
              "expected an integer, got the floating-point number 1.5");
  ExpectError(base + R"("prompt":["a"]})", ErrorKind::kWrongType, "prompt", "got an array");
  ExpectError(R"({"ts":true,"account":"a","ip":"10.0.0.1"})", ErrorKind::kWrongType, "ts", "got a boolean");
  ExpectError(R"({"ts":1.7768e12,"account":"a","ip":"10.0.0.1"})", ErrorKind::kWrongType, "ts",
              "got the floating-point number 1.7768e+12");
  ExpectError(R"({"ts":1776816000000,"account":7,"ip":"10.0.0.1"})", ErrorKind::kWrongType, "account", "got a number");
}

TEST_F(EventParserTest, InvalidValues) {
  const std::string base = R"({"ts":1776816000000,"account":"a",)";
  ExpectError(base + R"("ip":"300.1.2.3"})", ErrorKind::kInvalidValue, "ip",
              "not an IPv4 or IPv6 address: \"300.1.2.3\"");
  ExpectError(base + R"("ip":"10.0.0.1","verified":"gold"})", ErrorKind::kInvalidValue, "verified", "unknown tier");
  ExpectError(base + R"("ip":"10.0.0.1","billing_country":"USA"})", ErrorKind::kInvalidValue, "billing_country",
              "alpha-2");
  ExpectError(base + R"("ip":"10.0.0.1","status":999})", ErrorKind::kInvalidValue, "status", "out of range");
  ExpectError(base + R"("ip":"10.0.0.1","output_tokens":-5})", ErrorKind::kInvalidValue, "output_tokens",
              "out of range");
  ExpectError(base + R"("ip":"10.0.0.1","turn":0})", ErrorKind::kInvalidValue, "turn", "out of range");
  ExpectError(base + R"("ip":"10.0.0.1","asn":4294967296})", ErrorKind::kInvalidValue, "asn", "out of range");
  ExpectError(base + R"("ip":"10.0.0.1","input_tokens":18446744073709551615})", ErrorKind::kInvalidValue,
              "input_tokens", "18446744073709551615 is out of range");
  // Beyond 64 bits, the JSON parser itself gives up on the number.
  ExpectError(base + R"("ip":"10.0.0.1","input_tokens":99999999999999999999})", ErrorKind::kMalformedJson, "json",
              "number");
}

TEST_F(EventParserTest, InvalidTimestamps) {
  ExpectError(R"({"ts":"2026-02-30T10:00:00Z","account":"a","ip":"10.0.0.1"})", ErrorKind::kInvalidValue, "ts",
              "invalid timestamp \"2026-02-30T10:00:00Z\"");
  ExpectError(R"({"ts":1776816000,"account":"a","ip":"10.0.0.1"})", ErrorKind::kInvalidValue, "ts",
              "seconds or microseconds");
  ExpectError(R"({"ts":1776816000000000,"account":"a","ip":"10.0.0.1"})", ErrorKind::kInvalidValue, "ts", "outside");
  ExpectError(R"({"ts":1776816000000,"account":"a","ip":"10.0.0.1","account_created":"soon"})",
              ErrorKind::kInvalidValue, "account_created", "invalid timestamp");
}

TEST_F(EventParserTest, InvalidUtf8) {
  ExpectError("{\"ts\":1776816000000,\"account\":\"\xff\xfe\",\"ip\":\"10.0.0.1\"}", ErrorKind::kInvalidUtf8, "json",
              "UTF-8");
  // Overlong encoding and lone surrogate bytes.
  ExpectError("{\"ts\":1776816000000,\"account\":\"\xc0\xaf\",\"ip\":\"10.0.0.1\"}", ErrorKind::kInvalidUtf8, "json",
              "UTF-8");
  ExpectError("{\"ts\":1776816000000,\"account\":\"\xed\xa0\x80\",\"ip\":\"10.0.0.1\"}", ErrorKind::kInvalidUtf8,
              "json", "UTF-8");
}

TEST_F(EventParserTest, BadEscapeInString) {
  ExpectError(R"({"ts":1776816000000,"account":"a","ip":"10.0.0.1","prompt":"bad \uZZZZ escape"})",
              ErrorKind::kMalformedJson, "json", "string");
}

TEST_F(EventParserTest, DuplicateField) {
  ExpectError(R"({"ts":1776816000000,"account":"a","account":"b","ip":"10.0.0.1"})", ErrorKind::kDuplicateField,
              "account", "more than once");
}

TEST_F(EventParserTest, DuplicateFieldEvenWhenTheFirstIsNull) {
  ExpectError(R"({"ts":null,"ts":1776816000000,"account":"a","ip":"10.0.0.1"})", ErrorKind::kDuplicateField, "ts",
              "more than once");
  ExpectError(R"({"ts":1776816000000,"account":"","account":"a","ip":"10.0.0.1"})", ErrorKind::kDuplicateField,
              "account", "more than once");
}

TEST_F(EventParserTest, NulInsideAnIpIsInvalid) {
  ExpectError(R"({"ts":1776816000000,"account":"a","ip":"1.2.3.4\u0000junk"})", ErrorKind::kInvalidValue, "ip",
              "\\x00junk");
}

TEST_F(EventParserTest, BadLineLeavesNoTraceInInterners) {
  ExpectError(R"({"ts":1776816000000,"account":"ghost","ip":"10.0.0.1","org":"ghost-org","status":1})",
              ErrorKind::kInvalidValue, "status", "");
  EXPECT_EQ(interners_.account.Find("ghost"), kNoId);
  EXPECT_EQ(interners_.org.size(), 0u);
  EXPECT_EQ(interners_.ips.address_count(), 0u);
}

TEST_F(EventParserTest, ValuesInMessagesAreQuotedAndBounded) {
  std::string long_ip(500, '9');
  ExpectError(R"({"ts":1776816000000,"account":"a","ip":")" + long_ip + R"("})", ErrorKind::kInvalidValue, "ip", "...");
  EXPECT_LT(error_.reason.size(), 120u);
  ExpectError(R"({"ts":1776816000000,"account":"a","ip":"1.2.3.4\n"})", ErrorKind::kInvalidValue, "ip", "\\x0a");
}

TEST_F(EventParserTest, ReusesParserAcrossLines) {
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(Parse(R"({"ts":1776816000000,"account":"a)" + std::to_string(i % 10) + R"(","ip":"10.0.0.)" +
                      std::to_string(i % 200) + R"("})"));
  }
  EXPECT_EQ(interners_.account.size(), 10u);
  EXPECT_EQ(interners_.ips.address_count(), 200u);
  EXPECT_EQ(interners_.ips.prefix_count(), 1u);
}

}  // namespace
}  // namespace hydraguard::ingest

namespace hydraguard::ingest {
namespace {

// Fields in `not_interned` are validated and marked present but get no id;
// the account is interned whatever the mask says.
TEST(EventParserNotInternedTest, SkipsOnlyTheMaskedFields) {
  Interners interners;
  uint32_t mask = (1u << static_cast<int>(Field::kConversation)) | (1u << static_cast<int>(Field::kKey)) |
                  (1u << static_cast<int>(Field::kAccount));
  EventParser parser(&interners, mask);
  std::string line =
      R"({"ts":1776816000000,"account":"a1","ip":"192.0.2.1","key":"k1","conversation":"c1","org":"o1"})";
  std::string buffer = line + std::string(64, '\0');
  Event event;
  ParseError error;
  ASSERT_TRUE(parser.Parse(std::string_view(buffer.data(), line.size()), &event, &error)) << error.reason;
  EXPECT_TRUE(event.has(Field::kConversation));
  EXPECT_TRUE(event.has(Field::kKey));
  EXPECT_EQ(event.conversation, kNoId);
  EXPECT_EQ(event.key, kNoId);
  EXPECT_EQ(interners.conversation.size(), 0u);
  EXPECT_EQ(interners.account.Name(event.account), "a1");
  EXPECT_EQ(interners.org.Name(event.org), "o1");
  // Masked fields are still validated.
  std::string bad = R"({"ts":1776816000000,"account":"a1","ip":"192.0.2.1","conversation":7})";
  buffer = bad + std::string(64, '\0');
  EXPECT_FALSE(parser.Parse(std::string_view(buffer.data(), bad.size()), &event, &error));
  EXPECT_EQ(error.field, "conversation");
}

}  // namespace
}  // namespace hydraguard::ingest
