#include "engine/verdict.h"

namespace hydraguard::engine {

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kAllow:
      return "allow";
    case Action::kMonitor:
      return "monitor";
    case Action::kThrottle:
      return "throttle";
    case Action::kChallenge:
      return "challenge";
    case Action::kBlock:
      return "block";
  }
  return "allow";
}

std::optional<Action> ParseAction(std::string_view text) {
  for (Action action : {Action::kAllow, Action::kMonitor, Action::kThrottle, Action::kChallenge, Action::kBlock}) {
    if (text == ActionName(action)) return action;
  }
  return std::nullopt;
}

}  // namespace hydraguard::engine
