#include "sim/internal/json_lines.h"

#include "fmt/format.h"

namespace hydraguard::sim::internal {

absl::Status ForEachJsonLine(const std::string& path,
                             absl::FunctionRef<absl::Status(size_t line, JsonDocument document)> visit) {
  simdjson::padded_string contents;
  if (auto error = simdjson::padded_string::load(path).get(contents)) {
    return absl::NotFoundError(fmt::format("{}: cannot read: {}", path, simdjson::error_message(error)));
  }
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  if (auto error = parser.parse_many(contents).get(stream)) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", path, simdjson::error_message(error)));
  }
  size_t line = 0;
  for (auto document : stream) {
    if (absl::Status status = visit(++line, document); !status.ok()) return status;
  }
  if (size_t truncated = stream.truncated_bytes(); truncated != 0) {
    return absl::InvalidArgumentError(fmt::format("{}: {} bytes after the last complete line", path, truncated));
  }
  return absl::OkStatus();
}

}  // namespace hydraguard::sim::internal
