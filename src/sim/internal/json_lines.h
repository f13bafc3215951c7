// Reading the simulator's JSON-lines inputs (prompt pools, labelled
// examples): one pass over the documents of a file with their line numbers,
// and the file-level errors said once.
//
//   absl::Status status = internal::ForEachJsonLine(path, [&](size_t line, JsonDocument document) {
//     std::string_view text;
//     if (document["text"].get_string().get(text)) return absl::InvalidArgumentError(...);
//     return absl::OkStatus();
//   });
#ifndef HYDRAGUARD_SIM_INTERNAL_JSON_LINES_H_
#define HYDRAGUARD_SIM_INTERNAL_JSON_LINES_H_

#include <cstddef>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "simdjson.h"

namespace hydraguard::sim::internal {

using JsonDocument = simdjson::simdjson_result<simdjson::dom::element>;

// Calls `visit(line, document)` for each JSON document of the file, lines
// counted from 1; returns visit's first error as it is. File-level errors:
// NotFound "PATH: cannot read: REASON", InvalidArgument "PATH: REASON" (not
// JSON lines) and "PATH: N bytes after the last complete line".
absl::Status ForEachJsonLine(const std::string& path,
                             absl::FunctionRef<absl::Status(size_t line, JsonDocument document)> visit);

}  // namespace hydraguard::sim::internal

#endif  // HYDRAGUARD_SIM_INTERNAL_JSON_LINES_H_
