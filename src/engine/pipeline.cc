#include "engine/pipeline.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hydraguard::engine {
namespace {

constexpr size_t kBatchEvents = 2048;
constexpr size_t kBatchesInFlight = 4;

// Events with their text copied into the batch (the reader's views die at
// the next read).
struct Batch {
  std::vector<ingest::Event> events;
  std::string text;
  std::vector<std::pair<size_t, size_t>> system_spans, prompt_spans;  // offsets into text

  void Clear() {
    events.clear();
    text.clear();
    system_spans.clear();
    prompt_spans.clear();
  }
  void Add(const ingest::Event& event) {
    events.push_back(event);
    system_spans.emplace_back(text.size(), event.system.size());
    text.append(event.system);
    prompt_spans.emplace_back(text.size(), event.prompt.size());
    text.append(event.prompt);
  }
  // Points the events' views at `text` (valid until the next Clear/Add).
  void Seal() {
    for (size_t index = 0; index < events.size(); ++index) {
      events[index].system = std::string_view(text).substr(system_spans[index].first, system_spans[index].second);
      events[index].prompt = std::string_view(text).substr(prompt_spans[index].first, prompt_spans[index].second);
    }
  }
};

// A bounded hand-off of batches between the two threads, with recycling.
class BatchQueue {
 public:
  std::unique_ptr<Batch> TakeFree() {
    std::unique_lock lock(mutex_);
    if (free_.empty()) return std::make_unique<Batch>();
    std::unique_ptr<Batch> batch = std::move(free_.back());
    free_.pop_back();
    return batch;
  }
  void Push(std::unique_ptr<Batch> batch) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return full_.size() < kBatchesInFlight; });
    full_.push_back(std::move(batch));
    not_empty_.notify_one();
  }
  void Close() {
    std::unique_lock lock(mutex_);
    closed_ = true;
    not_empty_.notify_one();
  }
  // nullptr when closed and drained.
  std::unique_ptr<Batch> Pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !full_.empty() || closed_; });
    if (full_.empty()) return nullptr;
    std::unique_ptr<Batch> batch = std::move(full_.front());
    full_.pop_front();
    not_full_.notify_one();
    return batch;
  }
  void Recycle(std::unique_ptr<Batch> batch) {
    batch->Clear();
    std::unique_lock lock(mutex_);
    free_.push_back(std::move(batch));
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::unique_ptr<Batch>> full_;
  std::vector<std::unique_ptr<Batch>> free_;
  bool closed_ = false;
};

}  // namespace

absl::Status FeedEngine(ingest::EventReader& reader, Engine& engine) {
  return FeedEvents(reader, [&](const ingest::Event& event) { engine.Add(event); });
}

absl::Status FeedEvents(ingest::EventReader& reader, absl::FunctionRef<void(const ingest::Event&)> consume) {
  BatchQueue queue;
  std::thread consumer([&] {
    while (std::unique_ptr<Batch> batch = queue.Pop()) {
      for (const ingest::Event& event : batch->events) consume(event);
      queue.Recycle(std::move(batch));
    }
  });
  absl::Status status;
  std::unique_ptr<Batch> batch = queue.TakeFree();
  ingest::Event event;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&event);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    batch->Add(event);
    if (batch->events.size() == kBatchEvents) {
      batch->Seal();
      queue.Push(std::move(batch));
      batch = queue.TakeFree();
    }
  }
  batch->Seal();
  queue.Push(std::move(batch));
  queue.Close();
  consumer.join();
  return status;
}

}  // namespace hydraguard::engine
