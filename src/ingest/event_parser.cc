#include "ingest/event_parser.h"

#include <cctype>
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

using simdjson::ondemand::json_type;

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
    case json_type::array: return "an array";
    case json_type::object: return "an object";
    case json_type::number: return "a number";
    case json_type::string: return "a string";
    case json_type::boolean: return "a boolean";
    case json_type::null: return "null";
  }
  return "an unknown type";
}

std::optional<Verification> ParseVerification(std::string_view text) {
  if (text == "none") return Verification::kNone;
  if (text == "email") return Verification::kEmail;
  if (text == "phone") return Verification::kPhone;
  if (text == "payment") return Verification::kPayment;
  if (text == "id") return Verification::kId;
  if (text == "enterprise") return Verification::kEnterprise;
  return std::nullopt;
}

}  // namespace

struct EventParser::Impl {
  // simdjson's buffers grow on demand to the longest line seen.
  explicit Impl(Interners* interners_in) : interners(interners_in) {}

  // Raw string values of the current line, interned only if the line is valid.
  struct RawStrings {
    std::string_view account, ip, org, key, payment, billing_country, ip_country, email_domain, ua, tls, endpoint,
        model, conversation;
  };

  enum class Got { kValue, kAbsent, kError };

  Got Fail(ErrorKind kind, Field field, std::string reason) {
    error->kind = kind;
    error->field = std::string(FieldName(field));
    error->reason = std::move(reason);
    return Got::kError;
  }

  Got WrongType(Field field, std::string_view expected, json_type got) {
    return Fail(ErrorKind::kWrongType, field, fmt::format("{}{}{}{}", "expected ", expected, ", got ", TypeName(got)));
  }

  // Reads a string value. null and "" are absent.
  Got GetString(simdjson::ondemand::value& value, Field field, std::string_view* out) {
    json_type type;
    if (auto code = value.type().get(type)) return JsonError(code);
    if (type == json_type::null) return Got::kAbsent;
    if (type != json_type::string) return WrongType(field, "a string", type);
    if (auto code = value.get_string().get(*out)) {
      return Fail(ErrorKind::kMalformedJson, field, fmt::format("{}{}", "bad string: ", simdjson::error_message(code)));
    }
    return out->empty() ? Got::kAbsent : Got::kValue;
  }

  // Reads an integer value in [min, max]. null is absent.
  Got GetInt(simdjson::ondemand::value& value, Field field, int64_t min, int64_t max, int64_t* out) {
    json_type type;
    if (auto code = value.type().get(type)) return JsonError(code);
    if (type == json_type::null) return Got::kAbsent;
    if (type != json_type::number) return WrongType(field, "an integer", type);
    if (value.get_int64().get(*out)) {
      std::string_view raw = value.raw_json_token();
      return Fail(ErrorKind::kWrongType, field,
                  fmt::format("{}{}", "expected an integer, got ", QuoteForMessage(raw.substr(0, raw.find_last_not_of(" \t\r\n") + 1))));
    }
    if (*out < min || *out > max) {
      return Fail(ErrorKind::kInvalidValue, field, fmt::format("{}{}{}{}{}{}", *out, " is out of range [", min, ", ", max, "]"));
    }
    return Got::kValue;
  }

