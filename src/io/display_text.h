// EscapeForDisplay: makes untrusted text (file names, field values) safe to
// put inside a one-line message: control characters, DEL and backslash
// become \xNN, so a message is always exactly one line and scripts can split
// "FILE:LINE: field: reason" reliably. UTF-8 passes through unchanged.
//
//   EscapeForDisplay("a\nb.jsonl")  // "a\x0ab.jsonl"
#ifndef HYDRAGUARD_IO_DISPLAY_TEXT_H_
#define HYDRAGUARD_IO_DISPLAY_TEXT_H_

#include <string>
#include <string_view>

namespace hydraguard::io {

std::string EscapeForDisplay(std::string_view text);

}  // namespace hydraguard::io

#endif  // HYDRAGUARD_IO_DISPLAY_TEXT_H_
