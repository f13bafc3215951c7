// KeyTable: who is calling. Maps an API key to the account behind it and the
// identity facts the policy limits by (org, tier, verification, sign-up time,
// payment fingerprint, e-mail domain, operator-assigned campaign).
//
// Source: a JSON-lines file, one key a line, or a Redis hash whose fields are
// API keys and whose values are the same JSON objects without "key":
//
//   {"key":"sk-ant-1","account":"a1","org":"o1","tier":"build","verified":"payment",
//    "created":"2026-01-02T00:00:00Z","payment":"fp_9c1","email_domain":"example.com"}
//
//   absl::StatusOr<KeyTable> table = KeyTable::LoadFile("keys.jsonl");
//   const Identity* who = table->Find("sk-ant-1");
//
// Only "account" is required (and "key" in files). A bad line is an error
// naming the origin, line and field: a key table is configuration, and a
// silently skipped key would lock a customer out.
//
// Thread-safety: immutable after loading; Find may run concurrently.
#ifndef HYDRAGUARD_GATEWAY_KEY_TABLE_H_
#define HYDRAGUARD_GATEWAY_KEY_TABLE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ingest/event.h"

namespace hydraguard::gateway {

struct Identity {
  std::string account;
  std::string org;           // "" when unknown
  std::string tier;          // "" → the config's default tier
  std::string payment;       // payment-instrument fingerprint
  std::string email_domain;  // lower-cased
  std::string campaign;      // set by an operator or the engine's verdicts
  ingest::Verification verified = ingest::Verification::kUnknown;
  int64_t created_ms = 0;  // sign-up time; 0 when unknown
};

class KeyTable {
 public:
  KeyTable() = default;
  // JSON lines, each with "key" and "account". `origin` names the source in errors.
  static absl::StatusOr<KeyTable> Parse(std::string_view text, std::string_view origin);
  static absl::StatusOr<KeyTable> LoadFile(const std::string& path);
  // Redis hash entries: field = API key, value = JSON object (no "key").
  static absl::StatusOr<KeyTable> FromHashEntries(const std::vector<std::pair<std::string, std::string>>& entries,
                                                  std::string_view origin);

  // The identity behind `api_key`, or nullptr. The pointer lives as long as
  // this table.
  const Identity* Find(std::string_view api_key) const;
  size_t size() const { return identities_.size(); }

 private:
  absl::flat_hash_map<std::string, Identity> identities_;
};

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_KEY_TABLE_H_
