#include "gateway/response_filter.h"

#include <cstring>
#include <optional>

#include "gateway/internal/json_spans.h"
#include "simdjson.h"

namespace hydraguard::gateway {
namespace {

using internal::FindMember;
using internal::ForEachElement;
using internal::ForEachMember;
using internal::IntegerAt;
using internal::IsArray;
using internal::IsNull;
using internal::IsObject;
using internal::IsString;
using internal::JsonMember;
using internal::JsonSpan;
using internal::ValueAt;

// Block indices above this are not tracked (passed unchanged): a real
// response has a handful of blocks, and the table must stay small.
constexpr int64_t kMaxBlockIndex = 4096;
constexpr int kUnassigned = -2;
constexpr int kStripped = -1;

bool IsReasoningKey(std::string_view key) { return key == "reasoning_content" || key == "reasoning"; }

bool IsThinkingType(std::string_view text, JsonSpan value) {
  return IsString(text, value, "thinking") || IsString(text, value, "redacted_thinking");
}

std::optional<JsonSpan> RootObject(std::string_view text) {
  std::optional<JsonSpan> root = ValueAt(text, 0);
  if (!root || !IsObject(text, *root)) return std::nullopt;
  return root;
}

// Reads two integer members of a usage object into *usage.
void ReadUsage(std::string_view text, JsonSpan object, std::string_view input_key, std::string_view output_key,
               Usage* usage) {
  if (!IsObject(text, object)) return;
  ForEachMember(text, object, [&](const JsonMember& member) {
    if (member.key == input_key) {
      if (std::optional<int64_t> value = IntegerAt(text, member.value)) {
        usage->input_tokens = *value;
        usage->known = true;
      }
    } else if (member.key == output_key) {
      if (std::optional<int64_t> value = IntegerAt(text, member.value)) {
        usage->output_tokens = *value;
        usage->known = true;
      }
    }
    return true;
  });
}

bool HasReasoning(std::string_view text, JsonSpan object) {
  bool found = false;
  ForEachMember(text, object, [&](const JsonMember& member) {
    found = IsReasoningKey(member.key);
    return !found;
  });
  return found;
}

// Appends `object` without its reasoning members (joined by ","); sets
// *payload if a kept member is not null.
void AppendWithoutReasoning(std::string_view text, JsonSpan object, std::string* out, bool* payload) {
  out->push_back('{');
  bool first = true;
  ForEachMember(text, object, [&](const JsonMember& member) {
    if (IsReasoningKey(member.key)) return true;
    if (!first) out->push_back(',');
    first = false;
    out->append(member.member.In(text));
    if (!IsNull(text, member.value)) *payload = true;
    return true;
  });
  out->push_back('}');
}

struct Choice {
  JsonSpan element;
  std::optional<JsonSpan> field;  // the delta / message object, when it holds reasoning
};

// Writes to *out `text` with the reasoning removed from every
// choices[i].<field> object of `root`. Returns how many objects changed (0:
// *out untouched). *payload: whether, after removal, a choice still carries
// anything (a non-null member of the field, or a non-null member of the
// choice other than "index" and the field).
int StripChoices(std::string_view text, JsonSpan root, std::string_view field, std::string* out, bool* payload) {
  std::optional<JsonSpan> choices = FindMember(text, root, "choices");
  if (!choices || !IsArray(text, *choices)) return 0;
  std::vector<Choice> elements;
  int changed = 0;
  bool well_formed = ForEachElement(text, *choices, [&](JsonSpan element) {
    Choice choice{.element = element};
    if (IsObject(text, element)) {
      std::optional<JsonSpan> object = FindMember(text, element, field);
      if (object && IsObject(text, *object) && HasReasoning(text, *object)) {
        choice.field = object;
        ++changed;
      }
    }
    elements.push_back(choice);
    return true;
  });
  if (!well_formed || changed == 0) return 0;
  out->clear();
  size_t copied = 0;
  for (const Choice& choice : elements) {
    if (IsObject(text, choice.element)) {
      ForEachMember(text, choice.element, [&](const JsonMember& member) {
        if (member.key == "index" || member.key == field) return true;
        if (!IsNull(text, member.value)) *payload = true;
        return true;
      });
    }
    if (!choice.field) {
      if (IsObject(text, choice.element)) {
        if (std::optional<JsonSpan> object = FindMember(text, choice.element, field)) {
          if (IsObject(text, *object)) {
            ForEachMember(text, *object, [&](const JsonMember& member) {
              if (!IsNull(text, member.value)) *payload = true;
              return true;
            });
          } else if (!IsNull(text, *object)) {
            *payload = true;
          }
        }
      }
      continue;
    }
    out->append(text.substr(copied, choice.field->begin - copied));
    AppendWithoutReasoning(text, *choice.field, out, payload);
    copied = choice.field->end;
  }
  out->append(text.substr(copied));
  return changed;
}

// Writes to *out `text` without the thinking entries of root.content[].
// Returns how many were removed (0: *out untouched).
int StripThinkingContent(std::string_view text, JsonSpan root, std::string* out) {
  std::optional<JsonSpan> content = FindMember(text, root, "content");
  if (!content || !IsArray(text, *content)) return 0;
  std::vector<JsonSpan> kept;
  int removed = 0;
  bool well_formed = ForEachElement(text, *content, [&](JsonSpan element) {
    std::optional<JsonSpan> type;
    if (IsObject(text, element)) type = FindMember(text, element, "type");
    if (type && IsThinkingType(text, *type)) {
      ++removed;
    } else {
      kept.push_back(element);
    }
    return true;
  });
  if (!well_formed || removed == 0) return 0;
  out->assign(text.substr(0, content->begin));
  out->push_back('[');
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(kept[i].In(text));
  }
  out->push_back(']');
  out->append(text.substr(content->end));
  return removed;
}

// The position of the next '\r' or '\n' in [from, size), or npos.
size_t FindTerminator(const std::string& text, size_t from) {
  const char* data = text.data();
  size_t size = text.size();
  const void* newline = std::memchr(data + from, '\n', size - from);
  size_t limit = newline != nullptr ? static_cast<const char*>(newline) - data : size;
  const void* carriage = std::memchr(data + from, '\r', limit - from);
  if (carriage != nullptr) return static_cast<const char*>(carriage) - data;
  return newline != nullptr ? limit : std::string::npos;
}

}  // namespace

