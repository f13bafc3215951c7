#include "server/gateway_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "fmt/format.h"
#include "gateway/internal/json_lines.h"
#include "gateway/memory_limiter.h"
#include "server/log.h"

namespace hydraguard::server {
namespace {

// Sends `commands` in one round trip; an error if it fails or any reply is one.
absl::Status RunAll(redis::RedisClient& redis, const std::vector<std::vector<std::string>>& commands) {
  absl::StatusOr<std::vector<redis::Reply>> replies = redis.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& reply : *replies) {
    if (reply.is_error()) return absl::InternalError("redis: " + std::string(reply.str()));
  }
  return absl::OkStatus();
}

// Modification time in ns, or -1 when the file cannot be read.
int64_t ModifiedNs(const std::string& path) {
  struct stat info;
  if (path.empty() || ::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
}

std::string Text(const absl::Status& status) { return std::string(gateway::internal::Message(status)); }

}  // namespace

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

GatewayState::GatewayState(const gateway::GatewayConfig& config, Clock now_ms)
    : config_(config), now_ms_(std::move(now_ms)) {}

absl::StatusOr<std::unique_ptr<GatewayState>> GatewayState::Create(const gateway::GatewayConfig& config, Clock now_ms) {
  std::unique_ptr<GatewayState> state(new GatewayState(config, now_ms ? std::move(now_ms) : Clock(&SystemNowMs)));
  const gateway::GatewayConfig& settings = state->config_;
  if (settings.use_redis) {
    state->redis_options_ = redis::RedisOptions{
        .host = settings.redis.host,
        .port = settings.redis.port,
        .password = settings.redis.password,
        .connect_timeout_ms = settings.redis.timeout_ms,
        .command_timeout_ms = settings.redis.timeout_ms,
        .pool_size = std::max(8, settings.threads * 2),
    };
    state->redis_ = std::make_unique<redis::RedisClient>(state->redis_options_);
    if (settings.redis.stream_buffer > 0) {
      state->stream_ = std::make_unique<redis::EventStream>(
          *state->redis_,
          redis::EventStreamOptions{.stream = settings.redis.stream,
                                    .maxlen = settings.redis.stream_maxlen,
                                    .capacity = static_cast<size_t>(settings.redis.stream_buffer),
                                    .capacity_bytes = static_cast<size_t>(settings.redis.stream_buffer_bytes)});
    }
  } else {
    state->memory_limiter_ = std::make_unique<gateway::MemoryLimiter>();
  }
  state->policy_ = std::make_unique<gateway::Policy>(settings);
  if (!settings.events_file.empty()) {
    // Events carry prompt text: readable by the gateway's user alone.
    int fd = ::open(settings.events_file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) state->events_file_ = ::fdopen(fd, "a");
    if (state->events_file_ == nullptr) {
      if (fd >= 0) ::close(fd);
      return absl::InvalidArgumentError(
          fmt::format("{}: cannot open for appending: {}", settings.events_file, std::strerror(errno)));
    }
    struct stat info;
    if (::fstat(fd, &info) == 0 && (info.st_mode & 077) != 0 &&
        settings.event_prompts.storage != gateway::PromptStorage::kOff) {
      Log(LogLevel::kWarn, "events_file is readable by other users, and events carry prompt text",
          {{"file", settings.events_file}, {"mode", fmt::format("{:o}", info.st_mode & 0777)}});
    }
  }
  // Files must be right at start-up; Redis may be away (fail-open/closed
  // applies, and the refresh thread keeps trying).
  if (absl::Status status = state->LoadKeys(true);
      !status.ok() && !(settings.use_redis && absl::IsUnavailable(status))) {
    return status;
  }
  if (absl::Status status = state->LoadVerdicts(true);
      !status.ok() && !(settings.use_redis && absl::IsUnavailable(status))) {
    return status;
  }
  if (!gateway::Policy::TextIndicatorsAvailable()) {
    Log(LogLevel::kWarn, "prompt text indicators unavailable: the engine's signals are not linked in");
  }
  state->AddGauges();
  state->refresh_thread_ = std::thread([raw = state.get()] { raw->RefreshLoop(); });
  return state;
}

GatewayState::~GatewayState() {
  {
    std::lock_guard lock(refresh_mutex_);
    stopping_ = true;
  }
  refresh_wake_.notify_all();
  if (refresh_thread_.joinable()) refresh_thread_.join();
  stream_.reset();  // flushes what it can before the client goes
  if (events_file_ != nullptr) std::fclose(events_file_);
}

std::shared_ptr<const gateway::KeyTable> GatewayState::keys() const {
  std::lock_guard lock(mutex_);
  return keys_;
}

void GatewayState::RecordEvent(std::string line) {
  if (events_file_ != nullptr) {
    std::lock_guard lock(events_mutex_);
    std::fwrite(line.data(), 1, line.size(), events_file_);
    std::fputc('\n', events_file_);
    std::fflush(events_file_);
  }
  if (stream_) stream_->Append(std::move(line));
}

absl::Status GatewayState::LoadKeys(bool force) {
  gateway::KeyTable table;
  if (!config_.redis.keys_hash.empty()) {
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> entries =
        redis_->HashGetAll(config_.redis.keys_hash);
    if (!entries.ok()) return entries.status();
    absl::StatusOr<gateway::KeyTable> parsed =
        gateway::KeyTable::FromHashEntries(*entries, "redis hash " + config_.redis.keys_hash);
    if (!parsed.ok()) return parsed.status();
    table = *std::move(parsed);
  }
  if (!config_.keys_file.empty()) {
    int64_t mtime = ModifiedNs(config_.keys_file);
    {
      std::lock_guard lock(mutex_);
      if (!force && config_.redis.keys_hash.empty() && mtime == keys_mtime_) return absl::OkStatus();
    }
    absl::StatusOr<gateway::KeyTable> parsed = gateway::KeyTable::LoadFile(config_.keys_file);
    if (!parsed.ok()) return parsed.status();
    if (table.size() == 0) {
      table = *std::move(parsed);
    } else {
      return absl::InvalidArgumentError("keys: give keys.file or keys.redis_hash, not both");
    }
    std::lock_guard lock(mutex_);
    keys_mtime_ = mtime;
  }
  auto shared = std::make_shared<const gateway::KeyTable>(std::move(table));
  std::lock_guard lock(mutex_);
  keys_ = std::move(shared);
  return absl::OkStatus();
}

absl::Status GatewayState::LoadVerdicts(bool force) {
  int64_t verdicts_mtime = ModifiedNs(config_.verdicts_file), campaigns_mtime = ModifiedNs(config_.campaigns_file);
  bool files_changed;
  {
    std::lock_guard lock(mutex_);
    files_changed = force || verdicts_mtime != verdicts_mtime_ || campaigns_mtime != campaigns_mtime_;
  }
  if (!files_changed && !redis_) return absl::OkStatus();
  absl::StatusOr<gateway::VerdictSet> base =
      gateway::VerdictSet::FromEngineFiles(config_.verdicts_file, config_.campaigns_file);
  if (!base.ok()) return base.status();
  absl::Status redis_status;
  if (redis_) {
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> entries =
        redis_->HashGetAll(config_.redis.verdicts_hash);
    // Verdicts of the engine's files that an operator deleted on any replica.
    absl::StatusOr<redis::Reply> removed = redis_->Command({"SMEMBERS", RemovedVerdictsKey()});
    if (entries.ok() && removed.ok() && !removed->is_array()) {
      entries = absl::InternalError("redis " + RemovedVerdictsKey() + ": not a set");
    } else if (entries.ok() && !removed.ok()) {
      entries = removed.status();
    }
    if (entries.ok()) {
      for (size_t index = 0; index < removed->size(); ++index) {
        std::string_view field = removed->element(index).str();
        size_t colon = field.find(':');
        if (colon != std::string_view::npos) base->Remove(field.substr(0, colon), field.substr(colon + 1));
      }
      absl::StatusOr<gateway::VerdictSet> shared =
          gateway::VerdictSet::FromHashEntries(*entries, "redis hash " + config_.redis.verdicts_hash);
      if (!shared.ok()) return shared.status();
      base->Merge(*shared);
    } else {
      // Keep the last verdicts Redis gave: a blip must not forget them.
      redis_status = entries.status();
      if (!files_changed) return redis_status;
      std::shared_ptr<const gateway::VerdictSet> current = verdicts_.Snapshot();
      base->Merge(*current);
    }
  }
  // A Redis hash read in full holds every replica's admin writes: it replaces
  // local ones (so a verdict another replica deleted is deleted here too).
  verdicts_.ReplaceBase(*std::move(base), redis_ != nullptr && redis_status.ok());
  std::lock_guard lock(mutex_);
  verdicts_mtime_ = verdicts_mtime;
  campaigns_mtime_ = campaigns_mtime;
  return redis_status;
}

absl::Status GatewayState::Reload() {
  absl::Status keys = LoadKeys(false);
  absl::Status verdicts = LoadVerdicts(false);
  if (!keys.ok()) return keys;
  return verdicts;
}

void GatewayState::RefreshLoop() {
  const auto interval = std::chrono::milliseconds(config_.use_redis ? config_.redis.refresh_ms : 2'000);
  bool redis_was_healthy = true;
  std::unique_lock lock(refresh_mutex_);
  while (!stopping_) {
    refresh_wake_.wait_for(lock, interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    absl::Status status = Reload();
    if (!status.ok()) metrics_.CountRefreshError();
    if (redis_ && RedisHealthy() != redis_was_healthy) {
      // Say it once per change, not once per refresh.
      redis_was_healthy = !redis_was_healthy;
      if (redis_was_healthy) {
        Log(LogLevel::kInfo, "redis reachable again: shared limits, verdicts and the event stream resume",
            {{"redis", redis_->endpoint()}});
      } else {
        Log(LogLevel::kError,
            config_.redis.failure == gateway::FailureMode::kOpen
                ? "redis unreachable: serving fail-open (no shared limits), events buffered"
                : "redis unreachable: refusing requests (fail-closed), events buffered",
            {{"redis", redis_->endpoint()}, {"error", RedisLastError()}});
      }
    } else if (!status.ok()) {
      Log(LogLevel::kWarn, "reload of keys or verdicts failed; keeping the last good ones", {{"error", Text(status)}});
    }
    lock.lock();
  }
}

absl::Status GatewayState::SetVerdict(std::string_view kind, std::string_view value, gateway::VerdictEntry entry) {
  if (redis_) {
    std::string field = std::string(kind) + ":" + std::string(value);
    if (absl::Status status = RunAll(*redis_, {{"HSET", config_.redis.verdicts_hash, field, entry.ToJson()},
                                               {"SREM", RemovedVerdictsKey(), field}});
        !status.ok()) {
      return status;
    }
  }
  return verdicts_.SetOverride(kind, value, std::move(entry));
}

absl::Status GatewayState::RemoveVerdict(std::string_view kind, std::string_view value, bool* existed) {
  if (redis_) {
    // The hash holds admin writes; a verdict from the engine's files is
    // removed on every replica, and at every refresh, through the set.
    std::string field = std::string(kind) + ":" + std::string(value);
    if (absl::Status status =
            RunAll(*redis_, {{"HDEL", config_.redis.verdicts_hash, field}, {"SADD", RemovedVerdictsKey(), field}});
        !status.ok()) {
      return status;
    }
  }
  *existed = verdicts_.RemoveOverride(kind, value);
  return absl::OkStatus();
}

std::string GatewayState::RemovedVerdictsKey() const { return config_.redis.verdicts_hash + ":removed"; }

void GatewayState::WatchRedisConnection(const redis::AsyncConnection* connection) {
  std::lock_guard lock(watched_mutex_);
  watched_.push_back(connection);
}

void GatewayState::ForgetRedisConnections() {
  std::lock_guard lock(watched_mutex_);
  watched_.clear();
}

bool GatewayState::RedisHealthy() const {
  std::lock_guard lock(watched_mutex_);
  return redis_->healthy() &&
         std::all_of(watched_.begin(), watched_.end(),
                     [](const redis::AsyncConnection* connection) { return connection->healthy(); });
}

uint64_t GatewayState::RedisErrors() const {
  std::lock_guard lock(watched_mutex_);
  uint64_t errors = redis_->errors();
  for (const redis::AsyncConnection* connection : watched_) errors += connection->errors();
  return errors;
}

std::string GatewayState::RedisLastError() const {
  std::lock_guard lock(watched_mutex_);
  for (const redis::AsyncConnection* connection : watched_) {
    if (!connection->healthy()) return connection->last_error();
  }
  return redis_->last_error();
}

void GatewayState::AddGauges() {
  if (redis_) {
    metrics_.AddGauge("hydraguard_redis_up", "1 when the last Redis call succeeded.",
                      [this] { return RedisHealthy() ? 1.0 : 0.0; });
    metrics_.AddCounter("hydraguard_redis_errors_total", "Redis connection failures.",
                        [this] { return static_cast<double>(RedisErrors()); });
  }
  if (stream_) {
    metrics_.AddGauge("hydraguard_stream_backlog", "Events buffered for the Redis stream.",
                      [this] { return static_cast<double>(stream_->backlog()); });
    metrics_.AddCounter("hydraguard_stream_appended_total", "Events written to the Redis stream.",
                        [this] { return static_cast<double>(stream_->appended()); });
    metrics_.AddCounter("hydraguard_stream_dropped_total", "Events dropped (buffer full or refused by Redis).",
                        [this] { return static_cast<double>(stream_->dropped()); });
  }
  metrics_.AddGauge("hydraguard_verdict_entries", "Verdict and indicator entries in force.",
                    [this] { return static_cast<double>(verdicts_.Snapshot()->size()); });
  metrics_.AddGauge("hydraguard_api_keys", "API keys in the key table.", [this] {
    std::shared_ptr<const gateway::KeyTable> table = keys();
    return table ? static_cast<double>(table->size()) : 0.0;
  });
}

}  // namespace hydraguard::server
