// The "raw simdjson parse" that ingest benchmarks compare against: simdjson's
// on-demand API reading every value of one JSON object line (keys and strings
// unescaped, integers parsed, booleans read), with no validation beyond
// simdjson's and no interning. One definition, so every ratio means the same.
//
//   simdjson::ondemand::parser parser;
//   uint64_t checksum = RawSimdjsonWalk(parser, line);  // line padded by 64 bytes
#ifndef HYDRAGUARD_TESTING_SIMDJSON_WALK_H_
#define HYDRAGUARD_TESTING_SIMDJSON_WALK_H_

#include <cstdint>
#include <string_view>

#include "simdjson.h"

namespace hydraguard::testing {

// REQUIRES: SIMDJSON_PADDING readable bytes after `line`. Returns a checksum of
// what was read, so that the compiler cannot skip the work.
inline uint64_t RawSimdjsonWalk(simdjson::ondemand::parser& parser, std::string_view line) {
  uint64_t checksum = 0;
  simdjson::ondemand::document doc;
  if (parser.iterate(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING).get(doc)) return 0;
  simdjson::ondemand::object object;
  if (doc.get_object().get(object)) return 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) break;
    auto value = field.value();
    simdjson::ondemand::json_type type;
    if (value.type().get(type)) break;
    if (type == simdjson::ondemand::json_type::string) {
      std::string_view text;
      if (!value.get_string().get(text)) checksum += text.size();
    } else if (type == simdjson::ondemand::json_type::number) {
      int64_t number;
      if (!value.get_int64().get(number)) checksum += static_cast<uint64_t>(number);
    } else if (type == simdjson::ondemand::json_type::boolean) {
      bool flag;
      if (!value.get_bool().get(flag)) checksum += flag;
    }
  }
  return checksum;
}

}  // namespace hydraguard::testing

#endif  // HYDRAGUARD_TESTING_SIMDJSON_WALK_H_
