#include "ingest/event.h"

#include <array>

namespace hydraguard::ingest {

std::string_view FieldName(Field field) {
  static constexpr std::array<std::string_view, kFieldCount> kNames = {
      "ts",           "account",      "ip",
      "org",          "key",          "account_created",
      "verified",     "payment",      "billing_country",
      "email_domain", "asn",          "ip_country",
      "ua",           "tls",          "endpoint",
      "model",        "system",       "prompt",
      "conversation", "turn",         "tools",
      "max_tokens",   "stream",       "status",
      "input_tokens", "output_tokens"};
  int index = static_cast<int>(field);
  return index < kFieldCount ? kNames[index] : std::string_view("?");
}

std::string_view VerificationName(Verification tier) {
  switch (tier) {
    case Verification::kNone:
      return "none";
    case Verification::kEmail:
      return "email";
    case Verification::kPhone:
      return "phone";
    case Verification::kPayment:
      return "payment";
    case Verification::kId:
      return "id";
    case Verification::kEnterprise:
      return "enterprise";
    case Verification::kUnknown:
      break;
  }
  return "unknown";
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

}  // namespace hydraguard::ingest