SseFilter::SseFilter(ApiKind api, bool strip_thinking, bool hide_usage_chunk)
    : api_(api), strip_(strip_thinking), hide_usage_chunk_(hide_usage_chunk) {}

void SseFilter::Feed(std::string_view chunk, std::string* out) {
  pending_.append(chunk);
  Scan(/*at_end=*/false, out);
  if (event_begin_ > 0) {
    pending_.erase(0, event_begin_);
    for (Line& line : lines_) {
      line.begin -= event_begin_;
      line.end -= event_begin_;
      line.next -= event_begin_;
    }
    line_begin_ -= event_begin_;
    scan_ -= event_begin_;
    event_begin_ = 0;
  }
}

void SseFilter::Finish(std::string* out) {
  Scan(/*at_end=*/true, out);
  if (line_begin_ < pending_.size()) lines_.push_back({line_begin_, pending_.size(), pending_.size()});
  if (!lines_.empty()) Dispatch(pending_.size(), out);
  pending_.clear();
  lines_.clear();
  event_begin_ = line_begin_ = scan_ = 0;
}

void SseFilter::Scan(bool at_end, std::string* out) {
  while (scan_ < pending_.size()) {
    size_t terminator = FindTerminator(pending_, scan_);
    if (terminator == std::string::npos) {
      scan_ = pending_.size();
      return;
    }
    size_t next = terminator + 1;
    if (pending_[terminator] == '\r') {
      if (next == pending_.size() && !at_end) {
        scan_ = terminator;  // "\r" or "\r\n": decided by the next byte
        return;
      }
      if (next < pending_.size() && pending_[next] == '\n') ++next;
    }
    if (terminator == line_begin_) {
      Dispatch(next, out);
      lines_.clear();
      event_begin_ = next;
    } else {
      lines_.push_back({line_begin_, terminator, next});
    }
    line_begin_ = scan_ = next;
  }
}

