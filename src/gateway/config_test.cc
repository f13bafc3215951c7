#include "gateway/config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_files.h"

namespace hydraguard::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The smallest valid configuration.
constexpr std::string_view kMinimal = R"(keys:
  file: keys.jsonl
tiers:
  levels:
    free: {requests_per_minute: 5}
)";

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// Parses `yaml` and expects an InvalidArgument starting with "gw.yaml:LINE: KEY".
void ExpectError(std::string_view yaml, int line, std::string_view key, std::string_view reason = "") {
  absl::StatusOr<GatewayConfig> config = ParseGatewayConfig(yaml, "gw.yaml");
  ASSERT_FALSE(config.ok()) << yaml;
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config.status()), StartsWith("gw.yaml:" + std::to_string(line) + ": " + std::string(key)))
      << yaml;
  if (!reason.empty()) {
    EXPECT_THAT(Message(config.status()), HasSubstr(std::string(reason))) << yaml;
  }
}

GatewayConfig ParseOk(std::string_view yaml) {
  absl::StatusOr<GatewayConfig> config = ParseGatewayConfig(yaml, "gw.yaml");
  EXPECT_TRUE(config.ok()) << config.status() << "\n" << yaml;
  return config.ok() ? *config : GatewayConfig{};
}

TEST(LimitsTest, MinTakesTheTighterAndZeroIsNoLimit) {
  Limits a{.requests_per_minute = 50, .requests_per_day = 0, .input_tokens_per_minute = 100};
  Limits b{.requests_per_minute = 5, .requests_per_day = 200, .output_tokens_per_day = 7};
  Limits min = a.Min(b);
  EXPECT_EQ(min.requests_per_minute, 5);
  EXPECT_EQ(min.requests_per_day, 200);
  EXPECT_EQ(min.input_tokens_per_minute, 100);
  EXPECT_EQ(min.input_tokens_per_day, 0);
  EXPECT_EQ(min.output_tokens_per_minute, 0);
  EXPECT_EQ(min.output_tokens_per_day, 7);
  EXPECT_EQ(b.Min(a), min);
  EXPECT_EQ(a.Min(Limits{}), a);
  EXPECT_TRUE(Limits{}.empty());
  EXPECT_FALSE(a.empty());
}

TEST(DimensionTest, Names) {
  EXPECT_EQ(DimensionName(Dimension::kAccount), "account");
  EXPECT_EQ(DimensionName(Dimension::kOrg), "org");
  EXPECT_EQ(DimensionName(Dimension::kPayment), "payment");
  EXPECT_EQ(DimensionName(Dimension::kIpPrefix), "ip_prefix");
  EXPECT_EQ(DimensionName(Dimension::kAsn), "asn");
  EXPECT_EQ(DimensionName(Dimension::kCampaign), "campaign");
}

TEST(GatewayConfigTest, MinimalUsesDefaults) {
  GatewayConfig config = ParseOk(kMinimal);
  EXPECT_EQ(config.listen_host, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 8080);
  EXPECT_EQ(config.threads, 2);
  EXPECT_EQ(config.upstream_url, "");
  EXPECT_EQ(config.max_body_bytes, 10 << 20);
  EXPECT_EQ(config.keys_file, "keys.jsonl");
  EXPECT_FALSE(config.use_redis);
  EXPECT_EQ(config.redis.failure, FailureMode::kOpen);
  ASSERT_EQ(config.tiers.size(), 1u);
  EXPECT_EQ(config.default_tier, "free");  // the only (first) tier
  EXPECT_EQ(config.tiers.at("free").limits, Limits{.requests_per_minute = 5});
  EXPECT_EQ(config.verified_level, ingest::Verification::kPayment);
  EXPECT_TRUE(config.shared.empty());
  EXPECT_EQ(config.indicator_min_signals, 2);
  EXPECT_EQ(config.indicator_action, engine::Action::kChallenge);
  EXPECT_EQ(config.weak_indicator_action, engine::Action::kMonitor);
  EXPECT_EQ(config.throttle_limits, Limits{.requests_per_minute = 2});
  EXPECT_TRUE(config.strip_thinking_monitor);
  EXPECT_TRUE(config.strip_thinking_throttle);
  EXPECT_DOUBLE_EQ(config.chars_per_token, 4.0);
}

