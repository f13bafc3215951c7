// EventStream: ships the gateway's per-request event lines (JSON, one per
// request) to a Redis Stream, where the detector and any other consumer read
// them (XREAD, XREADGROUP). The request path never waits on Redis: Append
// only buffers; a background thread writes.
//
//   EventStream events(client, {.stream = "hg:events"});
//   events.Append(R"({"ts":"2025-01-01T00:00:00Z","account":"a1",...})");
//   ...
//   events.Flush(std::chrono::seconds(5));  // at shutdown (the destructor tries for ~1 s)
//
// Each line becomes one entry `XADD <stream> MAXLEN ~ <maxlen> * event <line>`:
// the stream keeps about the newest `maxlen` entries. The thread sends up to
// `batch_size` lines per round trip (one pipeline), in Append order.
//
// Delivery: while Redis is unreachable, lines stay buffered and the thread
// retries with backoff (min_backoff_ms doubling up to max_backoff_ms), on top
// of the client's own fail-fast. A batch whose round trip failed is sent
// again whole, so a line may be written twice (at least once, never out of
// order). When `capacity` lines, or `capacity_bytes` of them, are buffered,
// Append drops the NEW line and counts it. A line Redis answers with an error (e.g. the key holds another
// type) is counted as dropped and as a failure, not retried.
//
// Thread-safety: every method may be called from many threads at once.
#ifndef HYDRAGUARD_REDIS_EVENT_STREAM_H_
#define HYDRAGUARD_REDIS_EVENT_STREAM_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "redis/redis_client.h"

namespace hydraguard::redis {

struct EventStreamOptions {
  std::string stream = "hg:events";
  int64_t maxlen = 1'000'000;                 // approximate (MAXLEN ~)
  size_t capacity = 100'000;                  // lines buffered at most, counting a batch being sent; > 0
  size_t capacity_bytes = size_t{256} << 20;  // and bytes of them (a line carries the prompt); > 0
  size_t batch_size = 512;                    // lines per round trip; > 0
  int min_backoff_ms = 50;                    // after a failed round trip, doubling...
  int max_backoff_ms = 1000;                  // ...up to this
};

class EventStream {
 public:
  // Starts the writer thread. REQUIRES: `client` outlives this stream.
  explicit EventStream(RedisClient& client, EventStreamOptions options = {});
  // Tries to deliver what is buffered for about a second (less if Redis
  // fails meanwhile), then stops the thread; lines still buffered are lost.
  ~EventStream();
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Buffers one line for the stream. Never blocks on the network. Returns
  // false, and counts it as dropped, when the buffer is full.
  bool Append(std::string line);
  // Waits until every line appended so far has been written (true) or
  // `timeout` has passed (false).
  bool Flush(std::chrono::milliseconds timeout);

  // Lines written to Redis (acknowledged by XADD).
  uint64_t appended() const { return appended_.load(std::memory_order_relaxed); }
  // Lines refused by Append (buffer full) or by Redis (error reply).
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  // Lines buffered now, not yet acknowledged.
  uint64_t backlog() const { return backlog_.load(std::memory_order_relaxed); }
  // Round trips that failed (Redis unreachable) and error replies.
  uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  void Run();
  bool HasWorkOrStopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  bool DrainedOrStopped() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  bool Closing() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void UpdateBacklog() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  RedisClient& client_;
  const EventStreamOptions options_;
  const std::string maxlen_;

  mutable absl::Mutex mutex_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mutex_);
  size_t in_flight_ ABSL_GUARDED_BY(mutex_) = 0;       // lines taken by the thread, not yet acknowledged
  size_t buffered_bytes_ ABSL_GUARDED_BY(mutex_) = 0;  // of queue_ and the lines in flight
  bool closing_ ABSL_GUARDED_BY(mutex_) = false;       // the destructor's final flush has begun
  bool gave_up_ ABSL_GUARDED_BY(mutex_) = false;       // ...and a round trip failed during it
  bool stop_ ABSL_GUARDED_BY(mutex_) = false;

  std::atomic<uint64_t> appended_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> backlog_{0};
  std::atomic<uint64_t> failures_{0};

  std::thread thread_;  // last: starts once everything above is constructed
};

}  // namespace hydraguard::redis

#endif  // HYDRAGUARD_REDIS_EVENT_STREAM_H_
