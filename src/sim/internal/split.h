// The tune / eval split of built-in slot lists, shared by the simulator's
// text generators (prompts.cc, redteam_text*.cc): even entries are tune, odd
// ones eval.
//
//   constexpr auto kVerbs = internal::Slots("dump", "narrate", "print", "share");
//   std::string_view verb = internal::Slot(rng, kVerbs, PromptSplit::kTune);  // "dump" or "print"
#ifndef HYDRAGUARD_SIM_INTERNAL_SPLIT_H_
#define HYDRAGUARD_SIM_INTERNAL_SPLIT_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "sim/prompts.h"
#include "sim/random.h"

namespace hydraguard::sim::internal {

// An item of `items` in `split`'s half: even indices are tune, odd eval.
// kAll draws exactly as before the split existed (same random stream).
template <size_t N>
std::string_view Of(Rng& rng, const std::array<std::string_view, N>& items, PromptSplit split) {
  static_assert(N >= 2, "every slot list must have a tune and an eval half");
  switch (split) {
    case PromptSplit::kAll:
      return items[rng.Below(N)];
    case PromptSplit::kTune:
      return items[2 * rng.Below((N + 1) / 2)];
    case PromptSplit::kEval:
      return items[2 * rng.Below(N / 2) + 1];
  }
  return items[0];
}

// A slot list: std::array<std::string_view, N> of the given literals.
template <typename... Items>
constexpr auto Slots(Items... items) {
  return std::array<std::string_view, sizeof...(Items)>{items...};
}

// Of() for lists whose halves are the same size and hold at least two
// entries each (checked at compile time).
template <size_t N>
std::string_view Slot(Rng& rng, const std::array<std::string_view, N>& items, PromptSplit split) {
  static_assert(N >= 4 && N % 2 == 0, "slot lists have an even number >= 4 of entries");
  return Of(rng, items, split);
}

// `count` distinct entries of `items` drawn with Slot(), in draw order; at
// most the size of `split`'s half.
template <size_t N>
std::vector<std::string_view> DistinctSlots(Rng& rng, const std::array<std::string_view, N>& items, PromptSplit split,
                                            size_t count) {
  std::vector<std::string_view> picked;
  count = std::min(count, split == PromptSplit::kAll ? N : N / 2);
  while (picked.size() < count) {
    std::string_view item = Slot(rng, items, split);
    if (std::find(picked.begin(), picked.end(), item) == picked.end()) picked.push_back(item);
  }
  return picked;
}

}  // namespace hydraguard::sim::internal

#endif  // HYDRAGUARD_SIM_INTERNAL_SPLIT_H_
