// BadInputLog: what went wrong with the input, for people and for scripts.
//
// Every bad line is written as one "FILE:LINE: field: reason" line to the
// report stream (stderr in the CLI), and counted by kind and field. Files that
// cannot be read at all (missing, unreadable, corrupt compression) are
// reported as "FILE: reason" and counted separately. Nothing is dropped
// without a line here.
//
// Thread-safety: not thread-safe.
#ifndef HYDRAGUARD_INGEST_BAD_INPUT_H_
#define HYDRAGUARD_INGEST_BAD_INPUT_H_

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "ingest/parse_error.h"

namespace hydraguard::ingest {

class BadInputLog {
 public:
  // `report` receives one line per problem; nullptr only counts. Not owned.
  explicit BadInputLog(std::FILE* report) : report_(report) {}

  void AddBadLine(std::string_view file, uint64_t line_number, const ParseError& error);
  // A file that could not be read (fully). `status` carries the reason.
  void AddUnreadableFile(const absl::Status& status);
  // A file with no bytes at all: not an error, but worth saying.
  void AddEmptyFile(std::string_view file);

  uint64_t bad_lines() const { return bad_lines_; }
  uint64_t unreadable_files() const { return unreadable_files_; }
  uint64_t empty_files() const { return empty_files_; }
  uint64_t count(ErrorKind kind) const { return by_kind_[static_cast<int>(kind)]; }
  // Counts keyed by (kind name, field).
  const std::map<std::pair<std::string, std::string>, uint64_t>& by_kind_and_field() const { return by_kind_field_; }

  // "FILE:LINE: field: reason", as written to the report stream.
  static std::string FormatBadLine(std::string_view file, uint64_t line_number, const ParseError& error);

 private:
  std::FILE* report_;
  uint64_t bad_lines_ = 0;
  uint64_t unreadable_files_ = 0;
  uint64_t empty_files_ = 0;
  std::array<uint64_t, kErrorKindCount> by_kind_{};
  std::map<std::pair<std::string, std::string>, uint64_t> by_kind_field_;
};

}  // namespace hydraguard::ingest

#endif  // HYDRAGUARD_INGEST_BAD_INPUT_H_
