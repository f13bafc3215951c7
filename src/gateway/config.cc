#include "gateway/config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "fmt/format.h"
#include "gateway/internal/json_lines.h"
#include "io/read_file.h"
#include "yaml-cpp/yaml.h"

namespace hydraguard::gateway {

Limits Limits::Min(const Limits& other) const {
  auto tighter = [](int64_t a, int64_t b) { return a == 0 ? b : b == 0 ? a : std::min(a, b); };
  return {tighter(requests_per_minute, other.requests_per_minute),
          tighter(requests_per_day, other.requests_per_day),
          tighter(input_tokens_per_minute, other.input_tokens_per_minute),
          tighter(input_tokens_per_day, other.input_tokens_per_day),
          tighter(output_tokens_per_minute, other.output_tokens_per_minute),
          tighter(output_tokens_per_day, other.output_tokens_per_day)};
}

bool Limits::empty() const { return *this == Limits{}; }

std::string_view DimensionName(Dimension dimension) {
  switch (dimension) {
    case Dimension::kAccount:
      return "account";
    case Dimension::kOrg:
      return "org";
    case Dimension::kPayment:
      return "payment";
    case Dimension::kIpPrefix:
      return "ip_prefix";
    case Dimension::kAsn:
      return "asn";
    case Dimension::kCampaign:
      return "campaign";
  }
  return "?";
}

namespace {

// Errors name the origin, line and key.
class Reader {
 public:
  explicit Reader(std::string_view origin) : origin_(origin) {}

  absl::Status Error(const YAML::Node& node, std::string_view key, std::string_view reason) const {
    return absl::InvalidArgumentError(fmt::format("{}:{}: {}: {}", origin_, node.Mark().line + 1, key, reason));
  }

  // Every key of `map` must be in `allowed`.
  absl::Status Keys(const YAML::Node& map, std::string_view where,
                    std::initializer_list<std::string_view> allowed) const {
    if (!map.IsMap()) return Error(map, where, "expected a mapping");
    for (const auto& entry : map) {
      std::string key = entry.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return Error(entry.first, key, fmt::format("unknown key in {}", where));
      }
    }
    return absl::OkStatus();
  }

  absl::Status String(const YAML::Node& map, std::string_view key, std::string* out) const {
    const YAML::Node node = map[std::string(key)];
    if (!node) return absl::OkStatus();
    if (!node.IsScalar()) return Error(node, key, "expected a string");
    *out = node.as<std::string>();
    return absl::OkStatus();
  }