TEST(GatewayConfigTest, ExampleParsesWithEverySection) {
  absl::StatusOr<GatewayConfig> parsed = ParseGatewayConfig(ExampleGatewayConfig(), "example");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const GatewayConfig& config = *parsed;
  EXPECT_EQ(config.listen_host, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 8080);
  EXPECT_EQ(config.threads, 2);
  EXPECT_EQ(config.upstream_url, "http://127.0.0.1:9000");
  EXPECT_EQ(config.upstream_connect_timeout_ms, 5'000);
  EXPECT_EQ(config.upstream_response_timeout_ms, 600'000);
  EXPECT_EQ(config.upstream_max_idle, 32);
  EXPECT_EQ(config.upstream_idle_timeout_ms, 4'000);
  EXPECT_EQ(config.max_body_bytes, 10 << 20);
  EXPECT_EQ(config.client_timeout_ms, 30'000);
  EXPECT_EQ(config.admin_token, "");
  EXPECT_EQ(config.events_file, "");
  EXPECT_EQ(config.keys_file, "keys.jsonl");
  ASSERT_EQ(config.trusted_proxies.size(), 1u);
  EXPECT_EQ(config.trusted_proxies[0].address.ToString(), "127.0.0.1");
  EXPECT_EQ(config.trusted_proxies[0].length, 32);
  EXPECT_EQ(config.asn_header, "x-client-asn");
  EXPECT_EQ(config.tls_header, "x-client-ja4");
  EXPECT_EQ(config.country_header, "x-client-country");
  EXPECT_FALSE(config.use_redis);
  EXPECT_EQ(config.redis.host, "127.0.0.1");
  EXPECT_EQ(config.redis.port, 6379);
  EXPECT_EQ(config.redis.timeout_ms, 200);
  EXPECT_EQ(config.redis.failure, FailureMode::kOpen);
  EXPECT_EQ(config.redis.refresh_ms, 5'000);
  EXPECT_EQ(config.redis.stream, "hg:events");
  EXPECT_EQ(config.redis.stream_maxlen, 1'000'000);
  EXPECT_EQ(config.redis.stream_buffer, 100'000);
  EXPECT_EQ(config.redis.stream_buffer_bytes, int64_t{256} << 20);
  EXPECT_EQ(config.redis.keys_hash, "");

  EXPECT_EQ(config.default_tier, "build");
  ASSERT_EQ(config.tiers.size(), 3u);
  const Tier& free = config.tiers.at("free");
  EXPECT_EQ(free.name, "free");
  EXPECT_EQ(free.limits, (Limits{.requests_per_minute = 5,
                                 .requests_per_day = 200,
                                 .input_tokens_per_minute = 20'000,
                                 .output_tokens_per_minute = 4'000}));
  EXPECT_EQ(free.verify_models, std::vector<std::string>{"claude-opus*"});
  EXPECT_EQ(free.verify_above_requests_per_day, 0);
  const Tier& build = config.tiers.at("build");
  EXPECT_EQ(build.limits, (Limits{.requests_per_minute = 50,
                                  .requests_per_day = 20'000,
                                  .input_tokens_per_minute = 200'000,
                                  .output_tokens_per_minute = 40'000}));
  EXPECT_EQ(build.verify_above_requests_per_day, 5'000);
  EXPECT_TRUE(build.verify_models.empty());
  EXPECT_EQ(config.tiers.at("scale").limits, (Limits{.requests_per_minute = 1'000,
                                                     .input_tokens_per_minute = 2'000'000,
                                                     .output_tokens_per_minute = 400'000}));

  EXPECT_EQ(config.verified_level, ingest::Verification::kPayment);
  EXPECT_EQ(config.unverified_limits,
            (Limits{.requests_per_minute = 5, .requests_per_day = 100, .output_tokens_per_day = 50'000}));
  EXPECT_EQ(config.new_account_ms, 7 * 86'400'000LL);
  EXPECT_EQ(config.new_account_limits, Limits{.requests_per_day = 500});

  ASSERT_EQ(config.shared.size(), 5u);
  auto shared = [&](Dimension dimension) -> const SharedLimit* {
    for (const SharedLimit& limit : config.shared)
      if (limit.dimension == dimension) return &limit;
    return nullptr;
  };
  ASSERT_NE(shared(Dimension::kPayment), nullptr);
  EXPECT_TRUE(shared(Dimension::kPayment)->tier_limits);
  ASSERT_NE(shared(Dimension::kIpPrefix), nullptr);
  EXPECT_FALSE(shared(Dimension::kIpPrefix)->tier_limits);
  EXPECT_EQ(shared(Dimension::kIpPrefix)->limits, (Limits{.requests_per_minute = 300, .requests_per_day = 50'000}));
  ASSERT_NE(shared(Dimension::kAsn), nullptr);
  EXPECT_EQ(shared(Dimension::kAsn)->limits, Limits{.requests_per_minute = 3'000});
  ASSERT_NE(shared(Dimension::kOrg), nullptr);
  EXPECT_TRUE(shared(Dimension::kOrg)->tier_limits);
  ASSERT_NE(shared(Dimension::kCampaign), nullptr);
  EXPECT_EQ(shared(Dimension::kCampaign)->limits, Limits{.requests_per_day = 100});

  EXPECT_DOUBLE_EQ(config.chars_per_token, 4.0);
  EXPECT_EQ(config.verdicts_file, "verdicts.jsonl");
  EXPECT_EQ(config.campaigns_file, "campaigns.json");
  EXPECT_EQ(config.indicator_min_signals, 2);
  EXPECT_EQ(config.indicator_action, engine::Action::kChallenge);
  EXPECT_EQ(config.weak_indicator_action, engine::Action::kMonitor);
  EXPECT_EQ(config.throttle_limits, Limits{.requests_per_minute = 2});
  EXPECT_TRUE(config.strip_thinking_monitor);
  EXPECT_TRUE(config.strip_thinking_throttle);
  EXPECT_EQ(config.suspect_header, "x-hydraguard-suspect");
}

TEST(GatewayConfigTest, EventPrompts) {
  EXPECT_EQ(ParseOk(kMinimal).event_prompts.storage, PromptStorage::kFull);
  GatewayConfig truncated =
      ParseOk(std::string(kMinimal) + "events: {file: ev.jsonl, prompts: truncate, prompt_bytes: 512}\n");
  EXPECT_EQ(truncated.events_file, "ev.jsonl");
  EXPECT_EQ(truncated.event_prompts.storage, PromptStorage::kTruncate);
  EXPECT_EQ(truncated.event_prompts.max_bytes, 512);
  EXPECT_EQ(ParseOk(std::string(kMinimal) + "events: {prompts: hash}\n").event_prompts.storage, PromptStorage::kHash);
  EXPECT_EQ(ParseOk(std::string(kMinimal) + "events: {prompts: off}\n").event_prompts.storage, PromptStorage::kOff);
  EXPECT_EQ(PromptStorageName(PromptStorage::kTruncate), "truncate");
  ExpectError(std::string(kMinimal) + "events: {prompts: some}\n", 6, "events.prompts", "full, truncate, hash or off");
  ExpectError(std::string(kMinimal) + "events_file: a.jsonl\nevents: {file: b.jsonl}\n", 7, "events.file", "keep one");
}

TEST(GatewayConfigTest, LoadFile) {
  std::string path = hydraguard::testing::WriteTempFile(kMinimal, ".yaml");
  absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->keys_file, "keys.jsonl");
  // Errors name the file.
  std::string bad = hydraguard::testing::WriteTempFile(std::string(kMinimal) + "threads: lots\n", ".yaml");
  absl::StatusOr<GatewayConfig> refused = LoadGatewayConfig(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(Message(refused.status()), StartsWith(bad + ":6: threads"));
  absl::StatusOr<GatewayConfig> missing = LoadGatewayConfig(hydraguard::testing::TempPath(".yaml"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(GatewayConfigTest, Durations) {
  GatewayConfig config = ParseOk(std::string(kMinimal) + R"(client_timeout: 250ms
upstream: {url: "http://u:1", connect_timeout: 90s, response_timeout: 5m, max_idle: 0, idle_timeout: 9s}
state: memory
redis: {refresh: 1h, timeout: 7d}
verification:
  new_account: {age: 7d, requests_per_day: 10}
)");
  EXPECT_EQ(config.client_timeout_ms, 250);
  EXPECT_EQ(config.upstream_connect_timeout_ms, 90'000);
  EXPECT_EQ(config.upstream_response_timeout_ms, 300'000);
  EXPECT_EQ(config.upstream_max_idle, 0);
  EXPECT_EQ(config.upstream_idle_timeout_ms, 9'000);
  EXPECT_EQ(config.redis.refresh_ms, 3'600'000);
  EXPECT_EQ(config.redis.timeout_ms, 60'000);  // clamped
  EXPECT_EQ(config.new_account_ms, 604'800'000);
  EXPECT_EQ(config.new_account_limits, Limits{.requests_per_day = 10});
  EXPECT_EQ(ParseOk(std::string(kMinimal) + "client_timeout: 0s\n").client_timeout_ms, 0);

  for (std::string_view bad : {"5", "5 s", "5sec", "-5s", "s", "1.5s", "5S", "\"\"", "[5s]", "99999999999999999d"}) {
    SCOPED_TRACE(bad);
    ExpectError(std::string(kMinimal) + "client_timeout: " + std::string(bad) + "\n", 6, "client_timeout",
                "expected a duration like 250ms, 90s, 5m, 1h or 7d");
  }
}

TEST(GatewayConfigTest, Sizes) {
  EXPECT_EQ(ParseOk(std::string(kMinimal) + "max_body: 512\n").max_body_bytes, 512);
  EXPECT_EQ(ParseOk(std::string(kMinimal) + "max_body: 64KiB\n").max_body_bytes, 64 << 10);
  EXPECT_EQ(ParseOk(std::string(kMinimal) + "max_body: 3MiB\n").max_body_bytes, 3 << 20);
  EXPECT_EQ(ParseOk(std::string(kMinimal) + "max_body: 2GiB\n").max_body_bytes, int64_t{2} << 30);
  EXPECT_EQ(ParseOk(std::string(kMinimal) + "max_body: 100B\n").max_body_bytes, 100);
  for (std::string_view bad : {"0", "-1", "10MB", "10 MiB", "lots", "1.5KiB", "{a: 1}"}) {
    SCOPED_TRACE(bad);
    ExpectError(std::string(kMinimal) + "max_body: " + std::string(bad) + "\n", 6, "max_body",
                "expected a size like 512, 64KiB or 10MiB");
  }
}

TEST(GatewayConfigTest, Listen) {
  GatewayConfig config = ParseOk(std::string(kMinimal) + "listen: 0.0.0.0:0\n");
  EXPECT_EQ(config.listen_host, "0.0.0.0");
  EXPECT_EQ(config.listen_port, 0);
  config = ParseOk(std::string(kMinimal) + "listen: \"[::1]:9000\"\n");
  EXPECT_EQ(config.listen_host, "::1");
  EXPECT_EQ(config.listen_port, 9000);
  for (std::string_view bad : {"localhost", "localhost:http", ":80", "h:70000", "h:-1"}) {
    SCOPED_TRACE(bad);
    ExpectError(std::string(kMinimal) + "listen: \"" + std::string(bad) + "\"\n", 6, "listen", "HOST:PORT");
  }
}

TEST(GatewayConfigTest, TrustedProxiesWithAndWithoutPrefixLength) {
  GatewayConfig config =
      ParseOk(std::string(kMinimal) + "trusted_proxies: [10.0.0.0/8, 192.168.1.7, \"2001:db8::/32\", \"::1\"]\n");
  ASSERT_EQ(config.trusted_proxies.size(), 4u);
  EXPECT_EQ(config.trusted_proxies[0].address.ToString(), "10.0.0.0");
  EXPECT_EQ(config.trusted_proxies[0].length, 8);
  EXPECT_EQ(config.trusted_proxies[1].address.ToString(), "192.168.1.7");
  EXPECT_EQ(config.trusted_proxies[1].length, 32);
  EXPECT_EQ(config.trusted_proxies[2].address.ToString(), "2001:db8::");
  EXPECT_EQ(config.trusted_proxies[2].length, 32);
  EXPECT_EQ(config.trusted_proxies[3].address.ToString(), "::1");
  EXPECT_EQ(config.trusted_proxies[3].length, 128);

  ExpectError(std::string(kMinimal) + "trusted_proxies: 10.0.0.1\n", 6, "trusted_proxies", "expected a list");
  ExpectError(std::string(kMinimal) + "trusted_proxies:\n  - 10.0.0.1\n  - 10.0.0.300/8\n", 8, "trusted_proxies",
              "\"10.0.0.300/8\" is not an address or CIDR prefix");
  ExpectError(std::string(kMinimal) + "trusted_proxies: [10.0.0.0/33]\n", 6, "trusted_proxies");
  ExpectError(std::string(kMinimal) + "trusted_proxies: [proxy.example.com]\n", 6, "trusted_proxies");
}

TEST(GatewayConfigTest, ClientHeadersAreLowerCased) {
  GatewayConfig config = ParseOk(std::string(kMinimal) + "client_headers: {asn: X-ASN, tls: X-JA4}\n");
  EXPECT_EQ(config.asn_header, "x-asn");
  EXPECT_EQ(config.tls_header, "x-ja4");
  EXPECT_EQ(config.country_header, "x-client-country");
  ExpectError(std::string(kMinimal) + "client_headers: {ip: x-ip}\n", 6, "ip", "unknown key in client_headers");
}

TEST(GatewayConfigTest, AdminTokenFile) {
  std::string token = hydraguard::testing::WriteTempFile("  s3cret-token\n", ".token");
  GatewayConfig config = ParseOk(std::string(kMinimal) + "admin_token_file: " + token + "\n");
  EXPECT_EQ(config.admin_token, "s3cret-token");
  ExpectError(std::string(kMinimal) + "admin_token_file: /nonexistent/hg/admin.token\n", 6, "admin_token_file",
              "cannot open");
}

TEST(GatewayConfigTest, RedisState) {
  GatewayConfig config = ParseOk(R"(state: redis
keys: {redis_hash: hg:keys}
redis:
  host: redis.internal
  port: 6380
  password: pw
  timeout: 50ms
  on_failure: closed
  stream: s
  stream_maxlen: 10
  stream_buffer: 0
  stream_buffer_bytes: 64MiB
  verdicts_hash: v
tiers:
  levels:
    t: {requests_per_day: 1}
)");
  EXPECT_TRUE(config.use_redis);
  EXPECT_EQ(config.redis.keys_hash, "hg:keys");
  EXPECT_EQ(config.keys_file, "");
  EXPECT_EQ(config.redis.host, "redis.internal");
  EXPECT_EQ(config.redis.port, 6380);
  EXPECT_EQ(config.redis.password, "pw");
  EXPECT_EQ(config.redis.timeout_ms, 50);
  EXPECT_EQ(config.redis.failure, FailureMode::kClosed);
  EXPECT_EQ(config.redis.stream, "s");
  EXPECT_EQ(config.redis.stream_maxlen, 10);
  EXPECT_EQ(config.redis.stream_buffer, 0);
  EXPECT_EQ(config.redis.stream_buffer_bytes, int64_t{64} << 20);
  EXPECT_EQ(config.redis.verdicts_hash, "v");

  ExpectError(std::string(kMinimal) + "redis: {on_failure: sideways}\n", 6, "on_failure", "expected open or closed");
  ExpectError(std::string(kMinimal) + "redis: {port: 0}\n", 6, "port", "must be in [1, 65535]");
  ExpectError(std::string(kMinimal) + "redis: {db: 3}\n", 6, "db", "unknown key in redis");
  ExpectError(std::string(kMinimal) + "state: disk\n", 6, "state", "expected memory or redis");
  ExpectError("keys: {redis_hash: hg:keys}\ntiers: {levels: {t: {requests_per_day: 1}}}\n", 1, "keys.redis_hash",
              "needs state: redis");
  absl::StatusOr<GatewayConfig> no_keys =
      ParseGatewayConfig("state: redis\ntiers: {levels: {t: {requests_per_day: 1}}}\n", "gw.yaml");
  ASSERT_FALSE(no_keys.ok());
  EXPECT_THAT(Message(no_keys.status()), StartsWith("gw.yaml: keys"));
}

TEST(GatewayConfigTest, TiersAndVerification) {
  GatewayConfig config = ParseOk(R"(keys: {file: k}
tiers:
  default: pro
  levels:
    free: {requests_per_minute: 5, verify_models: [claude-opus*, gpt-5]}
    pro: {requests_per_minute: 100, input_tokens_per_day: 9, output_tokens_per_day: 8, verify_above_requests_per_day: 50}
verification:
  verified_level: phone
  unverified: {requests_per_minute: 1}
)");
  EXPECT_EQ(config.default_tier, "pro");
  EXPECT_EQ(config.tiers.at("free").verify_models, (std::vector<std::string>{"claude-opus*", "gpt-5"}));
  EXPECT_EQ(config.tiers.at("pro").limits,
            (Limits{.requests_per_minute = 100, .input_tokens_per_day = 9, .output_tokens_per_day = 8}));
  EXPECT_EQ(config.tiers.at("pro").verify_above_requests_per_day, 50);
  EXPECT_EQ(config.verified_level, ingest::Verification::kPhone);
  EXPECT_EQ(config.unverified_limits, Limits{.requests_per_minute = 1});

  ExpectError("keys: {file: k}\ntiers:\n  default: gold\n  levels:\n    free: {requests_per_minute: 5}\n", 3,
              "tiers.default", "no tier named \"gold\"");
  ExpectError("keys: {file: k}\ntiers:\n  levels:\n    free: {requests_per_minute: 5, requests_per_hour: 3}\n", 4,
              "requests_per_hour", "unknown key in tier free");
  ExpectError("keys: {file: k}\ntiers:\n  levels:\n    free: {requests_per_minute: fast}\n", 4, "requests_per_minute",
              "expected an integer");
  ExpectError("keys: {file: k}\ntiers:\n  levels:\n    free: {requests_per_minute: -1}\n", 4, "requests_per_minute",
              "must be in");
  ExpectError("keys: {file: k}\ntiers:\n  levels:\n    free: {requests_per_minute: 1.5}\n", 4, "requests_per_minute",
              "expected an integer");
  ExpectError("keys: {file: k}\ntiers:\n  levels:\n    free: 5\n", 4, "tier free", "expected a mapping");
  ExpectError("keys: {file: k}\ntiers:\n  levels:\n    free: {verify_models: claude}\n", 4, "verify_models",
              "expected a list");
  ExpectError("keys: {file: k}\ntiers:\n  levels: {}\n", 3, "tiers.levels");
  ExpectError("keys: {file: k}\ntiers:\n  level:\n    free: {requests_per_minute: 5}\n", 3, "level",
              "unknown key in tiers");
  ExpectError(std::string(kMinimal) + "verification: {verified_level: passport}\n", 6, "verified_level",
              "expected none, email, phone, payment, id or enterprise");
  ExpectError(std::string(kMinimal) + "verification:\n  new_account: {age: 7d, requests_per_week: 3}\n", 7,
              "requests_per_week", "unknown key in verification.new_account");
  ExpectError(std::string(kMinimal) + "verification:\n  new_account: {age: forever}\n", 7, "age",
              "expected a duration");
  ExpectError(std::string(kMinimal) + "verification: {trusted: yes}\n", 6, "trusted", "unknown key in verification");
}

TEST(GatewayConfigTest, Shared) {
  GatewayConfig config = ParseOk(std::string(kMinimal) + R"(shared:
  ip_prefix: {requests_per_minute: 30, output_tokens_per_minute: 1000}
  org: {tier_limits: true}
  campaign: {requests_per_day: 3, tier_limits: false}
)");
  ASSERT_EQ(config.shared.size(), 3u);
  for (const SharedLimit& shared : config.shared) {
    switch (shared.dimension) {
      case Dimension::kIpPrefix:
        EXPECT_EQ(shared.limits, (Limits{.requests_per_minute = 30, .output_tokens_per_minute = 1000}));
        EXPECT_FALSE(shared.tier_limits);
        break;
      case Dimension::kOrg:
        EXPECT_TRUE(shared.tier_limits);
        EXPECT_TRUE(shared.limits.empty());
        break;
      case Dimension::kCampaign:
        EXPECT_EQ(shared.limits, Limits{.requests_per_day = 3});
        EXPECT_FALSE(shared.tier_limits);
        break;
      default:
        ADD_FAILURE() << DimensionName(shared.dimension);
    }
  }
  ExpectError(std::string(kMinimal) + "shared:\n  country: {requests_per_minute: 5}\n", 7, "country",
              "unknown dimension");
  ExpectError(std::string(kMinimal) + "shared:\n  account: {requests_per_minute: 5}\n", 7, "account",
              "unknown dimension");
  ExpectError(std::string(kMinimal) + "shared:\n  asn: {}\n", 7, "shared.asn", "sets no limit");
  ExpectError(std::string(kMinimal) + "shared:\n  asn: {tier_limits: maybe}\n", 7, "tier_limits",
              "expected true or false");
  ExpectError(std::string(kMinimal) + "shared:\n  asn: {requests_per_hour: 5}\n", 7, "requests_per_hour",
              "unknown key in shared.asn");
  ExpectError(std::string(kMinimal) + "shared: [asn]\n", 6, "shared", "expected a mapping");
}

TEST(GatewayConfigTest, VerdictsGradedAndEstimate) {
  GatewayConfig config = ParseOk(std::string(kMinimal) + R"(verdicts:
  file: v.jsonl
  campaigns: c.json
  indicator_min_signals: 3
  indicator_action: block
  weak_indicator_action: throttle
graded:
  throttle: {requests_per_minute: 1, output_tokens_per_minute: 100}
  strip_thinking: [throttle]
  suspect_header: x-flag
estimate: {chars_per_token: 3.5}
)");
  EXPECT_EQ(config.verdicts_file, "v.jsonl");
  EXPECT_EQ(config.campaigns_file, "c.json");
  EXPECT_EQ(config.indicator_min_signals, 3);
  EXPECT_EQ(config.indicator_action, engine::Action::kBlock);
  EXPECT_EQ(config.weak_indicator_action, engine::Action::kThrottle);
  EXPECT_EQ(config.throttle_limits, (Limits{.requests_per_minute = 1, .output_tokens_per_minute = 100}));
  EXPECT_FALSE(config.strip_thinking_monitor);
  EXPECT_TRUE(config.strip_thinking_throttle);
  EXPECT_EQ(config.suspect_header, "x-flag");
  EXPECT_DOUBLE_EQ(config.chars_per_token, 3.5);

  GatewayConfig none = ParseOk(std::string(kMinimal) + "graded: {strip_thinking: []}\n");
  EXPECT_FALSE(none.strip_thinking_monitor);
  EXPECT_FALSE(none.strip_thinking_throttle);

  ExpectError(std::string(kMinimal) + "verdicts: {indicator_action: nuke}\n", 6, "indicator_action",
              "expected allow, monitor, throttle, challenge or block");
  ExpectError(std::string(kMinimal) + "verdicts: {indicator_min_signals: 0}\n", 6, "indicator_min_signals",
              "must be in [1, 16]");
  ExpectError(std::string(kMinimal) + "verdicts: {path: v.jsonl}\n", 6, "path", "unknown key in verdicts");
  ExpectError(std::string(kMinimal) + "graded:\n  strip_thinking: [monitor, block]\n", 7, "strip_thinking",
              "expected monitor or throttle");
  ExpectError(std::string(kMinimal) + "graded: {strip_thinking: monitor}\n", 6, "strip_thinking", "expected a list");
  ExpectError(std::string(kMinimal) + "graded: {throttle: {requests_per_second: 1}}\n", 6, "requests_per_second",
              "unknown key in graded.throttle");
  ExpectError(std::string(kMinimal) + "estimate: {chars_per_token: 0.1}\n", 6, "chars_per_token",
              "expected a number >= 0.5");
  ExpectError(std::string(kMinimal) + "estimate: {chars_per_token: many}\n", 6, "chars_per_token");
}

TEST(GatewayConfigTest, StructuralErrors) {
  // Unknown top-level key, with its line.
  ExpectError(std::string(kMinimal) + "treads: 4\n", 6, "treads", "unknown key in the gateway config");
  ExpectError(std::string(kMinimal) + "threads: many\n", 6, "threads", "expected an integer");
  ExpectError(std::string(kMinimal) + "threads: 0\n", 6, "threads", "must be in [1, 256]");
  ExpectError(std::string(kMinimal) + "threads: [1]\n", 6, "threads", "expected an integer");
  ExpectError(std::string(kMinimal) + "upstream: {url: http://x, timeout: 5s}\n", 6, "timeout",
              "unknown key in upstream");
  ExpectError(std::string(kMinimal) + "keys_file: k\n", 6, "keys_file", "unknown key");
  ExpectError(std::string(kMinimal) + "admin_token: [a, b]\n", 6, "admin_token", "expected a string");
  // Missing required sections.
  ExpectError("keys: {file: k}\n", 1, "tiers", "required");
  ExpectError("tiers: {levels: {t: {requests_per_day: 1}}}\n", 1, "keys", "required");
  // Not YAML, not a mapping.
  absl::StatusOr<GatewayConfig> broken = ParseGatewayConfig("keys: {file: k\ntiers: [\n", "gw.yaml");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(Message(broken.status()), StartsWith("gw.yaml:"));
  absl::StatusOr<GatewayConfig> list = ParseGatewayConfig("- a\n- b\n", "gw.yaml");
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(Message(list.status()), HasSubstr("expected a YAML mapping"));
  EXPECT_FALSE(ParseGatewayConfig("", "gw.yaml").ok());
}

}  // namespace
}  // namespace hydraguard::gateway
