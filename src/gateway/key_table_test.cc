#include "gateway/key_table.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_files.h"

namespace hydraguard::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(KeyTableTest, ParsesEveryField) {
  absl::StatusOr<KeyTable> table = KeyTable::Parse(
      R"({"key":"sk-ant-1","account":"a1","org":"o1","tier":"build","verified":"payment","created":"2026-01-02T00:00:00Z","payment":"fp_9c1","email_domain":"Example.COM","campaign":"c7"}

{"key":"sk-2","account":"a2","created":1767312000000,"verified":"none"}
{"key":"sk-3","account":"a2","org":null}
)",
      "keys.jsonl");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 3u);
  const Identity* one = table->Find("sk-ant-1");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->account, "a1");
  EXPECT_EQ(one->org, "o1");
  EXPECT_EQ(one->tier, "build");
  EXPECT_EQ(one->verified, ingest::Verification::kPayment);
  EXPECT_EQ(one->created_ms, 1'767'312'000'000);  // 2026-01-02T00:00:00Z
  EXPECT_EQ(one->payment, "fp_9c1");
  EXPECT_EQ(one->email_domain, "example.com");  // lower-cased
  EXPECT_EQ(one->campaign, "c7");

  const Identity* two = table->Find("sk-2");
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->account, "a2");
  EXPECT_EQ(two->created_ms, 1'767'312'000'000);  // the same instant in ms
  EXPECT_EQ(two->verified, ingest::Verification::kNone);
  EXPECT_EQ(two->org, "");
  EXPECT_EQ(two->tier, "");

  const Identity* three = table->Find("sk-3");
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(three->verified, ingest::Verification::kUnknown);
  EXPECT_EQ(three->created_ms, 0);
  EXPECT_EQ(three->org, "");  // null counts as absent

  EXPECT_EQ(table->Find("sk-unknown"), nullptr);
  EXPECT_EQ(table->Find(""), nullptr);
  EXPECT_EQ(table->Find("sk-ant-"), nullptr);
}

TEST(KeyTableTest, EmptyTable) {
  absl::StatusOr<KeyTable> table = KeyTable::Parse("\n  \n", "keys.jsonl");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->size(), 0u);
  EXPECT_EQ(table->Find("x"), nullptr);
  EXPECT_EQ(KeyTable().Find("x"), nullptr);
}

// Errors name the origin, the line and the field.
TEST(KeyTableTest, ErrorsNameOriginLineAndField) {
  struct Case {
    std::string text;
    std::string prefix;
    std::string reason;
  };
  const std::string good = R"({"key":"k0","account":"a0"})";
  const std::vector<Case> cases = {
      {good + "\n" + R"({"key":"k1"})", "keys.jsonl:2: field account", "required"},
      {good + "\n\n" + R"({"key":"k1","account":""})", "keys.jsonl:3: field account", "required"},
      {R"({"account":"a1"})", "keys.jsonl:1: field key", "required"},
      {good + "\n" + good, "keys.jsonl:2: field key", "the same key appears twice"},
      {R"({"key":"k1","account":"a1","verified":"gold"})", "keys.jsonl:1: field verified", "unknown level \"gold\""},
      {R"({"key":"k1","account":"a1","verified":3})", "keys.jsonl:1: field verified", "expected a string"},
      {R"({"key":"k1","account":7})", "keys.jsonl:1: field account", "expected a string"},
      {R"({"key":"k1","account":"a1","org":["o"]})", "keys.jsonl:1: field org", "expected a string"},
      {R"({"key":"k1","account":"a1","created":"yesterday"})", "keys.jsonl:1: field created",
       "expected ms since the epoch or an RFC 3339 time"},
      {R"({"key":"k1","account":"a1","created":1.5})", "keys.jsonl:1: field created", "RFC 3339"},
      {good + "\n" + "not json", "keys.jsonl:2: not a JSON object", ""},
      {good + "\n" + "[1,2]", "keys.jsonl:2: not a JSON object", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<KeyTable> table = KeyTable::Parse(c.text, "keys.jsonl");
    ASSERT_FALSE(table.ok());
    EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(table.status()), StartsWith(c.prefix));
    EXPECT_THAT(Message(table.status()), HasSubstr(c.reason));
  }
}

TEST(KeyTableTest, LoadFile) {
  std::string path = hydraguard::testing::WriteTempFile(
      "{\"key\":\"sk-1\",\"account\":\"a1\"}\n{\"key\":\"sk-2\",\"account\":\"a2\",\"tier\":\"free\"}\n");
  absl::StatusOr<KeyTable> table = KeyTable::LoadFile(path);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 2u);
  ASSERT_NE(table->Find("sk-2"), nullptr);
  EXPECT_EQ(table->Find("sk-2")->tier, "free");

  std::string bad = hydraguard::testing::WriteTempFile("{\"key\":\"sk-1\"}\n");
  absl::StatusOr<KeyTable> refused = KeyTable::LoadFile(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(Message(refused.status()), StartsWith(bad + ":1: field account"));

  absl::StatusOr<KeyTable> missing = KeyTable::LoadFile(hydraguard::testing::TempPath(".jsonl"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(KeyTableTest, FromHashEntries) {
  absl::StatusOr<KeyTable> table = KeyTable::FromHashEntries(
      {{"sk-live-abcdef123456", R"({"account":"a1","tier":"scale","verified":"id","created":"2025-06-01T12:00:00Z"})"},
       {"sk-2", R"({"account":"a2","payment":"fp_2"})"}},
      "redis hg:keys");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->size(), 2u);
  const Identity* one = table->Find("sk-live-abcdef123456");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->account, "a1");
  EXPECT_EQ(one->tier, "scale");
  EXPECT_EQ(one->verified, ingest::Verification::kId);
  EXPECT_EQ(one->created_ms, 1'748'779'200'000);
  ASSERT_NE(table->Find("sk-2"), nullptr);
  EXPECT_EQ(table->Find("sk-2")->payment, "fp_2");

  // Errors name the origin and only the start of the key.
  absl::StatusOr<KeyTable> missing_account =
      KeyTable::FromHashEntries({{"sk-live-abcdef123456", R"({"tier":"free"})"}}, "redis hg:keys");
  ASSERT_FALSE(missing_account.ok());
  EXPECT_THAT(Message(missing_account.status()), StartsWith("redis hg:keys: key sk-live-...: field account"));
  EXPECT_THAT(Message(missing_account.status()), Not(HasSubstr("abcdef123456")));

  absl::StatusOr<KeyTable> not_json = KeyTable::FromHashEntries({{"k", "nope"}}, "redis hg:keys");
  ASSERT_FALSE(not_json.ok());
  EXPECT_THAT(Message(not_json.status()), HasSubstr("not a JSON object"));

  absl::StatusOr<KeyTable> bad_level =
      KeyTable::FromHashEntries({{"k", R"({"account":"a","verified":"gold"})"}}, "redis hg:keys");
  ASSERT_FALSE(bad_level.ok());
  EXPECT_THAT(Message(bad_level.status()), HasSubstr("field verified"));
}

}  // namespace
}  // namespace hydraguard::gateway
