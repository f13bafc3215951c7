// Event: one API request, as read from schema v1 (../shared/DESIGN.md).
//
// Strings that identify things (account, org, payment, ...) are interned to
// dense ids (see interner.h): compare and count ids, look names up only for
// output. Prompt and system text are views into the reader's buffers, valid
// until the next event is read; copy them if they must live longer.
#ifndef HYDRAGUARD_INGEST_EVENT_H_
#define HYDRAGUARD_INGEST_EVENT_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "ingest/ip_address.h"

namespace hydraguard::ingest {

// Every schema v1 field. The order is the bit order of Event::present.
enum class Field : uint8_t {
  kTs,
  kAccount,
  kIp,
  kOrg,
  kKey,
  kAccountCreated,
  kVerified,
  kPayment,
  kBillingCountry,
  kEmailDomain,
  kAsn,
  kIpCountry,
  kUa,
  kTls,
  kEndpoint,
  kModel,
  kSystem,
  kPrompt,
  kConversation,
  kTurn,
  kTools,
  kMaxTokens,
  kStream,
  kStatus,
  kInputTokens,
  kOutputTokens,
  kCount,
};
inline constexpr int kFieldCount = static_cast<int>(Field::kCount);

// The field's name in the JSON schema, e.g. "account_created".
std::string_view FieldName(Field field);

// Identity-verification tier, ordered from weakest to strongest.
enum class Verification : uint8_t { kUnknown, kNone, kEmail, kPhone, kPayment, kId, kEnterprise };
std::string_view VerificationName(Verification tier);
// The inverse of VerificationName ("none" ... "enterprise"); nullopt otherwise.
std::optional<Verification> ParseVerification(std::string_view text);

// Dense id of an interned string; kNoId when the field is absent.
using Id = uint32_t;
inline constexpr Id kNoId = 0xFFFFFFFFu;

struct Event {
  int64_t ts_ms = 0;        // Required. ms since the Unix epoch.
  Id account = kNoId;       // Required. Interners::account.
  IpAddress ip;             // Required.
  Id ip_id = kNoId;         // Interners::ips (address).
  Id ip_prefix_id = kNoId;  // Interners::ips (/24 or /48 prefix).

  Id org = kNoId;              // Interners::org
  Id key = kNoId;              // Interners::key
  Id payment = kNoId;          // Interners::payment
  Id billing_country = kNoId;  // Interners::country
  Id ip_country = kNoId;       // Interners::country (same ids as billing)
  Id email_domain = kNoId;     // Interners::email_domain, lower-cased
  Id ua = kNoId;               // Interners::ua
  Id tls = kNoId;              // Interners::tls
  Id endpoint = kNoId;         // Interners::endpoint
  Id model = kNoId;            // Interners::model
  Id conversation = kNoId;     // Interners::conversation

  int64_t account_created_ms = 0;  // Valid when has(Field::kAccountCreated).
  Verification verified = Verification::kUnknown;
  uint32_t asn = 0;    // Valid when has(Field::kAsn).
  int32_t turn = 0;    // >= 1 when present.
  int32_t tools = 0;   // >= 0
  int32_t status = 0;  // 100..599
  bool stream = false;
  int64_t max_tokens = 0;     // >= 0
  int64_t input_tokens = 0;   // >= 0
  int64_t output_tokens = 0;  // >= 0

  std::string_view system;  // Unescaped UTF-8; empty when absent.
  std::string_view prompt;  // Unescaped UTF-8; empty when absent.

  uint32_t present = 0;  // Bit (1 << Field) set for each field read.

  bool has(Field field) const { return (present >> static_cast<int>(field)) & 1u; }
};

}  // namespace hydraguard::ingest

#endif  // HYDRAGUARD_INGEST_EVENT_H_
