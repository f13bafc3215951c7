// Action: what enforcement should do with an account, weakest first, as
// written in verdicts.jsonl (DESIGN.md). An account is *flagged* when its
// action is challenge or block.
#ifndef HYDRAGUARD_ENGINE_VERDICT_H_
#define HYDRAGUARD_ENGINE_VERDICT_H_

#include <optional>
#include <string_view>

namespace hydraguard::engine {

enum class Action { kAllow, kMonitor, kThrottle, kChallenge, kBlock };

std::string_view ActionName(Action action);
std::optional<Action> ParseAction(std::string_view text);
inline bool Flagged(Action action) { return action == Action::kChallenge || action == Action::kBlock; }

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_VERDICT_H_