  // Reads ts or account_created: integer ms or RFC 3339 text.
  Got GetTime(simdjson::ondemand::value& value, Field field, int64_t* out) {
    json_type type;
    if (auto code = value.type().get(type)) return JsonError(code);
    if (type == json_type::null) return Got::kAbsent;
    if (type == json_type::number) {
      if (value.get_int64().get(*out)) {
        return Fail(ErrorKind::kWrongType, field, "expected integer milliseconds since the Unix epoch, got a non-integer");
      }
    } else if (type == json_type::string) {
      std::string_view text;
      if (auto code = value.get_string().get(text)) {
        return Fail(ErrorKind::kMalformedJson, field, fmt::format("{}{}", "bad string: ", simdjson::error_message(code)));
      }
      std::optional<int64_t> parsed = ParseRfc3339Millis(text);
      if (!parsed) {
        return Fail(ErrorKind::kInvalidValue, field,
                    fmt::format("{}{}{}", "invalid timestamp ", QuoteForMessage(text), ": expected RFC 3339 such as \"2026-04-22T09:30:00Z\""));
      }
      *out = *parsed;
    } else {
      return WrongType(field, "integer milliseconds or an RFC 3339 string", type);
    }
    if (*out < kMinTimestampMs || *out >= kMaxTimestampMs) {
      return Fail(ErrorKind::kInvalidValue, field,
                  fmt::format("{}{}", *out, " ms is outside 2000-01-01..2100-01-01 (seconds or microseconds instead of milliseconds?)"));
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
  bool Validate(const RawStrings& raw, Event* event);

  Interners* interners;
  simdjson::ondemand::parser json;
  ParseError* error = nullptr;
  std::string lowered;  // Scratch for case normalization.
};

bool EventParser::Impl::ParseLine(std::string_view line, Event* event) {
  *event = Event();
  RawStrings raw;
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
  simdjson::ondemand::document doc;
  if (auto code = json.iterate(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING).get(doc)) {
    JsonError(code);
    return false;
  }
  simdjson::ondemand::object object;
  if (auto code = doc.get_object().get(object)) {
    json_type type;
    if (code == simdjson::INCORRECT_TYPE && !doc.type().get(type)) {
      error->kind = ErrorKind::kMalformedJson;
      error->field = "json";
      error->reason = fmt::format("{}{}", "expected a JSON object, got ", TypeName(type));
      return false;
    }
    JsonError(code);
    return false;
  }
  for (auto field_result : object) {
    simdjson::ondemand::field member;
    if (auto code = std::move(field_result).get(member)) return JsonError(code), false;
    std::string_view key;
    if (auto code = member.unescaped_key().get(key)) return JsonError(code), false;
    std::optional<Field> field = LookupField(key);
    if (!field) continue;  // Unknown fields are ignored; the iterator skips the value.
    uint32_t bit = 1u << static_cast<int>(*field);
    if (event->present & bit) {
      Fail(ErrorKind::kDuplicateField, *field, "appears more than once in the object");
      return false;
    }
    simdjson::ondemand::value value = member.value();
    Got got = Got::kAbsent;
    int64_t number = 0;
    switch (*field) {
      case Field::kTs: got = GetTime(value, *field, &event->ts_ms); break;
      case Field::kAccountCreated: got = GetTime(value, *field, &event->account_created_ms); break;
      case Field::kAccount: got = GetString(value, *field, &raw.account); break;
      case Field::kIp: got = GetString(value, *field, &raw.ip); break;
      case Field::kOrg: got = GetString(value, *field, &raw.org); break;
      case Field::kKey: got = GetString(value, *field, &raw.key); break;
      case Field::kPayment: got = GetString(value, *field, &raw.payment); break;
      case Field::kBillingCountry: got = GetString(value, *field, &raw.billing_country); break;
      case Field::kIpCountry: got = GetString(value, *field, &raw.ip_country); break;
      case Field::kEmailDomain: got = GetString(value, *field, &raw.email_domain); break;
      case Field::kUa: got = GetString(value, *field, &raw.ua); break;
      case Field::kTls: got = GetString(value, *field, &raw.tls); break;
      case Field::kEndpoint: got = GetString(value, *field, &raw.endpoint); break;
      case Field::kModel: got = GetString(value, *field, &raw.model); break;
      case Field::kConversation: got = GetString(value, *field, &raw.conversation); break;
      case Field::kSystem: got = GetString(value, *field, &event->system); break;
      case Field::kPrompt: got = GetString(value, *field, &event->prompt); break;
      case Field::kVerified: {
        std::string_view text;
        got = GetString(value, *field, &text);
        if (got == Got::kValue) {
          std::optional<Verification> tier = ParseVerification(text);
          if (!tier) {
            got = Fail(ErrorKind::kInvalidValue, *field,
                       fmt::format("{}{}{}", "unknown tier ", QuoteForMessage(text), ": expected none, email, phone, payment, id or enterprise"));
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
      case Field::kStream: {
        json_type type;
        if (auto code = value.type().get(type)) return JsonError(code), false;
        if (type == json_type::null) break;
        if (type != json_type::boolean) {
          got = WrongType(*field, "a boolean", type);
        } else if (auto code = value.get_bool().get(event->stream)) {
          return JsonError(code), false;
        } else {
          got = Got::kValue;
        }
        break;
      }
      case Field::kCount:
        break;
    }
    if (got == Got::kError) return false;
    if (got == Got::kValue) event->present |= bit;
  }
  // The object must be the whole line.
  if (!doc.current_location().error()) {
    error->kind = ErrorKind::kMalformedJson;
    error->field = "json";
    error->reason = "unexpected content after the JSON object";
    return false;
  }
  return Validate(raw, event);
}

bool EventParser::Impl::Validate(const RawStrings& raw, Event* event) {
  for (Field required : {Field::kTs, Field::kAccount, Field::kIp}) {
    if (!event->has(required)) {
      Fail(ErrorKind::kMissingField, required, "required field is missing, null or empty");
      return false;
    }
  }
  std::optional<IpAddress> ip = IpAddress::Parse(raw.ip);
  if (!ip) {
    Fail(ErrorKind::kInvalidValue, Field::kIp, fmt::format("{}{}", "not an IPv4 or IPv6 address: ", QuoteForMessage(raw.ip)));
    return false;
  }
  for (auto [field, text] : {std::pair{Field::kBillingCountry, raw.billing_country},
                             std::pair{Field::kIpCountry, raw.ip_country}}) {
    if (!event->has(field)) continue;
    bool letters = text.size() == 2 && std::isalpha(static_cast<unsigned char>(text[0])) &&
                   std::isalpha(static_cast<unsigned char>(text[1]));
    if (!letters) {
      Fail(ErrorKind::kInvalidValue, field,
           fmt::format("{}{}", "expected an ISO 3166-1 alpha-2 code such as \"US\", got ", QuoteForMessage(text)));
      return false;
    }
  }

  // The line is valid: intern. First compute every digest and prefetch its
  // table slot, so the cache misses of the big tables (conversations, IPs)
  // overlap instead of queueing; then look up.
  Interners& in = *interners;
  if (event->has(Field::kEmailDomain)) {
    lowered.assign(raw.email_domain);
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  char billing[2], ip_country[2];
  auto upper = [](std::string_view text, char* out) {
    if (text.size() != 2) return std::string_view();
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    out[1] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[1])));
    return std::string_view(out, 2);
  };
  struct Pending {
    Field field;
    StringInterner* interner;
    std::string_view text;
    Id* id;
    Digest128 digest;
  };
  Pending pending[] = {
      {Field::kAccount, &in.account, raw.account, &event->account, {}},
      {Field::kOrg, &in.org, raw.org, &event->org, {}},
      {Field::kKey, &in.key, raw.key, &event->key, {}},
      {Field::kPayment, &in.payment, raw.payment, &event->payment, {}},
      {Field::kBillingCountry, &in.country, upper(raw.billing_country, billing), &event->billing_country, {}},
      {Field::kIpCountry, &in.country, upper(raw.ip_country, ip_country), &event->ip_country, {}},
      {Field::kEmailDomain, &in.email_domain, lowered, &event->email_domain, {}},
      {Field::kUa, &in.ua, raw.ua, &event->ua, {}},
      {Field::kTls, &in.tls, raw.tls, &event->tls, {}},
      {Field::kEndpoint, &in.endpoint, raw.endpoint, &event->endpoint, {}},
      {Field::kModel, &in.model, raw.model, &event->model, {}},
      {Field::kConversation, &in.conversation, raw.conversation, &event->conversation, {}},
  };
  in.ips.Prefetch(*ip);
  for (Pending& item : pending) {
    if (!event->has(item.field)) continue;
    item.digest = Digest128::Of(item.text);
    item.interner->Prefetch(item.digest);
  }
  event->ip = *ip;
  event->ip_id = in.ips.InternAddress(*ip);
  event->ip_prefix_id = in.ips.InternPrefix(*ip);
  for (const Pending& item : pending) {
    if (event->has(item.field)) *item.id = item.interner->Intern(item.text, item.digest);
  }
  return true;
}

EventParser::EventParser(Interners* interners) : impl_(std::make_unique<Impl>(interners)) {}
EventParser::~EventParser() = default;

bool EventParser::Parse(std::string_view line, Event* event, ParseError* error) {
  impl_->error = error;
  return impl_->ParseLine(line, event);
}

}  // namespace hydraguard::ingest
