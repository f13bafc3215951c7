// ParseError: why one input line is not a valid schema v1 event.
#ifndef HYDRAGUARD_INGEST_PARSE_ERROR_H_
#define HYDRAGUARD_INGEST_PARSE_ERROR_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace hydraguard::ingest {

// Categories for the bad-line summary. Stable: they appear in --json output.
enum class ErrorKind : uint8_t {
  kMalformedJson,   // not parseable JSON, or not a single object
  kInvalidUtf8,     // bytes that are not UTF-8
  kMissingField,    // a required field (ts, account, ip) is absent or null
  kWrongType,       // a field has the wrong JSON type
  kInvalidValue,    // right type, unacceptable value (bad IP, bad date, ...)
  kDuplicateField,  // the same schema field twice in one object
  kLineTooLong,     // longer than the maximum line length
  kTruncatedLine,   // last line has no newline and does not parse
  kCount,
};
inline constexpr int kErrorKindCount = static_cast<int>(ErrorKind::kCount);

// Short snake_case name, e.g. "malformed_json".
std::string_view ErrorKindName(ErrorKind kind);

struct ParseError {
  ErrorKind kind = ErrorKind::kMalformedJson;
  std::string field;   // schema field name, or "json" / "line"
  std::string reason;  // human-readable, single line
};

// Quotes a value for an error message: at most `max_bytes` (cut on a UTF-8
// boundary, with "..." appended), control characters escaped, in double quotes.
std::string QuoteForMessage(std::string_view value, size_t max_bytes = 48);

}  // namespace hydraguard::ingest

#endif  // HYDRAGUARD_INGEST_PARSE_ERROR_H_
