#include "gateway/internal/json_spans.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hydraguard::gateway::internal {
namespace {

std::vector<std::string> Members(std::string_view json, bool* ok = nullptr) {
  std::vector<std::string> out;
  std::optional<JsonSpan> root = ValueAt(json, 0);
  bool well_formed = root && ForEachMember(json, *root, [&](const JsonMember& member) {
                       out.push_back(std::string(member.key) + "=" + std::string(member.value.In(json)) + "|" +
                                     std::string(member.member.In(json)));
                       return true;
                     });
  if (ok != nullptr) *ok = well_formed;
  return out;
}

TEST(JsonSpansTest, MembersWithTheirExactText) {
  bool ok = false;
  std::vector<std::string> members =
      Members(R"( { "a" : 1 , "b":"x\"}", "c": {"d": [1, {"e": "]"}]}, "e":[], "f":null } )", &ok);
  EXPECT_TRUE(ok);
  ASSERT_EQ(members.size(), 5u);
  EXPECT_EQ(members[0], R"(a=1|"a" : 1)");
  EXPECT_EQ(members[1], R"(b="x\"}"|"b":"x\"}")");
  EXPECT_EQ(members[2], R"(c={"d": [1, {"e": "]"}]}|"c": {"d": [1, {"e": "]"}]})");
  EXPECT_EQ(members[3], R"(e=[]|"e":[])");
  EXPECT_EQ(members[4], R"(f=null|"f":null)");
  EXPECT_TRUE(Members("{}", &ok).empty());
  EXPECT_TRUE(ok);
}

TEST(JsonSpansTest, EscapedBackslashBeforeQuote) {
  std::string_view json = R"({"a":"x\\","b":2})";
  std::optional<JsonSpan> b = FindMember(json, {0, json.size()}, "b");
  ASSERT_TRUE(b);
  EXPECT_EQ(IntegerAt(json, *b), 2);
}

TEST(JsonSpansTest, Elements) {
  std::string_view json = R"([1, "two", {"three": 3}, [4]])";
  std::vector<std::string> elements;
  EXPECT_TRUE(ForEachElement(json, {0, json.size()}, [&](JsonSpan element) {
    elements.emplace_back(element.In(json));
    return true;
  }));
  EXPECT_EQ(elements, (std::vector<std::string>{"1", "\"two\"", "{\"three\": 3}", "[4]"}));
}

TEST(JsonSpansTest, ScalarHelpers) {
  std::string_view json = R"({"i":-12,"f":1.5,"s":"thinking","n":null,"big":99999999999999999999})";
  JsonSpan root{0, json.size()};
  EXPECT_EQ(IntegerAt(json, *FindMember(json, root, "i")), -12);
  EXPECT_EQ(IntegerAt(json, *FindMember(json, root, "f")), std::nullopt);
  EXPECT_EQ(IntegerAt(json, *FindMember(json, root, "big")), std::nullopt);
  EXPECT_TRUE(IsString(json, *FindMember(json, root, "s"), "thinking"));
  EXPECT_FALSE(IsString(json, *FindMember(json, root, "s"), "think"));
  EXPECT_TRUE(IsNull(json, *FindMember(json, root, "n")));
  EXPECT_FALSE(FindMember(json, root, "missing"));
}

TEST(JsonSpansTest, MalformedIsRejectedWithoutOverrun) {
  for (std::string_view json : {"{", "{\"a\"", "{\"a\":", "{\"a\":1,}", "{\"a\" 1}", "{,}", "{\"a\":\"x}", "{\"a\":[}",
                                "{1:2}", "{\"a\":1 \"b\":2}", "[", "\"", "{\"a\":}"}) {
    bool ok = true;
    Members(json, &ok);
    EXPECT_FALSE(ok) << json;
  }
  std::string_view array = "[1,]";
  EXPECT_FALSE(ForEachElement(array, {0, array.size()}, [](JsonSpan) { return true; }));
  // A span that is not an object.
  std::string_view text = "[1]";
  EXPECT_FALSE(ForEachMember(text, {0, text.size()}, [](const JsonMember&) { return true; }));
  EXPECT_FALSE(ForEachMember(text, {0, 99}, [](const JsonMember&) { return true; }));
  // Deep nesting: no recursion, no crash.
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(Members(deep).size(), 1u);
}

}  // namespace
}  // namespace hydraguard::gateway::internal
