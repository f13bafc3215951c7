#include "io/json_writer.h"

#include <string>

#include "gtest/gtest.h"

namespace hydraguard::io {
namespace {

std::string Json(std::string_view value) {
  std::string out;
  AppendJsonString(&out, value);
  return out;
}

TEST(JsonWriterTest, Escapes) { EXPECT_EQ(Json("a\"b\\c\nd\te\x01 café"), "\"a\\\"b\\\\c\\nd\\te\\u0001 café\""); }

TEST(JsonWriterTest, WellFormedUtf8PassesUnchanged) {
  for (std::string_view text :
       {"\u00e7", "\u0800", "\u20ac", "\uD7FF", "\uE000", "\uFFFD", "\U00010000", "\U0001F600", "\U0010FFFF"}) {
    std::string out = Json(text);
    EXPECT_EQ(std::string_view(out).substr(1, out.size() - 2), text);
  }
}

#define BAD "\xEF\xBF\xBD"  // U+FFFD

TEST(JsonWriterTest, EachByteOutsideUtf8BecomesAReplacementCharacter) {
  EXPECT_EQ(Json("evil\xff"), "\"evil" BAD "\"");
  EXPECT_EQ(Json("\x80"), "\"" BAD "\"");                          // lone continuation
  EXPECT_EQ(Json("\xc0\xaf"), "\"" BAD BAD "\"");                  // overlong '/'
  EXPECT_EQ(Json("\xe0\x80\xaf"), "\"" BAD BAD BAD "\"");          // overlong 3-byte
  EXPECT_EQ(Json("\xed\xa0\x80"), "\"" BAD BAD BAD "\"");          // surrogate U+D800
  EXPECT_EQ(Json("\xf4\x90\x80\x80"), "\"" BAD BAD BAD BAD "\"");  // above U+10FFFF
  EXPECT_EQ(Json("a\xe2\x82"), "\"a" BAD BAD "\"");                // cut short at the end
  EXPECT_EQ(Json("\xe2\x82"
                 "z"),
            "\"" BAD BAD "z\"");                           // cut short before ASCII
  EXPECT_EQ(Json("\xf0\x9f\x98"), "\"" BAD BAD BAD "\"");  // 4-byte cut short
}

#undef BAD

}  // namespace
}  // namespace hydraguard::io