void SseFilter::Dispatch(size_t end, std::string* out) {
  std::string_view event(pending_.data() + event_begin_, end - event_begin_);
  std::string_view data;
  std::string_view event_name;
  size_t data_lines = 0;
  for (const Line& line : lines_) {
    std::string_view content(pending_.data() + line.begin, line.end - line.begin);
    if (content.starts_with("event:")) {
      event_name = content.substr(6);
      if (event_name.starts_with(' ')) event_name.remove_prefix(1);
      continue;
    }
    if (!content.starts_with("data")) continue;
    std::string_view value;
    if (content.size() > 4) {
      if (content[4] != ':') continue;  // another field, e.g. "dataset:"
      value = content.substr(5);
      if (value.starts_with(' ')) value.remove_prefix(1);
    }
    if (++data_lines == 1) {
      data = value;
    } else {
      if (data_lines == 2) joined_.assign(data);
      joined_.push_back('\n');
      joined_.append(value);
    }
  }
  if (data_lines == 0) {
    out->append(event);
    return;
  }
  if (data_lines > 1) data = joined_;
  Action action = api_ == ApiKind::kAnthropic ? Anthropic(event_name, data) : OpenAi(data);
  if (action == Action::kKeep) {
    out->append(event);
    return;
  }
  if (action == Action::kHide) return;
  if (action == Action::kDrop) {
    ++stripped_events_;
    stripped_bytes_ += static_cast<int64_t>(event.size());
    return;
  }
  // kRewrite: the first data line carries the new data; further data lines go.
  size_t before = out->size();
  bool first_data = true;
  for (const Line& line : lines_) {
    std::string_view content(pending_.data() + line.begin, line.end - line.begin);
    bool is_data = content.starts_with("data") && (content.size() == 4 || content[4] == ':');
    if (!is_data) {
      out->append(pending_, line.begin, line.next - line.begin);
      continue;
    }
    if (!first_data) continue;
    first_data = false;
    // One data line per line of the new data, each with the first data
    // line's prefix and terminator.
    std::string_view prefix =
        content.size() <= 4 ? "data:" : content.substr(0, content.size() > 5 && content[5] == ' ' ? 6 : 5);
    std::string_view terminator(pending_.data() + line.end, line.next - line.end);
    // (No terminator: an event cut short by the end of the stream.)
    std::string_view separator = terminator.empty() ? "\n" : terminator;
    std::string_view rest = rewritten_;
    for (size_t newline; (newline = rest.find('\n')) != std::string_view::npos; rest.remove_prefix(newline + 1)) {
      out->append(prefix);
      out->append(rest.substr(0, newline));
      out->append(separator);
    }
    out->append(prefix);
    out->append(rest);
    out->append(terminator);
  }
  size_t blank = lines_.empty() ? event_begin_ : lines_.back().next;
  out->append(pending_, blank, end - blank);
  size_t written = out->size() - before;
  if (written < event.size()) stripped_bytes_ += static_cast<int64_t>(event.size() - written);
}

int SseFilter::ClientIndex(int64_t upstream_index) const {
  if (upstream_index < 0 || upstream_index >= static_cast<int64_t>(client_index_.size())) return kUnassigned;
  return client_index_[upstream_index];
}

SseFilter::Action SseFilter::Anthropic(std::string_view event_name, std::string_view data) {
  // Fast path: without stripping only message_start / message_delta matter,
  // and Anthropic names every event ("event: content_block_delta").
  if (!strip_ && !event_name.empty() && !event_name.starts_with("message_")) return Action::kKeep;
  std::optional<JsonSpan> root = RootObject(data);
  if (!root) return Action::kKeep;
  std::optional<JsonSpan> type, index, block, message, usage, delta;
  ForEachMember(data, *root, [&](const JsonMember& member) {
    if (member.key == "type") {
      type = member.value;
    } else if (member.key == "index") {
      index = member.value;
    } else if (member.key == "content_block") {
      block = member.value;
    } else if (member.key == "message") {
      message = member.value;
    } else if (member.key == "usage") {
      usage = member.value;
    } else if (member.key == "delta") {
      delta = member.value;
    }
    return true;
  });
  if (!type) return Action::kKeep;
  if (IsString(data, *type, "message_start")) {
    if (message && IsObject(data, *message)) {
      if (std::optional<JsonSpan> inner = FindMember(data, *message, "usage")) {
        ReadUsage(data, *inner, "input_tokens", "output_tokens", &usage_);
      }
    }
    return Action::kKeep;
  }
  if (IsString(data, *type, "message_delta")) {
    if (usage) ReadUsage(data, *usage, "input_tokens", "output_tokens", &usage_);
    return Action::kKeep;
  }
  if (!strip_) return Action::kKeep;
  bool start = IsString(data, *type, "content_block_start");
  if (!start && !IsString(data, *type, "content_block_delta") && !IsString(data, *type, "content_block_stop")) {
    return Action::kKeep;
  }
  // A thinking delta is dropped even if its block's start was never seen.
  if (delta && IsObject(data, *delta)) {
    std::optional<JsonSpan> delta_type = FindMember(data, *delta, "type");
    if (delta_type &&
        (IsString(data, *delta_type, "thinking_delta") || IsString(data, *delta_type, "signature_delta"))) {
      return Action::kDrop;
    }
  }
  std::optional<int64_t> upstream_index = index ? IntegerAt(data, *index) : std::nullopt;
  if (!upstream_index || *upstream_index < 0 || *upstream_index > kMaxBlockIndex) return Action::kKeep;
  int client = kUnassigned;
  if (start) {
    if (client_index_.size() <= static_cast<size_t>(*upstream_index)) {
      client_index_.resize(*upstream_index + 1, kUnassigned);
    }
    std::optional<JsonSpan> block_type;
    if (block && IsObject(data, *block)) block_type = FindMember(data, *block, "type");
    if (block_type && IsThinkingType(data, *block_type)) {
      client_index_[*upstream_index] = kStripped;
      ++stripped_blocks_;
      return Action::kDrop;
    }
    client = client_index_[*upstream_index] = next_client_index_++;
  } else {
    client = ClientIndex(*upstream_index);
    if (client == kStripped) return Action::kDrop;
    if (client == kUnassigned) return Action::kKeep;
  }
  if (client == *upstream_index) return Action::kKeep;
  rewritten_.assign(data.substr(0, index->begin));
  rewritten_.append(std::to_string(client));
  rewritten_.append(data.substr(index->end));
  return Action::kRewrite;
}

