// A campaign's totals, score and evidence lines, once engine.cc has found its
// accounts (and, for the score, its indicators).
//
//   SumUpCampaign(features, config, &campaign);  // exchanges, tokens, shares, since
//   ScoreCampaign(config, &campaign);            // score, concentration, evidence
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

// Sums its accounts' features: exchanges, tokens, first/last seen, capability
// counts, proxy and country-mismatch shares, young-account share, median
// active days, and `since` (when campaign_min_accounts of them were active).
// REQUIRES: campaign->accounts are ids in `features`.
void SumUpCampaign(const AccountFeatureTable& features, const EngineConfig& config, Campaign* campaign);

void ScoreCampaign(const EngineConfig& config, Campaign* campaign);

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_CAMPAIGN_SCORE_H_
