#include "engine/signal.h"

#include <cassert>

namespace hydraguard::engine {

namespace {

// Every LinkPolicy field under its parameter name: the one list that both
// fills in defaults and reads a policy back, so that a new field cannot be
// readable but not settable (or the reverse).
struct PolicyField {
  std::string_view name;
  double LinkPolicy::*field;
};
constexpr PolicyField kPolicyFields[] = {
    {"weight", &LinkPolicy::weight},
    {"pair_cap", &LinkPolicy::pair_cap},
    {"rarity", &LinkPolicy::rarity},
    {"hub", &LinkPolicy::hub},
    {"strong_share", &LinkPolicy::strong_share},
    {"strong_weight", &LinkPolicy::strong_weight},
    {"members_qualify", &LinkPolicy::members_qualify},
    {"joins_alone", &LinkPolicy::joins_alone},
    {"unites", &LinkPolicy::unites},
    {"capacity", &LinkPolicy::capacity},
    {"min_share", &LinkPolicy::min_share},
    {"min_events", &LinkPolicy::min_events},
    {"min_count", &LinkPolicy::min_count},
    {"indicator", &LinkPolicy::indicator},
};

}  // namespace

void AddLinkPolicyDefaults(SignalParams* params) {
  const LinkPolicy defaults;
  for (const PolicyField& field : kPolicyFields) params->emplace(std::string(field.name), defaults.*field.field);
}

LinkPolicy LinkPolicyFrom(const SignalParams& params) {
  LinkPolicy policy;
  for (const PolicyField& field : kPolicyFields) {
    auto found = params.find(field.name);
    if (found != params.end()) policy.*field.field = found->second;
  }
  return policy;
}

double Param(const SignalParams& params, std::string_view name) {
  auto found = params.find(name);
  assert(found != params.end() && "Param() of a parameter missing from the signal's defaults");
  return found == params.end() ? 0.0 : found->second;
}

}  // namespace hydraguard::engine
