#include "ingest/event_parser.h"

#include <array>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "fmt/format.h"
#include "ingest/timestamp.h"
#include "simdjson.h"

namespace hydraguard::ingest {
namespace {

// simdjson's DOM API rather than on-demand: it validates every value (also
// of fields we ignore), and walking its tape is cheap. On-demand 3.0's field
// iterator made the compiler reload each field through the stack in pieces
// (failed store forwarding): 3x slower per field in profiles (BENCHMARKS.md).
using Value = simdjson::dom::element;
using json_type = simdjson::dom::element_type;

// ASCII-only case helpers: the <cctype> ones consult the locale on every call.
inline bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }
inline char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

static_assert(simdjson::SIMDJSON_PADDING == 64, "io::kLinePadding must match SIMDJSON_PADDING");

std::optional<Field> LookupField(std::string_view key) {
  // Switch on length first: one comparison for almost every key.
  switch (key.size()) {
    case 2:
      if (key == "ts") return Field::kTs;
      if (key == "ip") return Field::kIp;
      if (key == "ua") return Field::kUa;
      break;
    case 3:
      if (key == "org") return Field::kOrg;
      if (key == "key") return Field::kKey;
      if (key == "asn") return Field::kAsn;
      if (key == "tls") return Field::kTls;
      break;
    case 4:
      if (key == "turn") return Field::kTurn;
      break;
    case 5:
      if (key == "model") return Field::kModel;
      if (key == "tools") return Field::kTools;
      break;
    case 6:
      if (key == "prompt") return Field::kPrompt;
      if (key == "system") return Field::kSystem;
      if (key == "stream") return Field::kStream;
      if (key == "status") return Field::kStatus;
      break;
    case 7:
      if (key == "account") return Field::kAccount;
      if (key == "payment") return Field::kPayment;
      break;
    case 8:
      if (key == "verified") return Field::kVerified;
      if (key == "endpoint") return Field::kEndpoint;
      break;
    case 10:
      if (key == "ip_country") return Field::kIpCountry;
      if (key == "max_tokens") return Field::kMaxTokens;
      break;
    case 12:
      if (key == "email_domain") return Field::kEmailDomain;
      if (key == "conversation") return Field::kConversation;
      if (key == "input_tokens") return Field::kInputTokens;
      break;
    case 13:
      if (key == "output_tokens") return Field::kOutputTokens;
      break;
    case 15:
      if (key == "account_created") return Field::kAccountCreated;
      if (key == "billing_country") return Field::kBillingCountry;
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::string_view TypeName(json_type type) {
  switch (type) {
    case json_type::ARRAY:
      return "an array";
    case json_type::OBJECT:
      return "an object";
    case json_type::INT64:
    case json_type::UINT64:
    case json_type::DOUBLE:
      return "a number";
    case json_type::STRING:
      return "a string";
    case json_type::BOOL:
      return "a boolean";
    case json_type::NULL_VALUE:
      return "null";
  }
  return "an unknown type";
}

}  // namespace

struct EventParser::Impl {
  // simdjson's buffers grow on demand to the longest line seen.
  Impl(Interners* interners_in, uint32_t not_interned_in) : interners(interners_in), not_interned(not_interned_in) {}

  enum class Got { kValue, kAbsent, kError };

  // Identifier values of the current line, interned only if the line is
  // valid. Each is normalized, digested and its interner slot prefetched as
  // soon as it is read, so the rest of the line's parsing hides the cache miss.
  struct Identifiers {
    std::array<std::string_view, kFieldCount> text;
    std::array<Digest128, kFieldCount> digest;
  };

  StringInterner* InternerFor(Field field) {
    switch (field) {
      case Field::kAccount:
        return &interners->account;
      case Field::kOrg:
        return &interners->org;
      case Field::kKey:
        return &interners->key;
      case Field::kPayment:
        return &interners->payment;
      case Field::kBillingCountry:
      case Field::kIpCountry:
        return &interners->country;
      case Field::kEmailDomain:
        return &interners->email_domain;
      case Field::kUa:
        return &interners->ua;
      case Field::kTls:
        return &interners->tls;
      case Field::kEndpoint:
        return &interners->endpoint;
      case Field::kModel:
        return &interners->model;
      case Field::kConversation:
        return &interners->conversation;
      default:
        return nullptr;
    }
  }

  static Id* IdSlot(Event* event, Field field) {
    switch (field) {
      case Field::kAccount:
        return &event->account;
      case Field::kOrg:
        return &event->org;
      case Field::kKey:
        return &event->key;
      case Field::kPayment:
        return &event->payment;
      case Field::kBillingCountry:
        return &event->billing_country;
      case Field::kIpCountry:
        return &event->ip_country;
      case Field::kEmailDomain:
        return &event->email_domain;
      case Field::kUa:
        return &event->ua;
      case Field::kTls:
        return &event->tls;
      case Field::kEndpoint:
        return &event->endpoint;
      case Field::kModel:
        return &event->model;
      case Field::kConversation:
        return &event->conversation;
      default:
        return nullptr;
    }
  }

  // Reads an identifier field: validates and normalizes it, digests it and
  // prefetches its interner slot.
  [[gnu::always_inline]] Got GetIdentifier(Value value, Field field, Identifiers* ids) {
    std::string_view text;
    Got got = GetString(value, field, &text);
    if (got != Got::kValue) return got;
    int index = static_cast<int>(field);
    if (field == Field::kBillingCountry || field == Field::kIpCountry) {
      if (text.size() != 2 || !IsAsciiAlpha(text[0]) || !IsAsciiAlpha(text[1])) {
        return Fail(ErrorKind::kInvalidValue, field,
                    fmt::format("expected an ISO 3166-1 alpha-2 code such as \"US\", got {}", QuoteForMessage(text)));
      }
      char* code = field == Field::kBillingCountry ? billing_country : ip_country;
      code[0] = AsciiUpper(text[0]);
      code[1] = AsciiUpper(text[1]);
      text = std::string_view(code, 2);
    } else if (field == Field::kEmailDomain) {
      lowered.assign(text);
      for (char& c : lowered) c = AsciiLower(c);
      text = lowered;
    }
    ids->text[index] = text;
    if ((not_interned >> index) & 1u) return Got::kValue;
    ids->digest[index] = Digest128::Of(text);
    InternerFor(field)->Prefetch(ids->digest[index]);
    return Got::kValue;
  }

  [[gnu::always_inline]] Got GetIp(Value value, Event* event) {
    std::string_view text;
    Got got = GetString(value, Field::kIp, &text);
    if (got != Got::kValue) return got;
    std::optional<IpAddress> parsed = IpAddress::Parse(text);
    if (!parsed) {
      return Fail(ErrorKind::kInvalidValue, Field::kIp,
                  fmt::format("not an IPv4 or IPv6 address: {}", QuoteForMessage(text)));
    }
    event->ip = *parsed;
    interners->ips.Prefetch(event->ip);
    return Got::kValue;
  }

  Got Fail(ErrorKind kind, Field field, std::string reason) {
    error->kind = kind;
    error->field = std::string(FieldName(field));
    error->reason = std::move(reason);
    return Got::kError;
  }

  Got WrongType(Field field, std::string_view expected, json_type got) {
    return Fail(ErrorKind::kWrongType, field, fmt::format("expected {}, got {}", expected, TypeName(got)));
  }

  // Reads a string value. null and "" are absent.
  [[gnu::always_inline]] Got GetString(Value value, Field field, std::string_view* out) {
    json_type type = value.type();
    if (type == json_type::NULL_VALUE) return Got::kAbsent;
    if (type != json_type::STRING) return WrongType(field, "a string", type);
    *out = value.get_string().value_unsafe();
    return out->empty() ? Got::kAbsent : Got::kValue;
  }

  // Reads an integer in [min, max]: returns kValue, kAbsent (null) or kError
  // with the reason. `expected` names the accepted form in messages.
  [[gnu::always_inline]] Got GetInt(Value value, Field field, int64_t min, int64_t max, int64_t* out,
                                    std::string_view expected = "an integer") {
    switch (value.type()) {
      case json_type::NULL_VALUE:
        return Got::kAbsent;
      case json_type::INT64:
        *out = value.get_int64().value_unsafe();
        break;
      case json_type::UINT64:  // Above INT64_MAX.
        return Fail(ErrorKind::kInvalidValue, field,
                    fmt::format("{} is out of range [{}, {}]", value.get_uint64().value_unsafe(), min, max));
      case json_type::DOUBLE:
        return Fail(ErrorKind::kWrongType, field,
                    fmt::format("expected {}, got the floating-point number {:g}", expected,
                                value.get_double().value_unsafe()));
      default:
        return WrongType(field, expected, value.type());
    }
    if (*out < min || *out > max) {
      return Fail(ErrorKind::kInvalidValue, field, fmt::format("{} is out of range [{}, {}]", *out, min, max));
    }
    return Got::kValue;
  }

  // Reads ts or account_created: integer ms or RFC 3339 text.
  [[gnu::always_inline]] Got GetTime(Value value, Field field, int64_t* out) {
    constexpr std::string_view kExpected = "integer milliseconds or an RFC 3339 string";
    if (value.type() == json_type::STRING) {
      std::string_view text = value.get_string().value_unsafe();
      std::optional<int64_t> parsed = ParseRfc3339Millis(text);
      if (!parsed) {
        return Fail(ErrorKind::kInvalidValue, field,
                    fmt::format("invalid timestamp {}: expected RFC 3339 such as \"2026-04-22T09:30:00Z\"",
                                QuoteForMessage(text)));
      }
      *out = *parsed;
    } else {
      Got got = GetInt(value, field, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), out,
                       kExpected);
      if (got != Got::kValue) return got;
    }
    if (*out < kMinTimestampMs || *out >= kMaxTimestampMs) {
      return Fail(ErrorKind::kInvalidValue, field,
                  fmt::format("{} ms is outside 2000-01-01..2100-01-01 (seconds or microseconds instead of "
                              "milliseconds?)",
                              *out));
    }
    return Got::kValue;
  }

  Got JsonError(simdjson::error_code code) {
    error->kind = code == simdjson::UTF8_ERROR ? ErrorKind::kInvalidUtf8 : ErrorKind::kMalformedJson;
    error->field = "json";
    error->reason = simdjson::error_message(code);
    return Got::kError;
  }

  bool ParseLine(std::string_view line, Event* event);
  bool Finish(const Identifiers& ids, Event* event);

  Interners* interners;
  uint32_t not_interned;  // Field bits validated but not interned
  simdjson::dom::parser json;
  ParseError* error = nullptr;
  std::string lowered;  // email_domain, lower-cased
  char billing_country[2];
  char ip_country[2];
};

bool EventParser::Impl::ParseLine(std::string_view line, Event* event) {
  *event = Event();
  Identifiers ids;
  // An object line must end with '}': say so plainly, rather than with the
  // JSON parser's view of where the structure broke.
  size_t first = line.find_first_not_of(" \t\r");
  size_t last = line.find_last_not_of(" \t\r");
  if (first != std::string_view::npos && line[first] == '{' && line[last] != '}') {
    error->kind = ErrorKind::kMalformedJson;
    error->field = "json";
    error->reason = "object does not end with '}' (cut short, or followed by other content)";
    return false;
  }
  Value doc;
  if (auto code = json.parse(line.data(), line.size(), /*realloc_if_needed=*/false).get(doc)) {
    JsonError(code);
    return false;
  }
  if (doc.type() != json_type::OBJECT) {
    error->kind = ErrorKind::kMalformedJson;
    error->field = "json";
    error->reason = fmt::format("expected a JSON object, got {}", TypeName(doc.type()));
    return false;
  }
  uint32_t seen = 0;  // Known fields met so far, null or not: for duplicates.
  simdjson::dom::object object;
  if (auto code = doc.get_object().get(object)) return JsonError(code), false;
  for (auto [key, value] : object) {
    std::optional<Field> field = LookupField(key);
    if (!field) continue;  // Unknown fields are ignored; the iterator skips the value.
    uint32_t bit = 1u << static_cast<int>(*field);
    if (seen & bit) {
      Fail(ErrorKind::kDuplicateField, *field, "appears more than once in the object");
      return false;
    }
    Got got = Got::kAbsent;
    int64_t number = 0;
    switch (*field) {
      case Field::kTs:
        got = GetTime(value, *field, &event->ts_ms);
        break;
      case Field::kAccountCreated:
        got = GetTime(value, *field, &event->account_created_ms);
        break;
      case Field::kAccount:
      case Field::kOrg:
      case Field::kKey:
      case Field::kPayment:
      case Field::kBillingCountry:
      case Field::kIpCountry:
      case Field::kEmailDomain:
      case Field::kUa:
      case Field::kTls:
      case Field::kEndpoint:
      case Field::kModel:
      case Field::kConversation:
        got = GetIdentifier(value, *field, &ids);
        break;
      case Field::kIp:
        got = GetIp(value, event);
        break;
      case Field::kSystem:
        got = GetString(value, *field, &event->system);
        break;
      case Field::kPrompt:
        got = GetString(value, *field, &event->prompt);
        break;
      case Field::kVerified: {
        std::string_view text;
        got = GetString(value, *field, &text);
        if (got == Got::kValue) {
          std::optional<Verification> tier = ParseVerification(text);
          if (!tier) {
            got = Fail(ErrorKind::kInvalidValue, *field,
                       fmt::format("{}{}{}", "unknown tier ", QuoteForMessage(text),
                                   ": expected none, email, phone, payment, id or enterprise"));
          } else {
            event->verified = *tier;
          }
        }
        break;
      }
      case Field::kAsn:
        got = GetInt(value, *field, 0, std::numeric_limits<uint32_t>::max(), &number);
        event->asn = static_cast<uint32_t>(number);
        break;
      case Field::kTurn:
        got = GetInt(value, *field, 1, std::numeric_limits<int32_t>::max(), &number);
        event->turn = static_cast<int32_t>(number);
        break;
      case Field::kTools:
        got = GetInt(value, *field, 0, std::numeric_limits<int32_t>::max(), &number);
        event->tools = static_cast<int32_t>(number);
        break;
      case Field::kStatus:
        got = GetInt(value, *field, 100, 599, &number);
        event->status = static_cast<int32_t>(number);
        break;
      case Field::kMaxTokens:
        got = GetInt(value, *field, 0, std::numeric_limits<int64_t>::max(), &event->max_tokens);
        break;
      case Field::kInputTokens:
        got = GetInt(value, *field, 0, std::numeric_limits<int64_t>::max(), &event->input_tokens);
        break;
      case Field::kOutputTokens:
        got = GetInt(value, *field, 0, std::numeric_limits<int64_t>::max(), &event->output_tokens);
        break;
      case Field::kStream:
        if (value.type() == json_type::BOOL) {
          event->stream = value.get_bool().value_unsafe();
          got = Got::kValue;
        } else if (value.type() != json_type::NULL_VALUE) {
          got = WrongType(*field, "a boolean", value.type());
        }
        break;
      case Field::kCount:
        break;
    }
    if (got == Got::kError) return false;
    seen |= bit;
    if (got == Got::kValue) event->present |= bit;
  }
  return Finish(ids, event);
}

bool EventParser::Impl::Finish(const Identifiers& ids, Event* event) {
  for (Field required : {Field::kTs, Field::kAccount, Field::kIp}) {
    if (!event->has(required)) {
      Fail(ErrorKind::kMissingField, required, "required field is missing, null or empty");
      return false;
    }
  }
  // The line is valid: intern (the slots were prefetched as fields were read).
  event->ip_id = interners->ips.InternAddress(event->ip);
  event->ip_prefix_id = interners->ips.InternPrefix(event->ip);
  for (Field field :
       {Field::kAccount, Field::kOrg, Field::kKey, Field::kPayment, Field::kBillingCountry, Field::kIpCountry,
        Field::kEmailDomain, Field::kUa, Field::kTls, Field::kEndpoint, Field::kModel, Field::kConversation}) {
    int index = static_cast<int>(field);
    if (!event->has(field) || ((not_interned >> index) & 1u)) continue;
    *IdSlot(event, field) = InternerFor(field)->Intern(ids.text[index], ids.digest[index]);
  }
  return true;
}

namespace {
constexpr uint32_t NotInternable() { return 1u << static_cast<int>(Field::kAccount); }
}  // namespace

EventParser::EventParser(Interners* interners, uint32_t not_interned)
    : impl_(std::make_unique<Impl>(interners, not_interned & ~NotInternable())) {}
EventParser::~EventParser() = default;

bool EventParser::Parse(std::string_view line, Event* event, ParseError* error) {
  impl_->error = error;
  return impl_->ParseLine(line, event);
}

}  // namespace hydraguard::ingest
