// Timestamps of schema v1: integer milliseconds since the Unix epoch, or
// RFC 3339 text such as "2026-04-22T09:30:00Z" or
// "2026-04-22 09:30:00.250+02:00" (fraction truncated to milliseconds).
//
//   std::optional<int64_t> ms = ParseRfc3339Millis("2026-04-22T09:30:00Z");
//   std::string text = FormatRfc3339Millis(*ms);   // "2026-04-22T09:30:00.000Z"
#ifndef HYDRAGUARD_INGEST_TIMESTAMP_H_
#define HYDRAGUARD_INGEST_TIMESTAMP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hydraguard::ingest {

// Accepted range for event and sign-up times: [2000-01-01, 2100-01-01) UTC.
// Anything outside is almost always seconds or microseconds mistaken for
// milliseconds, so it is rejected rather than silently misread.
inline constexpr int64_t kMinTimestampMs = 946684800000;   // 2000-01-01T00:00:00Z
inline constexpr int64_t kMaxTimestampMs = 4102444800000;  // 2100-01-01T00:00:00Z

// Parses RFC 3339 date-time (with 'T', 't' or ' ' between date and time, and
// 'Z', 'z' or +hh:mm / -hh:mm offsets). Returns nullopt when the text is not
// a valid date-time. Does not check kMin/kMaxTimestampMs.
std::optional<int64_t> ParseRfc3339Millis(std::string_view text);

// Formats as "YYYY-MM-DDThh:mm:ss.mmmZ".
std::string FormatRfc3339Millis(int64_t ms);

// The UTC date alone, "YYYY-MM-DD".
std::string FormatRfc3339Date(int64_t ms);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1..12).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace hydraguard::ingest

#endif  // HYDRAGUARD_INGEST_TIMESTAMP_H_
