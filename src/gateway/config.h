// GatewayConfig: everything `hydraguard serve --config gateway.yaml` reads.
// docs/gateway.md documents every key; `hydraguard serve --print-config`
// prints a commented example. Unknown keys and values of the wrong type are
// errors naming the file, line and key: a typo in a limit must not silently
// leave a door open.
//
//   absl::StatusOr<GatewayConfig> config = LoadGatewayConfig("gateway.yaml");
//
// Limits: 0 means "no limit". Durations are written "90s", "5m", "1h", "7d"
// or "250ms"; sizes "10MiB", "64KiB" or a byte count.
#ifndef HYDRAGUARD_GATEWAY_CONFIG_H_
#define HYDRAGUARD_GATEWAY_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/verdict.h"
#include "ingest/event.h"
#include "ingest/ip_address.h"

namespace hydraguard::gateway {

// What a limit is counted over, per minute and per day.
struct Limits {
  int64_t requests_per_minute = 0;
  int64_t requests_per_day = 0;
  int64_t input_tokens_per_minute = 0;
  int64_t input_tokens_per_day = 0;
  int64_t output_tokens_per_minute = 0;
  int64_t output_tokens_per_day = 0;

  // The tighter of the two for each limit (0 = none counts as looser).
  Limits Min(const Limits& other) const;
  bool empty() const;
  friend bool operator==(const Limits&, const Limits&) = default;
};

struct Tier {
  std::string name;
  Limits limits;
  // Verification required (403 verification_required unless the account is
  // at least `verified_level`) for these models (a trailing '*' matches a
  // prefix) and for accounts above this many requests a day (0: never).
  std::vector<std::string> verify_models;
  int64_t verify_above_requests_per_day = 0;
};

// The identities whose accounts share one limit (DESIGN.md: what a hydra
// cannot spread around).
enum class Dimension { kAccount, kOrg, kPayment, kIpPrefix, kAsn, kCampaign };
inline constexpr int kDimensionCount = 6;
std::string_view DimensionName(Dimension dimension);  // "account", "org", "payment", "ip_prefix", "asn", "campaign"

struct SharedLimit {
  Dimension dimension;
  Limits limits;             // used when tier_limits is false
  bool tier_limits = false;  // apply the requesting account's tier limits to the whole group
};

enum class FailureMode { kOpen, kClosed };

struct RedisSettings {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int timeout_ms = 200;  // connect and command
  FailureMode failure = FailureMode::kOpen;
  int64_t refresh_ms = 5'000;  // verdicts and keys re-read from Redis
  std::string stream = "hg:events";
  int64_t stream_maxlen = 1'000'000;
  int64_t stream_buffer = 100'000;                   // lines held while Redis is away
  int64_t stream_buffer_bytes = int64_t{256} << 20;  // and bytes of them at most
  std::string verdicts_hash = "hg:verdicts";
  std::string keys_hash;  // "" → keys come from keys_file
};

// How much of a request's text (system prompt, last user turn) its event
// keeps, at rest in events_file and the Redis stream. What detection loses
// at each level is in docs/gateway.md ("Prompts at rest").
enum class PromptStorage {
  kFull,      // the text as sent
  kTruncate,  // the first max_bytes of each (cut at a character boundary)
  kHash,      // "h:" + 32 hex digits of XXH3-128 of each: equal texts stay equal, no text is kept
  kOff,       // no text at all
};
struct EventPrompts {
  PromptStorage storage = PromptStorage::kFull;
  int64_t max_bytes = 2048;  // kTruncate
};
std::string_view PromptStorageName(PromptStorage storage);

struct GatewayConfig {
  // Serving.
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  int threads = 2;
  std::string upstream_url;  // "" → check-only (no proxying)
  int64_t upstream_connect_timeout_ms = 5'000;
  int64_t upstream_response_timeout_ms = 600'000;
  int64_t upstream_max_idle = 32;            // kept-alive upstream connections per thread (0: a new one each time)
  int64_t upstream_idle_timeout_ms = 4'000;  // an idle upstream connection older than this is closed
  int64_t max_body_bytes = 10 << 20;
  int64_t client_timeout_ms = 30'000;  // to receive a whole request (slow clients)
  std::string admin_token;             // "" → admin API disabled
  std::string events_file;             // also append every request's event here (JSON lines; created 0600)
  EventPrompts event_prompts;          // how much prompt text events keep (file and Redis stream)

  // Who is calling.
  std::string keys_file;
  std::vector<ingest::IpPrefix> trusted_proxies;  // X-Forwarded-For and the headers below honoured only from these
  std::string asn_header = "x-client-asn";
  std::string tls_header = "x-client-ja4";
  std::string country_header = "x-client-country";

  // State.
  bool use_redis = false;
  RedisSettings redis;

  // Policy.
  std::map<std::string, Tier> tiers;  // by name
  std::string default_tier;
  ingest::Verification verified_level = ingest::Verification::kPayment;  // "verified" means at least this
  Limits unverified_limits;    // tightened into the tier's for accounts below verified_level
  int64_t new_account_ms = 0;  // accounts younger than this get new_account_limits
  Limits new_account_limits;
  std::vector<SharedLimit> shared;
  double chars_per_token = 4.0;          // input-token estimate at admission
  int64_t default_output_tokens = 1024;  // output reservation when a request sets no max_tokens (OpenAI)

  // Verdicts and graded response.
  std::string verdicts_file;   // engine's verdicts.jsonl
  std::string campaigns_file;  // engine's campaigns.json (indicators)
  int indicator_min_signals = 2;
  engine::Action indicator_action = engine::Action::kChallenge;     // when enough signals match
  engine::Action weak_indicator_action = engine::Action::kMonitor;  // when fewer match
  Limits throttle_limits{.requests_per_minute = 2};                 // per account under a throttle verdict
  bool strip_thinking_monitor = true;
  bool strip_thinking_throttle = true;
  std::string suspect_header = "x-hydraguard-suspect";
};

absl::StatusOr<GatewayConfig> ParseGatewayConfig(std::string_view yaml_text, std::string_view origin);
absl::StatusOr<GatewayConfig> LoadGatewayConfig(const std::string& path);

// A commented example configuration (`serve --print-config`); it parses.
std::string_view ExampleGatewayConfig();

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_CONFIG_H_
