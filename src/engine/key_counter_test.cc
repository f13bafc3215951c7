#include "engine/key_counter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace hydraguard::engine {
namespace {

// The entry of `key` emitted by `signal`, if kept.
std::optional<KeyCount> Find(const KeyCounter& counter, uint16_t signal, uint64_t key) {
  for (const KeyCount& entry : counter.entries()) {
    if (entry.signal == signal && entry.key == key) return entry;
  }
  return std::nullopt;
}

int Kept(const KeyCounter& counter, uint16_t signal) {
  int kept = 0;
  for (const KeyCount& entry : counter.entries()) kept += entry.signal == signal;
  return kept;
}

// Below capacity every key is kept with its exact count and no error.
TEST(KeyCounterTest, ExactBelowCapacity) {
  KeyCounter counter;
  for (uint64_t key = 1; key <= 4; ++key) {
    for (uint64_t repeat = 0; repeat < key; ++repeat) counter.Add(0, key, 8);
  }
  EXPECT_EQ(Kept(counter, 0), 4);
  for (uint64_t key = 1; key <= 4; ++key) {
    std::optional<KeyCount> entry = Find(counter, 0, key);
    ASSERT_TRUE(entry) << key;
    EXPECT_EQ(entry->count, key);
    EXPECT_EQ(entry->error, 0);
  }
}

// A key carried by many emissions survives a flood of one-off keys that
// exceeds the capacity many times over; the slots never exceed capacity.
TEST(KeyCounterTest, HeavyKeySurvivesManyLightKeys) {
  constexpr uint64_t kHeavy = 0xC0FFEE;
  KeyCounter counter;
  for (uint64_t light = 1; light <= 1000; ++light) {
    counter.Add(3, light, 4);
    if (light % 3 == 0) counter.Add(3, kHeavy, 4);  // a third of the emissions
  }
  EXPECT_EQ(Kept(counter, 3), 4);
  std::optional<KeyCount> heavy = Find(counter, 3, kHeavy);
  ASSERT_TRUE(heavy);
  // Space-Saving overestimates by at most `error`, never underestimates.
  EXPECT_GE(heavy->count, 333u);
  EXPECT_LE(heavy->count - heavy->error, 333u);
  // The light keys that took over slots carry their inherited error.
  for (const KeyCount& entry : counter.entries()) {
    if (entry.key != kHeavy) {
      EXPECT_GT(entry.error, 0) << entry.key;
    }
  }
}

// Keys of one signal never evict those of another: capacity is per signal.
TEST(KeyCounterTest, CapacityIsPerSignal) {
  KeyCounter counter;
  counter.Add(0, 42, 2);
  counter.Add(0, 43, 2);
  for (uint64_t key = 100; key < 200; ++key) counter.Add(1, key, 2);
  EXPECT_EQ(Kept(counter, 0), 2);
  EXPECT_EQ(Kept(counter, 1), 2);
  ASSERT_TRUE(Find(counter, 0, 42));
  ASSERT_TRUE(Find(counter, 0, 43));
  EXPECT_EQ(Find(counter, 0, 42)->count, 1u);
  EXPECT_EQ(Find(counter, 0, 43)->error, 0);
}

// The same key value under two signals is two independent entries.
TEST(KeyCounterTest, SameKeyUnderTwoSignalsIsCountedSeparately) {
  KeyCounter counter;
  counter.Add(0, 7, 4);
  counter.Add(1, 7, 4);
  counter.Add(1, 7, 4);
  EXPECT_EQ(Find(counter, 0, 7)->count, 1u);
  EXPECT_EQ(Find(counter, 1, 7)->count, 2u);
}

// Capacity 0 keeps nothing.
TEST(KeyCounterTest, ZeroCapacityKeepsNothing) {
  KeyCounter counter;
  counter.Add(0, 1, 0);
  counter.Add(0, 2, 0);
  EXPECT_TRUE(counter.entries().empty());
}

// events() counts CountEvent calls per signal, independently of Add, and is
// 0 for signals never counted.
TEST(KeyCounterTest, EventsCountsCountEventCalls) {
  KeyCounter counter;
  EXPECT_EQ(counter.events(0), 0u);
  counter.CountEvent(2);
  counter.CountEvent(2);
  counter.CountEvent(5);
  counter.Add(0, 9, 4);
  EXPECT_EQ(counter.events(0), 0u);
  EXPECT_EQ(counter.events(2), 2u);
  EXPECT_EQ(counter.events(5), 1u);
  EXPECT_EQ(counter.events(1000), 0u);
}

}  // namespace
}  // namespace hydraguard::engine
