// Helpers to write JSON text by hand, fast, for the JSONL outputs
// (events, verdicts, truth). Output is always valid UTF-8 JSON, whatever the
// input bytes: control characters are escaped, and each byte that is not part
// of a well-formed UTF-8 sequence becomes U+FFFD (a client can send any bytes
// in a header; its event must still parse).
//
//   std::string line = "{";
//   AppendJsonKeyString(&line, "account", account_name);  // "account":"a1",
//   ...
#ifndef HYDRAGUARD_IO_JSON_WRITER_H_
#define HYDRAGUARD_IO_JSON_WRITER_H_

#include <string>
#include <string_view>

namespace hydraguard::io {

// Appends `value` as a quoted, escaped JSON string.
void AppendJsonString(std::string* out, std::string_view value);

}  // namespace hydraguard::io

#endif  // HYDRAGUARD_IO_JSON_WRITER_H_
