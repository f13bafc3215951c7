#include "gateway/internal/json_spans.h"

#include <charconv>
#include <cstring>

namespace hydraguard::gateway::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view text, size_t pos) {
  while (pos < text.size() && IsSpace(text[pos])) ++pos;
  return pos;
}

// The position just past the string whose opening quote is at `pos`, or npos.
size_t StringEnd(std::string_view text, size_t pos) {
  const char* data = text.data();
  size_t from = pos + 1;
  while (from < text.size()) {
    const void* found = std::memchr(data + from, '"', text.size() - from);
    if (found == nullptr) return std::string_view::npos;
    size_t quote = static_cast<const char*>(found) - data;
    size_t backslashes = 0;
    while (quote - backslashes > pos + 1 && data[quote - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote + 1;
    from = quote + 1;
  }
  return std::string_view::npos;
}

// The position just past the object or array opening at `pos`, or npos.
size_t CompositeEnd(std::string_view text, size_t pos) {
  size_t depth = 0;
  size_t i = pos;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      i = StringEnd(text, i);
      if (i == std::string_view::npos) return i;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
    ++i;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<JsonSpan> ValueAt(std::string_view text, size_t pos) {
  pos = SkipSpace(text, pos);
  if (pos >= text.size()) return std::nullopt;
  char c = text[pos];
  size_t end;
  if (c == '"') {
    end = StringEnd(text, pos);
  } else if (c == '{' || c == '[') {
    end = CompositeEnd(text, pos);
  } else if (c == '}' || c == ']' || c == ',' || c == ':') {
    return std::nullopt;
  } else {
    end = pos;
    while (end < text.size() && !IsSpace(text[end]) && text[end] != ',' && text[end] != '}' && text[end] != ']' &&
           text[end] != ':' && text[end] != '"') {
      ++end;
    }
  }
  if (end == std::string_view::npos) return std::nullopt;
  return JsonSpan{pos, end};
}

bool ForEachMember(std::string_view text, JsonSpan object, absl::FunctionRef<bool(const JsonMember&)> visit) {
  if (object.end > text.size() || object.size() < 2 || text[object.begin] != '{' || text[object.end - 1] != '}') {
    return false;
  }
  // Members must end before the closing brace.
  std::string_view inner = text.substr(0, object.end - 1);
  size_t pos = SkipSpace(inner, object.begin + 1);
  if (pos == inner.size()) return true;  // {}
  while (true) {
    if (pos >= inner.size() || inner[pos] != '"') return false;
    size_t key_end = StringEnd(inner, pos);
    if (key_end == std::string_view::npos) return false;
    size_t colon = SkipSpace(inner, key_end);
    if (colon >= inner.size() || inner[colon] != ':') return false;
    std::optional<JsonSpan> value = ValueAt(inner, colon + 1);
    if (!value) return false;
    JsonMember member{.key = inner.substr(pos + 1, key_end - pos - 2), .member = {pos, value->end}, .value = *value};
    if (!visit(member)) return true;
    pos = SkipSpace(inner, value->end);
    if (pos == inner.size()) return true;
    if (inner[pos] != ',') return false;
    pos = SkipSpace(inner, pos + 1);
  }
}

bool ForEachElement(std::string_view text, JsonSpan array, absl::FunctionRef<bool(JsonSpan)> visit) {
  if (array.end > text.size() || array.size() < 2 || text[array.begin] != '[' || text[array.end - 1] != ']') {
    return false;
  }
  std::string_view inner = text.substr(0, array.end - 1);
  size_t pos = SkipSpace(inner, array.begin + 1);
  if (pos == inner.size()) return true;  // []
  while (true) {
    std::optional<JsonSpan> value = ValueAt(inner, pos);
    if (!value) return false;
    if (!visit(*value)) return true;
    pos = SkipSpace(inner, value->end);
    if (pos == inner.size()) return true;
    if (inner[pos] != ',') return false;
    pos = pos + 1;
  }
}

std::optional<JsonSpan> FindMember(std::string_view text, JsonSpan object, std::string_view key) {
  std::optional<JsonSpan> found;
  ForEachMember(text, object, [&](const JsonMember& member) {
    if (member.key != key) return true;
    found = member.value;
    return false;
  });
  return found;
}

std::optional<int64_t> IntegerAt(std::string_view text, JsonSpan value) {
  std::string_view raw = value.In(text);
  int64_t number = 0;
  auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), number);
  if (error != std::errc() || end != raw.data() + raw.size() || raw.empty()) return std::nullopt;
  return number;
}

}  // namespace hydraguard::gateway::internal
