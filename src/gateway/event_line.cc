#include "gateway/event_line.h"

#include <algorithm>

#include "fmt/format.h"
#include "io/json_writer.h"
#include "xxhash.h"

namespace hydraguard::gateway {
namespace {

void Field(std::string* line, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  line->append(",\"").append(name).append("\":");
  io::AppendJsonString(line, value);
}

void Number(std::string* line, std::string_view name, int64_t value) {
  fmt::format_to(std::back_inserter(*line), ",\"{}\":{}", name, value);
}

// The schema takes ISO 3166-1 alpha-2 only; anything else in the trusted
// country header is left out, never allowed to make the line unreadable.
bool IsCountryCode(std::string_view code) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  return code.size() == 2 && letter(code[0]) && letter(code[1]);
}

// `text` as `prompts` keeps it at rest.
void Text(std::string* line, std::string_view name, std::string_view text, const EventPrompts& prompts) {
  if (text.empty()) return;
  switch (prompts.storage) {
    case PromptStorage::kFull:
      Field(line, name, text);
      return;
    case PromptStorage::kTruncate: {
      size_t cut = std::min(text.size(), static_cast<size_t>(prompts.max_bytes));
      // Back to a character boundary: never split a UTF-8 sequence.
      while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      Field(line, name, text.substr(0, cut));
      return;
    }
    case PromptStorage::kHash: {
      XXH128_hash_t hash = XXH3_128bits(text.data(), text.size());
      Field(line, name, fmt::format("h:{:016x}{:016x}", hash.high64, hash.low64));
      return;
    }
    case PromptStorage::kOff:
      return;
  }
}

}  // namespace

std::string KeyId(std::string_view api_key) {
  return fmt::format("k_{:016x}", XXH3_64bits(api_key.data(), api_key.size()));
}

std::string EventLine(const RequestContext& context, const EventOutcome& outcome, const EventPrompts& prompts) {
  const Identity& identity = *context.identity;
  const ApiRequest& request = context.request;
  std::string line;
  line.reserve(256 + request.system.size() + request.prompt.size());
  fmt::format_to(std::back_inserter(line), "{{\"ts\":{}", context.now_ms);
  Field(&line, "account", identity.account);
  Field(&line, "ip", context.ip.ToString());
  Field(&line, "org", identity.org);
  if (!outcome.api_key.empty()) Field(&line, "key", KeyId(outcome.api_key));
  if (identity.created_ms > 0) Number(&line, "account_created", identity.created_ms);
  if (identity.verified != ingest::Verification::kUnknown)
    Field(&line, "verified", ingest::VerificationName(identity.verified));
  Field(&line, "payment", identity.payment);
  Field(&line, "email_domain", identity.email_domain);
  if (context.asn != 0) Number(&line, "asn", context.asn);
  if (IsCountryCode(outcome.country)) Field(&line, "ip_country", outcome.country);
  Field(&line, "ua", context.ua);
  Field(&line, "tls", context.tls);
  Field(&line, "endpoint", outcome.endpoint);
  Field(&line, "model", request.model);
  Text(&line, "system", request.system, prompts);
  Text(&line, "prompt", request.prompt, prompts);
  if (request.turn > 0) Number(&line, "turn", request.turn);
  if (context.has_body) {
    Number(&line, "tools", request.tools);
    if (request.max_tokens > 0) Number(&line, "max_tokens", request.max_tokens);
    line += request.stream ? ",\"stream\":true" : ",\"stream\":false";
  }
  if (outcome.status > 0) Number(&line, "status", outcome.status);
  if (outcome.input_tokens >= 0) Number(&line, "input_tokens", outcome.input_tokens);
  if (outcome.output_tokens >= 0) Number(&line, "output_tokens", outcome.output_tokens);
  line += "}";
  return line;
}

}  // namespace hydraguard::gateway
