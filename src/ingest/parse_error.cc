#include "ingest/parse_error.h"

#include <array>

#include "io/display_text.h"

namespace hydraguard::ingest {

std::string_view ErrorKindName(ErrorKind kind) {
  static constexpr std::array<std::string_view, kErrorKindCount> kNames = {
      "malformed_json", "invalid_utf8",    "missing_field", "wrong_type",
      "invalid_value",  "duplicate_field", "line_too_long", "truncated_line"};
  int index = static_cast<int>(kind);
  return index < kErrorKindCount ? kNames[index] : std::string_view("unknown");
}

std::string QuoteForMessage(std::string_view value, size_t max_bytes) {
  bool cut = value.size() > max_bytes;
  if (cut) {
    size_t end = max_bytes;
    // Do not split a UTF-8 sequence: back up over continuation bytes.
    while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
    value = value.substr(0, end);
  }
  std::string quoted = "\"";
  for (char c : io::EscapeForDisplay(value)) {
    if (c == '"') {
      quoted += "\\x22";
    } else {
      quoted += c;
    }
  }
  quoted += cut ? "...\"" : "\"";
  return quoted;
}

}  // namespace hydraguard::ingest
