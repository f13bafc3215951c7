// KeyCounter: the heaviest keys of one account, per link signal, in bounded
// memory (the Space-Saving algorithm of Metwally et al.). Any key seen in
// more than 1/capacity of the account's emissions for that signal is kept,
// with a count that overestimates by at most the smallest kept count.
//
//   KeyCounter keys;
//   keys.CountEvent(/*signal=*/2);                       // once per event with keys
//   keys.Add(/*signal=*/2, payment_id, /*capacity=*/8);  // once per key
//   for (const KeyCount& entry : keys.entries()) ...
//
// Keys of all signals of one account share one small vector (an account has
// tens of keys; a linear scan beats a hash map at that size).
// Thread-safety: none; owned by the account's state.
#ifndef HYDRAGUARD_ENGINE_KEY_COUNTER_H_
#define HYDRAGUARD_ENGINE_KEY_COUNTER_H_

#include <cstdint>
#include <vector>

namespace hydraguard::engine {

struct KeyCount {
  uint64_t key = 0;
  uint32_t count = 0;
  uint16_t signal = 0;  // index of the link signal that emitted the key
  uint32_t error = 0;   // Space-Saving overestimate bound
};

class KeyCounter {
 public:
  // Counts one event for which `signal` emitted keys.
  void CountEvent(uint16_t signal);
  // Counts one emission of `key` by `signal`, keeping at most `capacity`
  // keys for that signal.
  void Add(uint16_t signal, uint64_t key, uint32_t capacity);

  const std::vector<KeyCount>& entries() const { return entries_; }
  // Events for which `signal` emitted keys (so count / events is the share
  // of those events that carried a key).
  uint32_t events(uint16_t signal) const;

 private:
  std::vector<KeyCount> entries_;
  std::vector<uint32_t> events_;  // by signal
};

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_KEY_COUNTER_H_