  absl::Status Int(const YAML::Node& map, std::string_view key, int64_t min, int64_t max, int64_t* out) const {
    const YAML::Node node = map[std::string(key)];
    if (!node) return absl::OkStatus();
    int64_t value = 0;
    if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value))
      return Error(node, key, "expected an integer");
    if (value < min || value > max) return Error(node, key, fmt::format("must be in [{}, {}]", min, max));
    *out = value;
    return absl::OkStatus();
  }

  absl::Status Double(const YAML::Node& map, std::string_view key, double min, double* out) const {
    const YAML::Node node = map[std::string(key)];
    if (!node) return absl::OkStatus();
    double value = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !std::isfinite(value) || value < min) {
      return Error(node, key, fmt::format("expected a number >= {}", min));
    }
    *out = value;
    return absl::OkStatus();
  }

  absl::Status Bool(const YAML::Node& map, std::string_view key, bool* out) const {
    const YAML::Node node = map[std::string(key)];
    if (!node) return absl::OkStatus();
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, *out)) return Error(node, key, "expected true or false");
    return absl::OkStatus();
  }

  // "250ms", "90s", "5m", "1h", "7d".
  absl::Status Duration(const YAML::Node& map, std::string_view key, int64_t* out_ms) const {
    const YAML::Node node = map[std::string(key)];
    if (!node) return absl::OkStatus();
    std::string text = node.IsScalar() ? node.as<std::string>() : "";
    std::string_view rest = text;
    int64_t value = 0;
    auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    std::string_view unit(end, rest.data() + rest.size() - end);
    int64_t scale = unit == "ms"  ? 1
                    : unit == "s" ? 1000
                    : unit == "m" ? 60'000
                    : unit == "h" ? 3'600'000
                    : unit == "d" ? 86'400'000
                                  : 0;
    if (error != std::errc() || value < 0 || scale == 0 || value > INT64_MAX / scale) {
      return Error(node, key, "expected a duration like 250ms, 90s, 5m, 1h or 7d");
    }
    *out_ms = value * scale;
    return absl::OkStatus();
  }

  // "10MiB", "64KiB", "512".
  absl::Status Size(const YAML::Node& map, std::string_view key, int64_t* out) const {
    const YAML::Node node = map[std::string(key)];
    if (!node) return absl::OkStatus();
    std::string text = node.IsScalar() ? node.as<std::string>() : "";
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    std::string_view unit(end, text.data() + text.size() - end);
    int64_t scale = unit.empty() || unit == "B" ? 1
                    : unit == "KiB"             ? 1 << 10
                    : unit == "MiB"             ? 1 << 20
                    : unit == "GiB"             ? 1 << 30
                                                : 0;
    if (error != std::errc() || value <= 0 || scale == 0 || value > INT64_MAX / scale) {
      return Error(node, key, "expected a size like 512, 64KiB or 10MiB");
    }
    *out = value * scale;
    return absl::OkStatus();
  }

  absl::Status ActionValue(const YAML::Node& map, std::string_view key, engine::Action* out) const {
    std::string text;
    if (absl::Status status = String(map, key, &text); !status.ok() || text.empty()) return status;
    std::optional<engine::Action> action = engine::ParseAction(text);
    if (!action) return Error(map[std::string(key)], key, "expected allow, monitor, throttle, challenge or block");
    *out = *action;
    return absl::OkStatus();
  }

  static constexpr std::string_view kLimitKeys[] = {"requests_per_minute",      "requests_per_day",
                                                    "input_tokens_per_minute",  "input_tokens_per_day",
                                                    "output_tokens_per_minute", "output_tokens_per_day"};

  absl::Status LimitsIn(const YAML::Node& map, Limits* out) const {
    constexpr int64_t kMax = int64_t{1} << 50;
    for (auto [key, field] : {std::pair{"requests_per_minute", &out->requests_per_minute},
                              std::pair{"requests_per_day", &out->requests_per_day},
                              std::pair{"input_tokens_per_minute", &out->input_tokens_per_minute},
                              std::pair{"input_tokens_per_day", &out->input_tokens_per_day},
                              std::pair{"output_tokens_per_minute", &out->output_tokens_per_minute},
                              std::pair{"output_tokens_per_day", &out->output_tokens_per_day}}) {
      if (absl::Status status = Int(map, key, 0, kMax, field); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

  // A mapping holding only limit keys, plus `extra`.
  absl::Status LimitsMap(const YAML::Node& map, std::string_view where, std::initializer_list<std::string_view> extra,
                         Limits* out) const {
    std::vector<std::string_view> allowed(std::begin(kLimitKeys), std::end(kLimitKeys));
    allowed.insert(allowed.end(), extra);
    if (!map.IsMap()) return Error(map, where, "expected a mapping");
    for (const auto& entry : map) {
      std::string key = entry.first.as<std::string>();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return Error(entry.first, key, fmt::format("unknown key in {}", where));
      }
    }
    return LimitsIn(map, out);
  }

 private:
  std::string origin_;
};

absl::Status ParseListen(const Reader& reader, const YAML::Node& root, GatewayConfig* config) {
  std::string listen;
  if (absl::Status status = reader.String(root, "listen", &listen); !status.ok() || listen.empty()) return status;
  size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    std::string_view digits = std::string_view(listen).substr(colon + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (error != std::errc() || end != digits.data() + digits.size()) port = -1;
  }
  if (port < 0 || port > 65535 || colon == 0)
    return reader.Error(root["listen"], "listen", "expected HOST:PORT (port 0 picks a free one)");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  config->listen_host = host;
  config->listen_port = port;
  return absl::OkStatus();
}

absl::Status ParseTiers(const Reader& reader, const YAML::Node& node, GatewayConfig* config) {
  if (absl::Status status = reader.Keys(node, "tiers", {"default", "levels"}); !status.ok()) return status;
  if (absl::Status status = reader.String(node, "default", &config->default_tier); !status.ok()) return status;
  const YAML::Node levels = node["levels"];
  if (!levels || !levels.IsMap() || levels.size() == 0)
    return reader.Error(node, "tiers.levels", "expected a mapping of tier names");
  for (const auto& entry : levels) {
    Tier tier;
    tier.name = entry.first.as<std::string>();
    const YAML::Node& body = entry.second;
    if (absl::Status status = reader.LimitsMap(body, "tier " + tier.name,
                                               {"verify_models", "verify_above_requests_per_day"}, &tier.limits);
        !status.ok()) {
      return status;
    }
    if (const YAML::Node models = body["verify_models"]) {
      if (!models.IsSequence()) return reader.Error(models, "verify_models", "expected a list of model names");
      for (const auto& model : models) tier.verify_models.push_back(model.as<std::string>());
    }
    if (absl::Status status =
            reader.Int(body, "verify_above_requests_per_day", 0, INT64_MAX, &tier.verify_above_requests_per_day);
        !status.ok()) {
      return status;
    }
    config->tiers[tier.name] = std::move(tier);
  }
  if (config->default_tier.empty()) config->default_tier = config->tiers.begin()->first;
  if (!config->tiers.contains(config->default_tier)) {
    return reader.Error(node["default"], "tiers.default", fmt::format("no tier named \"{}\"", config->default_tier));
  }
  return absl::OkStatus();
}

absl::Status ParseShared(const Reader& reader, const YAML::Node& node, GatewayConfig* config) {
  if (!node.IsMap()) return reader.Error(node, "shared", "expected a mapping of dimensions");
  for (const auto& entry : node) {
    std::string name = entry.first.as<std::string>();
    std::optional<Dimension> dimension;
    for (int index = 0; index < kDimensionCount; ++index) {
      if (DimensionName(static_cast<Dimension>(index)) == name) dimension = static_cast<Dimension>(index);
    }
    if (!dimension || *dimension == Dimension::kAccount) {
      return reader.Error(entry.first, name, "unknown dimension: expected org, payment, ip_prefix, asn or campaign");
    }
    SharedLimit shared{.dimension = *dimension};
    if (absl::Status status = reader.LimitsMap(entry.second, "shared." + name, {"tier_limits"}, &shared.limits);
        !status.ok()) {
      return status;
    }
    if (absl::Status status = reader.Bool(entry.second, "tier_limits", &shared.tier_limits); !status.ok())
      return status;
    if (!shared.tier_limits && shared.limits.empty()) {
      return reader.Error(entry.second, "shared." + name, "sets no limit (give limits or tier_limits: true)");
    }
    config->shared.push_back(shared);
  }
  return absl::OkStatus();
}

absl::Status ParseRedis(const Reader& reader, const YAML::Node& node, RedisSettings* redis) {
  if (absl::Status status = reader.Keys(node, "redis",
                                        {"host", "port", "password", "timeout", "on_failure", "refresh", "stream",
                                         "stream_maxlen", "stream_buffer", "stream_buffer_bytes", "verdicts_hash"});
      !status.ok()) {
    return status;
  }
  int64_t port = redis->port, timeout = redis->timeout_ms;
  std::string on_failure;
  for (absl::Status status :
       {reader.String(node, "host", &redis->host), reader.Int(node, "port", 1, 65535, &port),
        reader.String(node, "password", &redis->password), reader.Duration(node, "timeout", &timeout),
        reader.String(node, "on_failure", &on_failure), reader.Duration(node, "refresh", &redis->refresh_ms),
        reader.String(node, "stream", &redis->stream),
        reader.Int(node, "stream_maxlen", 1, INT64_MAX, &redis->stream_maxlen),
        reader.Int(node, "stream_buffer", 0, int64_t{1} << 30, &redis->stream_buffer),
        reader.Size(node, "stream_buffer_bytes", &redis->stream_buffer_bytes),
        reader.String(node, "verdicts_hash", &redis->verdicts_hash)}) {
    if (!status.ok()) return status;
  }
  redis->port = static_cast<int>(port);
  redis->timeout_ms = static_cast<int>(std::clamp<int64_t>(timeout, 1, 60'000));
  if (on_failure == "closed") {
    redis->failure = FailureMode::kClosed;
  } else if (on_failure == "open" || on_failure.empty()) {
    redis->failure = FailureMode::kOpen;
  } else {
    return reader.Error(node["on_failure"], "on_failure", "expected open or closed");
  }
  return absl::OkStatus();
}

absl::Status ParseRoot(const Reader& reader, const YAML::Node& root, GatewayConfig* config) {
  if (absl::Status status =
          reader.Keys(root, "the gateway config",
                      {"listen",          "threads",          "upstream",    "max_body", "client_timeout",
                       "admin_token",     "admin_token_file", "events_file", "events",   "keys",
                       "trusted_proxies", "client_headers",   "state",       "redis",    "tiers",
                       "verification",    "shared",           "estimate",    "verdicts", "graded"});
      !status.ok()) {
    return status;
  }
  if (absl::Status status = ParseListen(reader, root, config); !status.ok()) return status;
  int64_t threads = config->threads;
  if (absl::Status status = reader.Int(root, "threads", 1, 256, &threads); !status.ok()) return status;
  config->threads = static_cast<int>(threads);
  if (const YAML::Node upstream = root["upstream"]) {
    for (absl::Status status :
         {reader.Keys(upstream, "upstream", {"url", "connect_timeout", "response_timeout", "max_idle", "idle_timeout"}),
          reader.String(upstream, "url", &config->upstream_url),
          reader.Duration(upstream, "connect_timeout", &config->upstream_connect_timeout_ms),
          reader.Duration(upstream, "response_timeout", &config->upstream_response_timeout_ms),
          reader.Int(upstream, "max_idle", 0, 100'000, &config->upstream_max_idle),
          reader.Duration(upstream, "idle_timeout", &config->upstream_idle_timeout_ms)}) {
      if (!status.ok()) return status;
    }
  }
  if (absl::Status status = reader.Size(root, "max_body", &config->max_body_bytes); !status.ok()) return status;
  if (absl::Status status = reader.Duration(root, "client_timeout", &config->client_timeout_ms); !status.ok())
    return status;
  if (absl::Status status = reader.String(root, "admin_token", &config->admin_token); !status.ok()) return status;
  if (absl::Status status = reader.String(root, "events_file", &config->events_file); !status.ok()) return status;
  if (const YAML::Node events = root["events"]) {
    std::string prompts, file;
    for (absl::Status status :
         {reader.Keys(events, "events", {"file", "prompts", "prompt_bytes"}), reader.String(events, "file", &file),
          reader.String(events, "prompts", &prompts),
          reader.Int(events, "prompt_bytes", 16, int64_t{1} << 24, &config->event_prompts.max_bytes)}) {
      if (!status.ok()) return status;
    }
    if (!file.empty() && !config->events_file.empty()) {
      return reader.Error(events["file"], "events.file", "events_file is set too: keep one");
    }
    if (!file.empty()) config->events_file = file;
    if (prompts.empty() || prompts == "full") {
      config->event_prompts.storage = PromptStorage::kFull;
    } else if (prompts == "truncate") {
      config->event_prompts.storage = PromptStorage::kTruncate;
    } else if (prompts == "hash") {
      config->event_prompts.storage = PromptStorage::kHash;
    } else if (prompts == "off") {
      config->event_prompts.storage = PromptStorage::kOff;
    } else {
      return reader.Error(events["prompts"], "events.prompts", "expected full, truncate, hash or off");
    }
  }
  std::string token_file;
  if (absl::Status status = reader.String(root, "admin_token_file", &token_file); !status.ok()) return status;
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = io::ReadFile(token_file);
    if (!token.ok())
      return reader.Error(root["admin_token_file"], "admin_token_file", internal::Message(token.status()));
    config->admin_token = std::string(absl::StripAsciiWhitespace(*token));
  }
  if (const YAML::Node keys = root["keys"]) {
    for (absl::Status status :
         {reader.Keys(keys, "keys", {"file", "redis_hash"}), reader.String(keys, "file", &config->keys_file),
          reader.String(keys, "redis_hash", &config->redis.keys_hash)}) {
      if (!status.ok()) return status;
    }
  }
  if (const YAML::Node proxies = root["trusted_proxies"]) {
    if (!proxies.IsSequence()) return reader.Error(proxies, "trusted_proxies", "expected a list of CIDR prefixes");
    for (const auto& entry : proxies) {
      std::string text = entry.as<std::string>();
      if (text.find('/') == std::string::npos) text += text.find(':') == std::string::npos ? "/32" : "/128";
      std::optional<ingest::IpPrefix> prefix = ingest::IpAddress::ParseCidr(text);
      if (!prefix)
        return reader.Error(entry, "trusted_proxies", fmt::format("\"{}\" is not an address or CIDR prefix", text));
      config->trusted_proxies.push_back(*prefix);
    }
  }
  if (const YAML::Node headers = root["client_headers"]) {
    for (absl::Status status :
         {reader.Keys(headers, "client_headers", {"asn", "tls", "country"}),
          reader.String(headers, "asn", &config->asn_header), reader.String(headers, "tls", &config->tls_header),
          reader.String(headers, "country", &config->country_header)}) {
      if (!status.ok()) return status;
    }
    for (std::string* header : {&config->asn_header, &config->tls_header, &config->country_header}) {
      *header = absl::AsciiStrToLower(*header);
    }
  }
  std::string state = "memory";
  if (absl::Status status = reader.String(root, "state", &state); !status.ok()) return status;
  if (state != "memory" && state != "redis") return reader.Error(root["state"], "state", "expected memory or redis");
  config->use_redis = state == "redis";
  if (const YAML::Node redis = root["redis"]) {
    if (absl::Status status = ParseRedis(reader, redis, &config->redis); !status.ok()) return status;
  }
  if (!config->use_redis && !config->redis.keys_hash.empty()) {
    return reader.Error(root["keys"], "keys.redis_hash", "needs state: redis");
  }
  if (const YAML::Node tiers = root["tiers"]) {
    if (absl::Status status = ParseTiers(reader, tiers, config); !status.ok()) return status;
  } else {
    return reader.Error(root, "tiers", "required: at least one tier with its limits");
  }
  if (const YAML::Node verification = root["verification"]) {
    if (absl::Status status =
            reader.Keys(verification, "verification", {"verified_level", "unverified", "new_account"});
        !status.ok()) {
      return status;
    }
    std::string level;
    if (absl::Status status = reader.String(verification, "verified_level", &level); !status.ok()) return status;
    if (!level.empty()) {
      std::optional<ingest::Verification> parsed = ingest::ParseVerification(level);
      if (!parsed)
        return reader.Error(verification["verified_level"], "verified_level",
                            "expected none, email, phone, payment, id or enterprise");
      config->verified_level = *parsed;
    }
    if (const YAML::Node unverified = verification["unverified"]) {
      if (absl::Status status = reader.LimitsMap(unverified, "verification.unverified", {}, &config->unverified_limits);
          !status.ok()) {
        return status;
      }
    }
    if (const YAML::Node young = verification["new_account"]) {
      if (absl::Status status =
              reader.LimitsMap(young, "verification.new_account", {"age"}, &config->new_account_limits);
          !status.ok()) {
        return status;
      }
      if (absl::Status status = reader.Duration(young, "age", &config->new_account_ms); !status.ok()) return status;
    }
  }
  if (const YAML::Node shared = root["shared"]) {
    if (absl::Status status = ParseShared(reader, shared, config); !status.ok()) return status;
  }
  if (const YAML::Node estimate = root["estimate"]) {
    if (absl::Status status = reader.Keys(estimate, "estimate", {"chars_per_token", "default_output_tokens"});
        !status.ok()) {
      return status;
    }
    if (absl::Status status =
            reader.Int(estimate, "default_output_tokens", 0, int64_t{1} << 30, &config->default_output_tokens);
        !status.ok()) {
      return status;
    }
    if (absl::Status status = reader.Double(estimate, "chars_per_token", 0.5, &config->chars_per_token); !status.ok())
      return status;
  }
  if (const YAML::Node verdicts = root["verdicts"]) {
    int64_t min_signals = config->indicator_min_signals;
    for (absl::Status status :
         {reader.Keys(verdicts, "verdicts",
                      {"file", "campaigns", "indicator_min_signals", "indicator_action", "weak_indicator_action"}),
          reader.String(verdicts, "file", &config->verdicts_file),
          reader.String(verdicts, "campaigns", &config->campaigns_file),
          reader.Int(verdicts, "indicator_min_signals", 1, 16, &min_signals),
          reader.ActionValue(verdicts, "indicator_action", &config->indicator_action),
          reader.ActionValue(verdicts, "weak_indicator_action", &config->weak_indicator_action)}) {
      if (!status.ok()) return status;
    }
    config->indicator_min_signals = static_cast<int>(min_signals);
  }
  if (const YAML::Node graded = root["graded"]) {
    if (absl::Status status = reader.Keys(graded, "graded", {"throttle", "strip_thinking", "suspect_header"});
        !status.ok()) {
      return status;
    }
    if (const YAML::Node throttle = graded["throttle"]) {
      config->throttle_limits = Limits{};
      if (absl::Status status = reader.LimitsMap(throttle, "graded.throttle", {}, &config->throttle_limits);
          !status.ok()) {
        return status;
      }
    }
    if (const YAML::Node strip = graded["strip_thinking"]) {
      if (!strip.IsSequence())
        return reader.Error(strip, "strip_thinking", "expected a list of actions (monitor, throttle)");
      config->strip_thinking_monitor = config->strip_thinking_throttle = false;
      for (const auto& entry : strip) {
        std::string action = entry.as<std::string>();
        if (action == "monitor") {
          config->strip_thinking_monitor = true;
        } else if (action == "throttle") {
          config->strip_thinking_throttle = true;
        } else {
          return reader.Error(entry, "strip_thinking", "expected monitor or throttle");
        }
      }
    }
    if (absl::Status status = reader.String(graded, "suspect_header", &config->suspect_header); !status.ok())
      return status;
  }
  if (!config->use_redis && config->keys_file.empty()) {
    return reader.Error(root, "keys", "required: keys.file (or keys.redis_hash with state: redis)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GatewayConfig> ParseGatewayConfig(std::string_view yaml_text, std::string_view origin) {
  GatewayConfig config;
  Reader reader(origin);
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root.IsMap()) return absl::InvalidArgumentError(fmt::format("{}: expected a YAML mapping", origin));
    if (absl::Status status = ParseRoot(reader, root, &config); !status.ok()) return status;
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(fmt::format("{}:{}: {}", origin, error.mark.line + 1, error.msg));
  }
  if (config.use_redis && config.redis.keys_hash.empty() && config.keys_file.empty()) {
    return absl::InvalidArgumentError(fmt::format("{}: keys: give keys.file or keys.redis_hash", origin));
  }
  return config;
}

absl::StatusOr<GatewayConfig> LoadGatewayConfig(const std::string& path) {
  absl::StatusOr<std::string> text = io::ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseGatewayConfig(*text, path);
}

std::string_view PromptStorageName(PromptStorage storage) {
  switch (storage) {
    case PromptStorage::kFull:
      return "full";
    case PromptStorage::kTruncate:
      return "truncate";
    case PromptStorage::kHash:
      return "hash";
    case PromptStorage::kOff:
      return "off";
  }
  return "full";
}

std::string_view ExampleGatewayConfig() {
  return R"(# hydraguard serve --config gateway.yaml  (docs/gateway.md explains every key)
listen: 127.0.0.1:8080          # HOST:PORT; port 0 picks a free port (printed at start)
threads: 2
upstream:                       # omit for check-only mode (nginx auth_request / JSON check)
  url: http://127.0.0.1:9000    # http:// or https://
  connect_timeout: 5s
  response_timeout: 10m         # longest silence between bytes of a response
  max_idle: 32                  # kept-alive connections per thread (0: a new connection per request)
  idle_timeout: 4s              # below the upstream's own (uvicorn, Node: 5s)
max_body: 10MiB                 # larger request bodies get 413
client_timeout: 30s             # to receive a whole request (slow clients get 408)
# admin_token_file: /etc/hydraguard/admin.token   # enables /admin/* (Bearer token)
events:                         # every request's event (schema v1), in the Redis stream and/or a file
  # file: events.jsonl          # created 0600: events carry prompt text
  prompts: full                 # full | truncate | hash | off: how much prompt text events keep
  prompt_bytes: 2048            # with truncate (docs/gateway.md: what detection loses at each level)
keys:
  file: keys.jsonl              # {"key":..,"account":..,"org":..,"tier":..,"verified":..,"created":..,"payment":..}
  # redis_hash: hg:keys         # with state: redis
trusted_proxies: [127.0.0.1/32] # X-Forwarded-For and client headers are honoured only from these
client_headers: {asn: x-client-asn, tls: x-client-ja4, country: x-client-country}
state: memory                   # memory (one node) or redis (replicas share limits)
redis:
  host: 127.0.0.1
  port: 6379
  timeout: 200ms
  on_failure: open              # open: serve without shared limits; closed: refuse (503)
  refresh: 5s                   # verdicts and keys re-read this often
  stream: hg:events             # every request's event (schema v1) for the engine
  stream_maxlen: 1000000
  stream_buffer: 100000         # events held in memory while Redis is away
  stream_buffer_bytes: 256MiB   # and bytes of them (an event carries its prompt)
tiers:
  default: build
  levels:
    free:  {requests_per_minute: 5, requests_per_day: 200, input_tokens_per_minute: 20000, output_tokens_per_minute: 4000, verify_models: ["claude-opus*"]}
    build: {requests_per_minute: 50, requests_per_day: 20000, input_tokens_per_minute: 200000, output_tokens_per_minute: 40000, verify_above_requests_per_day: 5000}
    scale: {requests_per_minute: 1000, input_tokens_per_minute: 2000000, output_tokens_per_minute: 400000}
verification:
  verified_level: payment       # at least this counts as verified
  unverified: {requests_per_minute: 5, requests_per_day: 100, output_tokens_per_day: 50000}
  new_account: {age: 7d, requests_per_day: 500}
shared:                         # one limit across every account sharing the value
  payment: {tier_limits: true}
  ip_prefix: {requests_per_minute: 300, requests_per_day: 50000}
  asn: {requests_per_minute: 3000}
  org: {tier_limits: true}
  campaign: {requests_per_day: 100}
estimate: {chars_per_token: 4, default_output_tokens: 1024}  # the latter when a request sets no max_tokens
verdicts:
  file: verdicts.jsonl          # hydraguard detect --verdicts
  campaigns: campaigns.json     # hydraguard detect --campaigns (indicators)
  indicator_min_signals: 2
  indicator_action: challenge   # when that many indicator signals match
  weak_indicator_action: monitor
graded:
  throttle: {requests_per_minute: 2}
  strip_thinking: [monitor, throttle]
  suspect_header: x-hydraguard-suspect
)";
}

}  // namespace hydraguard::gateway
