// GatewayState: everything a gateway replica decides with, built from its
// config: the key table, the verdicts, the memory limiter store (Redis
// mode: each event loop owns its redis::AsyncLimiter), the policy, the event sinks and the metrics; plus the thread
// that keeps keys and verdicts fresh (files by modification time, Redis every redis.refresh).
//
//   absl::StatusOr<std::unique_ptr<GatewayState>> state = GatewayState::Create(config, clock);
//   std::shared_ptr<const KeyTable> keys = (*state)->keys();
//
// Start-up fails (with the file, line and reason) when a key table or
// verdict file is bad. Later reloads that fail keep the last good data, and
// are counted and logged.
//
// Thread-safety: all methods may run concurrently.
#ifndef HYDRAGUARD_SERVER_GATEWAY_STATE_H_
#define HYDRAGUARD_SERVER_GATEWAY_STATE_H_

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "gateway/config.h"
#include "gateway/key_table.h"
#include "gateway/memory_limiter.h"
#include "gateway/policy.h"
#include "gateway/verdicts.h"
#include "redis/async_connection.h"
#include "redis/event_stream.h"
#include "redis/redis_client.h"
#include "server/metrics.h"
#include "server/reservation_book.h"

namespace hydraguard::server {

using Clock = std::function<int64_t()>;  // ms since the Unix epoch
int64_t SystemNowMs();

class GatewayState {
 public:
  static absl::StatusOr<std::unique_ptr<GatewayState>> Create(const gateway::GatewayConfig& config, Clock now_ms);
  ~GatewayState();

  const gateway::GatewayConfig& config() const { return config_; }
  const gateway::Policy& policy() const { return *policy_; }
  gateway::VerdictStore& verdicts() { return verdicts_; }
  Metrics& metrics() { return metrics_; }
  redis::RedisClient* redis() { return redis_.get(); }  // null in memory mode
  // Memory mode: the limiters every event loop shares; null in Redis mode.
  gateway::MemoryLimiter* memory_limiter() { return memory_limiter_.get(); }
  // Check-mode reservations awaiting a usage report (POST /usage).
  ReservationBook& reservations() { return reservations_; }
  int64_t now_ms() const { return now_ms_(); }
  std::shared_ptr<const gateway::KeyTable> keys() const;

  // Records one request's event in every configured sink. Never blocks on
  // the network.
  void RecordEvent(std::string line);
  bool records_events() const { return stream_ != nullptr || events_file_ != nullptr; }

  // Re-reads keys and verdicts now (files and Redis). Keeps the last good
  // data on error and returns the error.
  absl::Status Reload();

  // Redis mode: the settings for the gateway's connections to Redis.
  const redis::RedisOptions& redis_options() const { return redis_options_; }
  // Counts `connection` (one event loop's pipelined connection, which the
  // server owns) in the redis metrics and in the health log, until
  // ForgetRedisConnections(). REQUIRES: `connection` lives until then.
  void WatchRedisConnection(const redis::AsyncConnection* connection);
  void ForgetRedisConnections();

  // Admin API writes: in Redis mode also written to the verdicts hash, so
  // every replica applies them at its next refresh. A removal is also kept
  // in the set `<verdicts_hash>:removed`, which takes the entry out of the
  // engine's files at every refresh on every replica, until a later Set.
  absl::Status SetVerdict(std::string_view kind, std::string_view value, gateway::VerdictEntry entry);
  absl::Status RemoveVerdict(std::string_view kind, std::string_view value, bool* existed);

 private:
  std::string RemovedVerdictsKey() const;
  GatewayState(const gateway::GatewayConfig& config, Clock now_ms);
  absl::Status LoadKeys(bool force);
  absl::Status LoadVerdicts(bool force);
  void RefreshLoop();
  void AddGauges();
  // Over the blocking client and every watched connection: healthy when all
  // are; their failures added up; the message of a failing one.
  bool RedisHealthy() const;
  uint64_t RedisErrors() const;
  std::string RedisLastError() const;

  gateway::GatewayConfig config_;
  Clock now_ms_;
  Metrics metrics_;
  redis::RedisOptions redis_options_;
  std::unique_ptr<redis::RedisClient> redis_;
  mutable std::mutex watched_mutex_;
  std::vector<const redis::AsyncConnection*> watched_;  // guarded by watched_mutex_
  std::unique_ptr<redis::EventStream> stream_;
  std::unique_ptr<gateway::MemoryLimiter> memory_limiter_;
  ReservationBook reservations_{1'000'000, 3'600'000};
  std::unique_ptr<gateway::Policy> policy_;
  gateway::VerdictStore verdicts_;

  mutable std::mutex mutex_;
  std::shared_ptr<const gateway::KeyTable> keys_;
  int64_t keys_mtime_ = -1, verdicts_mtime_ = -1, campaigns_mtime_ = -1;  // guarded by mutex_
  std::FILE* events_file_ = nullptr;                                      // guarded by events_mutex_
  std::mutex events_mutex_;

  std::mutex refresh_mutex_;
  std::condition_variable refresh_wake_;
  bool stopping_ = false;
  std::thread refresh_thread_;
};

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_GATEWAY_STATE_H_
