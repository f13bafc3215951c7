#include "ingest/bad_input.h"

#include "fmt/format.h"

namespace hydraguard::ingest {

std::string BadInputLog::FormatBadLine(std::string_view file, uint64_t line_number, const ParseError& error) {
  return fmt::format("{}{}{}{}{}{}{}", file, ":", line_number, ": ", error.field, ": ", error.reason);
}

void BadInputLog::AddBadLine(std::string_view file, uint64_t line_number, const ParseError& error) {
  ++bad_lines_;
  ++by_kind_[static_cast<int>(error.kind)];
  ++by_kind_field_[{std::string(ErrorKindName(error.kind)), error.field}];
  if (report_ != nullptr) {
    std::string line = FormatBadLine(file, line_number, error);
    std::fprintf(report_, "%s\n", line.c_str());
  }
}

void BadInputLog::AddUnreadableFile(const absl::Status& status) {
  ++unreadable_files_;
  if (report_ != nullptr) std::fprintf(report_, "%s\n", std::string(status.message()).c_str());
}

void BadInputLog::AddEmptyFile(std::string_view file) {
  ++empty_files_;
  if (report_ != nullptr)
    std::fprintf(report_, "%.*s: empty input (no events)\n", static_cast<int>(file.size()), file.data());
}

}  // namespace hydraguard::ingest
