#include "ingest/timestamp.h"

#include <gtest/gtest.h>

namespace hydraguard::ingest {
namespace {

TEST(TimestampTest, ParsesUtc) {
  EXPECT_EQ(ParseRfc3339Millis("2026-04-22T00:00:00Z"), 1776816000000);
  EXPECT_EQ(ParseRfc3339Millis("1970-01-01T00:00:00Z"), 0);
}

TEST(TimestampTest, ParsesFractionsAndTruncatesToMillis) {
  EXPECT_EQ(ParseRfc3339Millis("2026-04-22T00:00:00.5Z"), 1776816000500);
  EXPECT_EQ(ParseRfc3339Millis("2026-04-22T00:00:00.123456789Z"), 1776816000123);
}

TEST(TimestampTest, ParsesOffsetsAndSeparators) {
  EXPECT_EQ(ParseRfc3339Millis("2026-04-22T02:00:00+02:00"), 1776816000000);
  EXPECT_EQ(ParseRfc3339Millis("2026-04-21T19:30:00-04:30"), 1776816000000);
  EXPECT_EQ(ParseRfc3339Millis("2026-04-22 00:00:00z"), 1776816000000);
  EXPECT_EQ(ParseRfc3339Millis("2026-04-22t00:00:00Z"), 1776816000000);
}

TEST(TimestampTest, LeapDay) {
  EXPECT_TRUE(ParseRfc3339Millis("2024-02-29T12:00:00Z"));
  EXPECT_FALSE(ParseRfc3339Millis("2026-02-29T12:00:00Z"));
  EXPECT_FALSE(ParseRfc3339Millis("1900-02-29T12:00:00Z"));
  EXPECT_TRUE(ParseRfc3339Millis("2000-02-29T12:00:00Z"));
}

TEST(TimestampTest, RejectsInvalid) {
  for (const char* bad :
       {"", "2026-04-22", "2026-04-22T00:00:00", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2026-04-22T24:00:00Z",
        "2026-04-22T00:60:00Z", "2026-04-22T00:00:00.Z", "2026-04-22T00:00:00+0200", "2026-04-22T00:00:00Zjunk",
        "2026/04/22T00:00:00Z", "20260-4-22T00:00:00Z", "2026-04-22T00:00:00+24:00", "yesterday"}) {
    EXPECT_FALSE(ParseRfc3339Millis(bad)) << bad;
  }
}

TEST(TimestampTest, LeapSecondOnlyAtTheEndOfAUtcDay) {
  EXPECT_EQ(ParseRfc3339Millis("2016-12-31T23:59:60Z"), ParseRfc3339Millis("2017-01-01T00:00:00Z"));
  EXPECT_EQ(ParseRfc3339Millis("2017-01-01T00:59:60+01:00"), ParseRfc3339Millis("2017-01-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339Millis("2024-02-29T10:15:60Z"));
  EXPECT_FALSE(ParseRfc3339Millis("2016-12-31T23:59:60+01:00"));
}

TEST(TimestampTest, FormatRoundTrips) {
  for (int64_t ms : {int64_t{0}, int64_t{1776816000123}, int64_t{951782400000}, kMaxTimestampMs - 1}) {
    EXPECT_EQ(ParseRfc3339Millis(FormatRfc3339Millis(ms)), ms) << FormatRfc3339Millis(ms);
  }
  EXPECT_EQ(FormatRfc3339Millis(1776816000123), "2026-04-22T00:00:00.123Z");
  EXPECT_EQ(FormatRfc3339Date(1776816000123), "2026-04-22");
}

TEST(TimestampTest, DaysFromCivil) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
}

}  // namespace
}  // namespace hydraguard::ingest