SseFilter::Action SseFilter::OpenAi(std::string_view data) {
  std::optional<JsonSpan> root = RootObject(data);
  if (!root) return Action::kKeep;  // "[DONE]" included
  bool usage_payload = false;
  if (std::optional<JsonSpan> usage = FindMember(data, *root, "usage")) {
    if (IsObject(data, *usage)) {
      ReadUsage(data, *usage, "prompt_tokens", "completion_tokens", &usage_);
      usage_payload = true;
    }
  } else if (std::optional<JsonSpan> response = FindMember(data, *root, "response")) {
    // Responses API: response.completed (and .incomplete/.failed) carry the usage.
    if (std::optional<JsonSpan> inner =
            IsObject(data, *response) ? FindMember(data, *response, "usage") : std::nullopt) {
      if (IsObject(data, *inner)) ReadUsage(data, *inner, "input_tokens", "output_tokens", &usage_);
    }
  }
  if (usage_payload && hide_usage_chunk_) {
    std::optional<JsonSpan> choices = FindMember(data, *root, "choices");
    int elements = 0;
    bool well_formed = choices && IsArray(data, *choices) && ForEachElement(data, *choices, [&](JsonSpan) {
                         ++elements;
                         return true;
                       });
    if (well_formed && elements == 0) return Action::kHide;
  }
  if (!strip_) return Action::kKeep;
  bool payload = usage_payload;
  if (StripChoices(data, *root, "delta", &rewritten_, &payload) == 0) return Action::kKeep;
  ++stripped_blocks_;
  return payload ? Action::kRewrite : Action::kDrop;
}

FilteredBody FilterJsonResponse(ApiKind api, std::string_view body, bool strip_thinking) {
  FilteredBody result;
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.parse(body.data(), body.size()).get(document) || !document.is_object()) {
    result.body.assign(body);
    return result;
  }
  // simdjson validated the body; the spans below edit it in place.
  std::optional<JsonSpan> root = RootObject(body);
  if (!root) {
    result.body.assign(body);
    return result;
  }
  if (std::optional<JsonSpan> usage = FindMember(body, *root, "usage")) {
    if (api == ApiKind::kAnthropic) {
      ReadUsage(body, *usage, "input_tokens", "output_tokens", &result.usage);
    } else {
      ReadUsage(body, *usage, "prompt_tokens", "completion_tokens", &result.usage);  // chat, embeddings
      ReadUsage(body, *usage, "input_tokens", "output_tokens", &result.usage);       // responses
    }
  }
  if (strip_thinking) {
    if (api == ApiKind::kAnthropic) {
      result.stripped_blocks = StripThinkingContent(body, *root, &result.body);
    } else {
      bool payload = false;
      result.stripped_blocks = StripChoices(body, *root, "message", &result.body, &payload);
    }
  }
  if (result.stripped_blocks == 0) result.body.assign(body);
  return result;
}

}  // namespace hydraguard::gateway
