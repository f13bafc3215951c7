// Reading the gateway's JSON-lines inputs (key table, verdicts) with errors
// that name the origin and line. Private to src/gateway.
#ifndef HYDRAGUARD_GATEWAY_INTERNAL_JSON_LINES_H_
#define HYDRAGUARD_GATEWAY_INTERNAL_JSON_LINES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "simdjson.h"

namespace hydraguard::gateway::internal {

// Calls `handle` with each non-blank line parsed as a JSON object. Stops at
// the first error, returned as InvalidArgument "ORIGIN:LINE: reason".
absl::Status ForEachJsonObject(std::string_view text, std::string_view origin,
                               absl::FunctionRef<absl::Status(simdjson::dom::object)> handle);

// Field readers: nullopt when the field is absent or null; an error naming
// the field when it has another type.
absl::StatusOr<std::optional<std::string>> StringField(simdjson::dom::object object, std::string_view field);
absl::StatusOr<std::optional<double>> NumberField(simdjson::dom::object object, std::string_view field);
// An integer in ms since the epoch, or an RFC 3339 string.
absl::StatusOr<std::optional<int64_t>> TimeField(simdjson::dom::object object, std::string_view field);

// A status message as std::string_view (Debian's absl::string_view is not one).
inline std::string_view Message(const absl::Status& status) {
  return {status.message().data(), status.message().size()};
}

}  // namespace hydraguard::gateway::internal

#endif  // HYDRAGUARD_GATEWAY_INTERNAL_JSON_LINES_H_
