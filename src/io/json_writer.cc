#include "io/json_writer.h"

namespace hydraguard::io {
namespace {

// The length of the well-formed UTF-8 sequence at value[pos] (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0.
size_t Utf8SequenceLength(std::string_view value, size_t pos) {
  auto byte = [&](size_t offset) -> unsigned {
    return pos + offset < value.size() ? static_cast<unsigned char>(value[pos + offset]) : 0u;
  };
  auto continuation = [](unsigned c) { return (c & 0xC0) == 0x80; };
  unsigned lead = byte(0);
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(byte(1)) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    unsigned second = byte(1);
    unsigned low = lead == 0xE0 ? 0xA0 : 0x80, high = lead == 0xED ? 0x9F : 0xBF;
    return second >= low && second <= high && continuation(byte(2)) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    unsigned second = byte(1);
    unsigned low = lead == 0xF0 ? 0x90 : 0x80, high = lead == 0xF4 ? 0x8F : 0xBF;
    return second >= low && second <= high && continuation(byte(2)) && continuation(byte(3)) ? 4 : 0;
  }
  return 0;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run_start = 0;
  for (size_t pos = 0; pos < value.size(); ++pos) {
    unsigned char c = static_cast<unsigned char>(value[pos]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') continue;
    if (c >= 0x80) {
      size_t length = Utf8SequenceLength(value, pos);
      if (length > 0) {
        pos += length - 1;
        continue;
      }
      out->append(value.data() + run_start, pos - run_start);
      run_start = pos + 1;
      out->append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER, one per bad byte
      continue;
    }
    out->append(value.data() + run_start, pos - run_start);
    run_start = pos + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
  }
  out->append(value.data() + run_start, value.size() - run_start);
  out->push_back('"');
}

}  // namespace hydraguard::io
