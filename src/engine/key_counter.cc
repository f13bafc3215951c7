#include "engine/key_counter.h"

#include <algorithm>

namespace hydraguard::engine {

void KeyCounter::CountEvent(uint16_t signal) {
  if (signal >= events_.size()) events_.resize(signal + 1, 0);
  ++events_[signal];
}

void KeyCounter::Add(uint16_t signal, uint64_t key, uint32_t capacity) {
  KeyCount* smallest = nullptr;
  uint32_t kept = 0;
  for (KeyCount& entry : entries_) {
    if (entry.signal != signal) continue;
    if (entry.key == key) {
      ++entry.count;
      return;
    }
    ++kept;
    if (smallest == nullptr || entry.count < smallest->count) smallest = &entry;
  }
  if (capacity == 0) return;
  if (kept < capacity) {
    entries_.push_back(KeyCount{key, 1, signal, 0});
    return;
  }
  // Space-Saving: the new key takes over the smallest slot and its count.
  smallest->key = key;
  smallest->error = smallest->count;
  ++smallest->count;
}

uint32_t KeyCounter::events(uint16_t signal) const { return signal < events_.size() ? events_[signal] : 0; }

}  // namespace hydraguard::engine
