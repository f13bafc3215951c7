#include "engine/signal.h"

#include <cassert>

namespace hydraguard::engine {

double Param(const SignalParams& params, std::string_view name) {
  auto found = params.find(name);
  assert(found != params.end() && "Param() of a parameter missing from the signal's defaults");
  return found == params.end() ? 0.0 : found->second;
}

}  // namespace hydraguard::engine
