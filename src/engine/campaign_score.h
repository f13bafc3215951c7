// ScoreCampaign: the campaign-level score and its evidence lines, from a
// campaign whose totals and indicators are filled in (engine.cc does that).
//
//   ScoreCampaign(config, &campaign);  // sets score, concentration, evidence
//
// The score (0..1) rises with how harvester-like its members are on their
// own (median points), how many accounts it spans, and each campaign trait
// it shows: traffic concentrated on few capabilities, one template repeated
// across most accounts, proxy-like exits, fresh accounts, churn (accounts
// that live a short part of the campaign's life).
#ifndef HYDRAGUARD_ENGINE_CAMPAIGN_SCORE_H_
#define HYDRAGUARD_ENGINE_CAMPAIGN_SCORE_H_

#include "engine/config.h"
#include "engine/engine.h"

namespace hydraguard::engine {

void ScoreCampaign(const EngineConfig& config, Campaign* campaign);

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_CAMPAIGN_SCORE_H_
