#include "engine/signal.h"

#include <cassert>

namespace hydraguard::engine {

void AddLinkPolicyDefaults(SignalParams* params) {
  const LinkPolicy defaults;
  params->emplace("weight", defaults.weight);
  params->emplace("pair_cap", defaults.pair_cap);
  params->emplace("rarity", defaults.rarity);
  params->emplace("hub", defaults.hub);
  params->emplace("strong_share", defaults.strong_share);
  params->emplace("strong_weight", defaults.strong_weight);
  params->emplace("capacity", defaults.capacity);
  params->emplace("min_share", defaults.min_share);
  params->emplace("min_events", defaults.min_events);
  params->emplace("min_count", defaults.min_count);
  params->emplace("indicator", defaults.indicator);
}

double Param(const SignalParams& params, std::string_view name) {
  auto found = params.find(name);
  assert(found != params.end() && "Param() of a parameter missing from the signal's defaults");
  return found == params.end() ? 0.0 : found->second;
}

}  // namespace hydraguard::engine
