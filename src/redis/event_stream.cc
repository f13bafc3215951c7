#include "redis/event_stream.h"

#include <algorithm>
#include <utility>

#include "absl/time/time.h"

namespace hydraguard::redis {

namespace {
constexpr std::chrono::milliseconds kFinalFlush(1000);
}  // namespace

EventStream::EventStream(RedisClient& client, EventStreamOptions options)
    : client_(client),
      options_(std::move(options)),
      maxlen_(std::to_string(options_.maxlen)),
      thread_([this] { Run(); }) {}

EventStream::~EventStream() {
  {
    absl::MutexLock lock(&mutex_);
    closing_ = true;
  }
  Flush(kFinalFlush);
  {
    absl::MutexLock lock(&mutex_);
    stop_ = true;
  }
  thread_.join();
}

bool EventStream::Append(std::string line) {
  absl::MutexLock lock(&mutex_);
  if (queue_.size() + in_flight_ >= options_.capacity || buffered_bytes_ + line.size() > options_.capacity_bytes) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  buffered_bytes_ += line.size();
  queue_.push_back(std::move(line));
  UpdateBacklog();
  return true;
}

bool EventStream::Flush(std::chrono::milliseconds timeout) {
  absl::MutexLock lock(&mutex_);
  mutex_.AwaitWithTimeout(absl::Condition(this, &EventStream::DrainedOrStopped), absl::FromChrono(timeout));
  return queue_.empty() && in_flight_ == 0;
}

bool EventStream::HasWorkOrStopped() const { return stop_ || !queue_.empty(); }

bool EventStream::DrainedOrStopped() const { return stop_ || gave_up_ || (queue_.empty() && in_flight_ == 0); }

bool EventStream::Closing() const { return stop_ || closing_; }

void EventStream::UpdateBacklog() { backlog_.store(queue_.size() + in_flight_, std::memory_order_relaxed); }

void EventStream::Run() {
  std::vector<std::vector<std::string>> batch;  // XADD commands, in Append order
  size_t batch_bytes = 0;
  int backoff_ms = options_.min_backoff_ms;
  while (true) {
    {
      absl::MutexLock lock(&mutex_);
      if (batch.empty()) {
        mutex_.Await(absl::Condition(this, &EventStream::HasWorkOrStopped));
        if (stop_) return;
        const size_t n = std::min(options_.batch_size, queue_.size());
        for (size_t i = 0; i < n; ++i) {
          batch_bytes += queue_.front().size();
          batch.push_back({"XADD", options_.stream, "MAXLEN", "~", maxlen_, "*", "event", std::move(queue_.front())});
          queue_.pop_front();
        }
        in_flight_ = n;
      } else if (stop_) {
        return;
      }
    }
    absl::StatusOr<std::vector<Reply>> replies = client_.Pipeline(batch);
    if (!replies.ok()) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      absl::MutexLock lock(&mutex_);
      if (closing_) gave_up_ = true;  // don't hold shutdown for an unreachable Redis
      mutex_.AwaitWithTimeout(absl::Condition(this, &EventStream::Closing), absl::Milliseconds(backoff_ms));
      backoff_ms = std::min(backoff_ms * 2, options_.max_backoff_ms);
      continue;  // the same batch again
    }
    backoff_ms = options_.min_backoff_ms;
    uint64_t refused = 0;
    for (const Reply& reply : *replies) refused += reply.is_error() ? 1 : 0;
    appended_.fetch_add(batch.size() - refused, std::memory_order_relaxed);
    if (refused > 0) {
      dropped_.fetch_add(refused, std::memory_order_relaxed);
      failures_.fetch_add(refused, std::memory_order_relaxed);
    }
    batch.clear();
    absl::MutexLock lock(&mutex_);
    in_flight_ = 0;
    buffered_bytes_ -= batch_bytes;
    batch_bytes = 0;
    UpdateBacklog();
  }
}

}  // namespace hydraguard::redis
