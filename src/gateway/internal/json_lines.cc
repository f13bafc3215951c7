#include "gateway/internal/json_lines.h"

#include "fmt/format.h"
#include "ingest/timestamp.h"

namespace hydraguard::gateway::internal {

absl::Status ForEachJsonObject(std::string_view text, std::string_view origin,
                               absl::FunctionRef<absl::Status(simdjson::dom::object)> handle) {
  simdjson::dom::parser parser;
  int line_number = 0;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = text.find('\n', position);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(position, end - position);
    position = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    simdjson::dom::object object;
    simdjson::error_code error = parser.parse(line.data(), line.size()).get_object().get(object);
    if (error) {
      return absl::InvalidArgumentError(
          fmt::format("{}:{}: not a JSON object ({})", origin, line_number, simdjson::error_message(error)));
    }
    absl::Status status = handle(object);
    if (!status.ok()) {
      return absl::InvalidArgumentError(fmt::format("{}:{}: {}", origin, line_number, Message(status)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> StringField(simdjson::dom::object object, std::string_view field) {
  simdjson::dom::element value;
  if (object.at_key(field).get(value) || value.is_null()) return std::nullopt;
  std::string_view text;
  if (value.get_string().get(text))
    return absl::InvalidArgumentError(fmt::format("field {}: expected a string", field));
  return std::string(text);
}

absl::StatusOr<std::optional<double>> NumberField(simdjson::dom::object object, std::string_view field) {
  simdjson::dom::element value;
  if (object.at_key(field).get(value) || value.is_null()) return std::nullopt;
  double number = 0;
  if (value.get_double().get(number))
    return absl::InvalidArgumentError(fmt::format("field {}: expected a number", field));
  return number;
}

absl::StatusOr<std::optional<int64_t>> TimeField(simdjson::dom::object object, std::string_view field) {
  simdjson::dom::element value;
  if (object.at_key(field).get(value) || value.is_null()) return std::nullopt;
  int64_t ms = 0;
  if (!value.get_int64().get(ms)) return ms;
  std::string_view text;
  if (!value.get_string().get(text)) {
    std::optional<int64_t> parsed = ingest::ParseRfc3339Millis(text);
    if (parsed) return *parsed;
  }
  return absl::InvalidArgumentError(fmt::format("field {}: expected ms since the epoch or an RFC 3339 time", field));
}

}  // namespace hydraguard::gateway::internal
