#include "engine/campaign_score.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/internal/numbers.h"
#include "fmt/format.h"

namespace hydraguard::engine {
void SumUpCampaign(const AccountFeatureTable& features, const EngineConfig& config, Campaign* campaign_ptr) {
  Campaign& campaign = *campaign_ptr;
  uint64_t proxy = 0, mismatch = 0, with_countries = 0;
  size_t young = 0;
  std::vector<double> active_days;
  std::vector<int64_t> first_seen;
  campaign.first_ms = INT64_MAX;
  campaign.last_ms = INT64_MIN;
  for (ingest::Id account : campaign.accounts) {
    const AccountFeatures& f = features.Get(account);
    campaign.exchanges += f.events;
    campaign.input_tokens += f.input_tokens;
    campaign.output_tokens += f.output_tokens;
    campaign.first_ms = std::min(campaign.first_ms, f.first_ms);
    campaign.last_ms = std::max(campaign.last_ms, f.last_ms);
    for (int c = 0; c < text::kCapabilityCount; ++c) campaign.capabilities[c] += f.capabilities[c];
    campaign.text_events += f.with_text;
    proxy += std::max(f.datacenter, f.vpn);
    mismatch += f.country_mismatch;
    with_countries += f.with_countries;
    std::optional<double> age = f.AgeAtFirstUseDays();
    young += age && *age < 7;
    active_days.push_back(f.active_days);
    first_seen.push_back(f.first_ms);
  }
  campaign.proxy_share = static_cast<double>(proxy) / static_cast<double>(std::max<uint64_t>(1, campaign.exchanges));
  campaign.country_mismatch =
      static_cast<double>(mismatch) / static_cast<double>(std::max<uint64_t>(1, with_countries));
  campaign.young_share = static_cast<double>(young) / static_cast<double>(campaign.accounts.size());
  campaign.median_active_days = internal::Median(std::move(active_days));
  std::sort(first_seen.begin(), first_seen.end());
  size_t quorum = std::min(first_seen.size(), static_cast<size_t>(std::max(1.0, config.campaign_min_accounts)));
  campaign.since_ms = quorum == 0 ? 0 : first_seen[quorum - 1];
}

void ScoreCampaign(const EngineConfig& config, Campaign* campaign) {
  const double accounts = static_cast<double>(campaign->accounts.size());
  campaign->capability_concentration = 0;
  for (uint64_t count : campaign->capabilities) {
    if (campaign->text_events == 0) break;
    double share = static_cast<double>(count) / static_cast<double>(campaign->text_events);
    campaign->capability_concentration += share * share;
  }
  campaign->template_repetition = 0;
  for (const Indicator& indicator : campaign->indicators) {
    if (indicator.family != Family::kContent) continue;
    campaign->template_repetition = std::max(campaign->template_repetition, indicator.accounts / accounts);
  }
  double span_days = static_cast<double>(campaign->last_ms - campaign->first_ms) / internal::kDayMs;

  std::vector<std::string>& evidence = campaign->evidence;
  evidence.push_back(fmt::format("{} accounts tied together by shared values; median own score {:.2f} points",
                                 campaign->accounts.size(), campaign->median_points));
  evidence.push_back(fmt::format("{} exchanges, {:.0f} per account; {} output tokens", campaign->exchanges,
                                 static_cast<double>(campaign->exchanges) / accounts, campaign->output_tokens));
  int traits = 0;
  auto trait = [&](bool shown, std::string line) {
    if (!shown) return;
    ++traits;
    evidence.push_back(std::move(line));
  };
  trait(campaign->text_events > 0 && campaign->capability_concentration >= 0.3,
        fmt::format("traffic concentrated on few capabilities (Herfindahl index {:.2f})",
                    campaign->capability_concentration));
  trait(campaign->template_repetition >= 0.5,
        fmt::format("one prompt template or system prompt in {:.0f}% of its accounts",
                    campaign->template_repetition * 100));
  trait(std::max(campaign->country_mismatch, campaign->proxy_share) >= 0.5,
        fmt::format("{:.0f}% of requests from outside the billing country, {:.0f}% from datacenter/VPN ranges",
                    campaign->country_mismatch * 100, campaign->proxy_share * 100));
  trait(campaign->young_share >= 0.5,
        fmt::format("{:.0f}% of accounts first used within 7 days of sign-up", campaign->young_share * 100));
  trait(span_days >= 7 && campaign->median_active_days < 0.5 * span_days,
        fmt::format("churn: the median account is active on {:.0f} days of the campaign's {:.0f}",
                    campaign->median_active_days, span_days));
  double points = 1.5 * (campaign->median_points - config.suspicious_points) + std::log10(accounts) + 0.5 * traits;
  campaign->score = internal::Logistic(points);
}

}  // namespace hydraguard::engine
