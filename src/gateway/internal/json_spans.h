// Where the members of a JSON object, or the elements of an array, lie in its
// text: enough to edit a response (drop a member, renumber an index) while
// every byte not edited stays as the upstream sent it. Private to src/server;
// response_filter.cc uses it on event payloads and bodies.
//
//   std::string_view json = R"({"type":"x","index":3})";
//   std::optional<JsonSpan> index = FindMember(json, {0, json.size()}, "index");
//   // json.substr(index->begin, index->size()) == "3"
//
// This is a lexer, not a validator: it finds strings (with escapes), brackets
// and commas, and takes any other run of characters as a scalar. Malformed
// text makes the functions return false / nullopt, never read out of bounds.
// Keys are compared as written between their quotes (no unescaping).
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_GATEWAY_INTERNAL_JSON_SPANS_H_
#define HYDRAGUARD_GATEWAY_INTERNAL_JSON_SPANS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"

namespace hydraguard::gateway::internal {

// [begin, end) in the text, with no surrounding whitespace.
struct JsonSpan {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
  std::string_view In(std::string_view text) const { return text.substr(begin, end - begin); }
};

struct JsonMember {
  std::string_view key;  // between the quotes, as written
  JsonSpan member;       // from the key's opening quote to the value's end
  JsonSpan value;
};

// The end of the value starting at or after `pos` (after whitespace), or
// nullopt if there is none or it is unterminated. Nesting depth is unbounded
// (no recursion).
std::optional<JsonSpan> ValueAt(std::string_view text, size_t pos);

// Calls `visit` for each member of the object spanning `object` (from its '{'
// to its '}'), in order, until `visit` returns false. False if the object is
// malformed (members visited before the fault have been visited).
bool ForEachMember(std::string_view text, JsonSpan object, absl::FunctionRef<bool(const JsonMember&)> visit);
// Same for the elements of the array spanning `array`.
bool ForEachElement(std::string_view text, JsonSpan array, absl::FunctionRef<bool(JsonSpan)> visit);

// The value of member `key` of `object`, if present and the object is well formed up to it.
std::optional<JsonSpan> FindMember(std::string_view text, JsonSpan object, std::string_view key);

// The integer a scalar span holds, if it is one (no fraction, no exponent).
std::optional<int64_t> IntegerAt(std::string_view text, JsonSpan value);
// Whether the span is the literal `null`.
inline bool IsNull(std::string_view text, JsonSpan value) { return value.In(text) == "null"; }
// Whether the span is a string whose raw contents equal `expected`.
inline bool IsString(std::string_view text, JsonSpan value, std::string_view expected) {
  std::string_view raw = value.In(text);
  return raw.size() == expected.size() + 2 && raw.front() == '"' && raw.substr(1, expected.size()) == expected;
}
inline bool IsObject(std::string_view text, JsonSpan value) { return value.size() >= 2 && text[value.begin] == '{'; }
inline bool IsArray(std::string_view text, JsonSpan value) { return value.size() >= 2 && text[value.begin] == '['; }

}  // namespace hydraguard::gateway::internal

#endif  // HYDRAGUARD_GATEWAY_INTERNAL_JSON_SPANS_H_
