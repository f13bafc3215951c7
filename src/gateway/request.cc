#include "gateway/request.h"

#include "fmt/format.h"
#include "gateway/internal/json_spans.h"
#include "simdjson.h"

namespace hydraguard::gateway {
namespace {

using simdjson::dom::element;

// Text of a content value: a string, or an array of blocks whose "text"
// fields are joined. Adds every byte read to *chars.
std::string ContentText(element content, int64_t* chars) {
  std::string_view text;
  if (!content.get_string().get(text)) {
    *chars += static_cast<int64_t>(text.size());
    return std::string(text);
  }
  std::string joined;
  simdjson::dom::array blocks;
  if (content.get_array().get(blocks)) return joined;
  for (element block : blocks) {
    std::string_view piece;
    if (!block.at_key("text").get_string().get(piece)) {
      if (!joined.empty()) joined += '\n';
      joined += piece;
      *chars += static_cast<int64_t>(piece.size());
    } else {
      // Images, tool results, documents: count their serialized size.
      *chars += static_cast<int64_t>(simdjson::minify(block).size());
    }
  }
  return joined;
}

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

// The JSON object of a request body, with no key of `unique` given twice: a
// key given twice is read differently by different JSON parsers (first or
// last wins), and the upstream might run another model than the one judged.
absl::StatusOr<simdjson::dom::object> RootObject(simdjson::dom::parser& parser, std::string_view body,
                                                 std::initializer_list<std::string_view> unique) {
  simdjson::dom::object root;
  if (simdjson::error_code error = parser.parse(body.data(), body.size()).get_object().get(root)) {
    return Invalid(fmt::format("request body is not a JSON object: {}", simdjson::error_message(error)));
  }
  for (std::string_view key : unique) {
    int count = 0;
    for (simdjson::dom::key_value_pair field : root) count += field.key == key;
    if (count > 1) return Invalid(fmt::format("{} may appear only once", key));
  }
  return root;
}

absl::Status ReadModel(simdjson::dom::object root, ApiRequest* request) {
  element value;
  std::string_view model;
  if (root.at_key("model").get(value) || value.is_null()) return Invalid("model: Field required");
  if (value.get_string().get(model)) return Invalid("model: expected a string");
  if (model.empty()) return Invalid("model: must not be empty");
  request->model = std::string(model);
  return absl::OkStatus();
}

// An optional non-negative integer `field` into *out (absent or null: left as is).
absl::Status ReadCap(simdjson::dom::object root, std::string_view field, int64_t* out) {
  element value;
  if (root.at_key(field).get(value) || value.is_null()) return absl::OkStatus();
  int64_t cap = 0;
  if (value.get_int64().get(cap) || cap < 0) return Invalid(fmt::format("{}: expected a non-negative integer", field));
  *out = cap;
  return absl::OkStatus();
}

absl::Status ReadStream(simdjson::dom::object root, ApiRequest* request) {
  element value;
  if (root.at_key("stream").get(value) || value.is_null()) return absl::OkStatus();
  bool stream = false;
  if (value.get_bool().get(stream)) return Invalid("stream: expected a boolean");
  request->stream = stream;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ApiRequest> ParseApiRequest(ApiKind kind, std::string_view body) {
  simdjson::dom::parser parser;
  absl::StatusOr<simdjson::dom::object> parsed =
      RootObject(parser, body, {"model", "max_tokens", "max_completion_tokens", "stream"});
  if (!parsed.ok()) return parsed.status();
  simdjson::dom::object root = *parsed;
  ApiRequest request;
  if (absl::Status status = ReadModel(root, &request); !status.ok()) return status;
  element value;
  if (absl::Status status = ReadCap(root, "max_tokens", &request.max_tokens); !status.ok()) return status;
  if (kind == ApiKind::kAnthropic) {
    if (root.at_key("max_tokens").get(value) || value.is_null()) return Invalid("max_tokens: Field required");
  } else if (absl::Status status = ReadCap(root, "max_completion_tokens", &request.max_tokens); !status.ok()) {
    return status;
  }
  if (absl::Status status = ReadStream(root, &request); !status.ok()) return status;
  if (kind == ApiKind::kAnthropic && !root.at_key("system").get(value)) {
    request.system = ContentText(value, &request.input_chars);
  }
  simdjson::dom::array messages;
  if (root.at_key("messages").get_array().get(messages)) return Invalid("messages: Field required (an array)");
  if (messages.size() == 0) return Invalid("messages: at least one message is required");
  for (element message : messages) {
    std::string_view role;
    if (message.at_key("role").get_string().get(role)) return Invalid("messages: each message needs a string role");
    element content;
    if (message.at_key("content").get(content)) {
      if (role == "assistant" || role == "tool") continue;  // tool calls only
      return Invalid("messages: each message needs content");
    }
    std::string text = ContentText(content, &request.input_chars);
    if (role == "user") {
      ++request.turn;
      request.prompt = std::move(text);
    } else if (kind == ApiKind::kOpenAi && (role == "system" || role == "developer")) {
      if (!request.system.empty()) request.system += '\n';
      request.system += text;
    }
  }
  simdjson::dom::array tools;
  if (!root.at_key("tools").get_array().get(tools)) {
    request.tools = static_cast<int>(tools.size());
    request.input_chars += static_cast<int64_t>(simdjson::minify(tools).size());
  }
  return request;
}

namespace {

absl::StatusOr<ApiRequest> ParseResponses(std::string_view body) {
  simdjson::dom::parser parser;
  absl::StatusOr<simdjson::dom::object> root = RootObject(parser, body, {"model", "max_output_tokens", "stream"});
  if (!root.ok()) return root.status();
  ApiRequest request;
  if (absl::Status status = ReadModel(*root, &request); !status.ok()) return status;
  if (absl::Status status = ReadCap(*root, "max_output_tokens", &request.max_tokens); !status.ok()) return status;
  if (absl::Status status = ReadStream(*root, &request); !status.ok()) return status;
  element value;
  if (!root->at_key("instructions").get(value) && !value.is_null()) {
    request.system = ContentText(value, &request.input_chars);
  }
  element input;
  if (root->at_key("input").get(input) || input.is_null()) return Invalid("input: Field required");
  std::string_view text;
  simdjson::dom::array items;
  if (!input.get_string().get(text)) {
    request.prompt = std::string(text);
    request.input_chars += static_cast<int64_t>(text.size());
    request.turn = 1;
  } else if (!input.get_array().get(items)) {
    for (element item : items) {
      std::string_view role;
      element content;
      if (item.at_key("role").get_string().get(role) || item.at_key("content").get(content)) {
        request.input_chars += static_cast<int64_t>(simdjson::minify(item).size());  // tool outputs, calls
        continue;
      }
      std::string item_text = ContentText(content, &request.input_chars);
      if (role == "user") {
        ++request.turn;
        request.prompt = std::move(item_text);
      } else if (role == "system" || role == "developer") {
        if (!request.system.empty()) request.system += '\n';
        request.system += item_text;
      }
    }
  } else {
    return Invalid("input: expected a string or an array of items");
  }
  simdjson::dom::array tools;
  if (!root->at_key("tools").get_array().get(tools)) {
    request.tools = static_cast<int>(tools.size());
    request.input_chars += static_cast<int64_t>(simdjson::minify(tools).size());
  }
  return request;
}

absl::StatusOr<ApiRequest> ParseEmbeddings(std::string_view body) {
  simdjson::dom::parser parser;
  absl::StatusOr<simdjson::dom::object> root = RootObject(parser, body, {"model", "input"});
  if (!root.ok()) return root.status();
  ApiRequest request;
  request.generates = false;
  if (absl::Status status = ReadModel(*root, &request); !status.ok()) return status;
  element input;
  if (root->at_key("input").get(input) || input.is_null()) return Invalid("input: Field required");
  std::string_view text;
  simdjson::dom::array list;
  if (!input.get_string().get(text)) {
    request.prompt = std::string(text);
    request.input_chars = static_cast<int64_t>(text.size());
  } else if (!input.get_array().get(list)) {
    if (list.size() == 0) return Invalid("input: must not be empty");
    for (element entry : list) {
      if (!entry.get_string().get(text)) {
        if (request.prompt.empty()) request.prompt = std::string(text);
        request.input_chars += static_cast<int64_t>(text.size());
      } else {
        // Token ids (or arrays of them): about one token each.
        request.input_chars += static_cast<int64_t>(simdjson::minify(entry).size());
      }
    }
  } else {
    return Invalid("input: expected a string or an array");
  }
  request.turn = 1;
  return request;
}

}  // namespace

absl::StatusOr<ApiRequest> ParseEndpointRequest(Endpoint endpoint, std::string_view body) {
  switch (endpoint) {
    case Endpoint::kMessages:
      return ParseApiRequest(ApiKind::kAnthropic, body);
    case Endpoint::kChatCompletions:
      return ParseApiRequest(ApiKind::kOpenAi, body);
    case Endpoint::kResponses:
      return ParseResponses(body);
    case Endpoint::kEmbeddings:
      return ParseEmbeddings(body);
    case Endpoint::kMessageBatches:
    case Endpoint::kPassThrough:
      break;
  }
  return Invalid("this endpoint takes no generation request");
}

std::optional<std::string> WithStreamUsage(std::string_view body) {
  using internal::JsonSpan;
  size_t open = body.find_first_not_of(" \t\r\n");
  if (open == std::string_view::npos || body[open] != '{') return std::nullopt;
  std::optional<JsonSpan> root = internal::ValueAt(body, open);
  if (!root) return std::nullopt;
  std::optional<JsonSpan> stream = internal::FindMember(body, *root, "stream");
  if (!stream || stream->In(body) != "true") return std::nullopt;
  auto spliced = [&](size_t begin, size_t end, std::string_view text) {
    std::string out;
    out.reserve(body.size() + text.size());
    out.append(body.substr(0, begin)).append(text).append(body.substr(end));
    return out;
  };
  std::optional<JsonSpan> options = internal::FindMember(body, *root, "stream_options");
  if (!options) return spliced(root->begin + 1, root->begin + 1, R"("stream_options":{"include_usage":true},)");
  if (internal::IsNull(body, *options)) return spliced(options->begin, options->end, R"({"include_usage":true})");
  if (!internal::IsObject(body, *options)) return std::nullopt;
  if (std::optional<JsonSpan> include = internal::FindMember(body, *options, "include_usage")) {
    if (include->In(body) == "true") return std::nullopt;
    return spliced(include->begin, include->end, "true");
  }
  bool empty = true;
  internal::ForEachMember(body, *options, [&](const internal::JsonMember&) { return empty = false; });
  return spliced(options->begin + 1, options->begin + 1,
                 empty ? R"("include_usage":true)" : R"("include_usage":true,)");
}

}  // namespace hydraguard::gateway
