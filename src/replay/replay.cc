#include "replay/replay.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <utility>

namespace hydraguard::replay {
namespace {

constexpr std::string_view kNotInTruth = "(not in truth)";

void Count(Traffic* traffic, bool served, const ingest::Event& event) {
  ++traffic->requests;
  (served ? traffic->served : traffic->refused) += 1;
  uint64_t output = event.has(ingest::Field::kOutputTokens) ? event.output_tokens : 0;
  traffic->output_tokens += output;
  if (served) traffic->output_tokens_served += output;
}

void CountBin(Series* series, size_t bin, bool served) {
  std::vector<uint64_t>& values = served ? series->served : series->refused;
  if (values.size() <= bin) values.resize(bin + 1, 0);
  ++values[bin];
}

uint64_t At(const std::vector<uint64_t>& values, size_t bin) { return bin < values.size() ? values[bin] : 0; }

}  // namespace

std::optional<double> CampaignReplay::leakage() const {
  if (traffic.requests == 0) return std::nullopt;
  return static_cast<double>(traffic.served) / static_cast<double>(traffic.requests);
}

std::optional<int64_t> CampaignReplay::time_to_containment_ms() const {
  if (!contained_ms) return std::nullopt;
  return *contained_ms - first_ms;
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  static const std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
  int64_t unit = 1000;
  for (const auto& [suffix, ms] : kUnits) {
    if (text.size() > suffix.size() && text.ends_with(suffix) && (suffix != "s" || !text.ends_with("ms"))) {
      unit = ms;
      text.remove_suffix(suffix.size());
      break;
    }
  }
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0 || value > INT64_MAX / unit) {
    return std::nullopt;
  }
  return value * unit;
}

struct Replayer::State {
  // Who an account is in the truth: index into `campaigns` (>= 0) or
  // -1 - index into `segments`.
  struct Account {
    int group = 0;
    bool seen = false, held = false, affected = false;
    int64_t last_served_ms = INT64_MIN;
  };

  State(VerdictSource* verdicts_in, ReplayOptions options_in) : verdicts(verdicts_in) { result.options = options_in; }

  VerdictSource* verdicts;
  ReplayResult result;
  std::vector<CampaignReplay> campaigns;
  std::vector<SegmentReplay> segments;  // honest segments, then kNotInTruth last
  std::vector<Account> accounts;        // by interned account id
  int unknown_group = 0;
  bool started = false;
  int64_t clock_ms = 0, next_rescore_ms = 0;

  const ReplayOptions& options() const { return result.options; }

  void Rescore(int64_t now_ms, engine::Freshness freshness) {
    auto begin = std::chrono::steady_clock::now();
    size_t changes = verdicts->Rescore(now_ms, freshness);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    ++result.rescores;
    result.rescore_seconds += seconds;
    result.max_rescore_seconds = std::max(result.max_rescore_seconds, seconds);
    result.verdict_changes += changes;
  }

  void Process(const ingest::Event& event) {
    if (!started) {
      started = true;
      result.start_ms = event.ts_ms - Mod(event.ts_ms);
      clock_ms = event.ts_ms;
      next_rescore_ms = result.start_ms + options().rescore_ms;
    }
    if (event.ts_ms < clock_ms) {
      ++result.late_events;  // replayed at the clock: verdicts cannot go back in time
    } else {
      clock_ms = event.ts_ms;
    }
    if (clock_ms >= next_rescore_ms) {
      Rescore(clock_ms - Mod(clock_ms), engine::Freshness::kScheduled);
      next_rescore_ms = clock_ms - Mod(clock_ms) + options().rescore_ms;
    }
    ++result.events;
    result.end_ms = clock_ms;
    const size_t bin = static_cast<size_t>((clock_ms - result.start_ms) / options().rescore_ms);

    if (event.account >= accounts.size()) accounts.resize(event.account + 1, Account{unknown_group});
    Account& account = accounts[event.account];
    engine::Action action = verdicts->action(event.account);
    bool served = true;
    Traffic* traffic = Group(account);
    if (engine::Flagged(action)) {
      served = false;
      ++traffic->refused_by_verdict;
    } else if (account.held) {
      served = false;
      ++traffic->refused_by_indicator;
    } else if (std::string signal = verdicts->scored(event.account) ? "" : verdicts->MatchesIndicator(event);
               !signal.empty()) {
      served = false;
      account.held = true;
      ++traffic->refused_by_indicator;
      ++traffic->held_by_signal[signal];
    } else if (action == engine::Action::kThrottle && account.last_served_ms != INT64_MIN &&
               clock_ms - account.last_served_ms < options().throttle_ms) {
      served = false;
      ++traffic->refused_by_throttle;
    }
    if (served) account.last_served_ms = clock_ms;
    Count(traffic, served, event);
    if (account.group >= 0) {
      CampaignReplay& campaign = campaigns[account.group];
      if (campaign.traffic.requests == 1) campaign.first_ms = clock_ms;
      campaign.last_ms = clock_ms;
      campaign.accounts_seen += !account.seen;
      CountBin(&campaign.series, bin, served);
    } else {
      SegmentReplay& segment = segments[-1 - account.group];
      segment.accounts += !account.seen;
      segment.accounts_affected += !served && !account.affected;
      CountBin(&segment.series, bin, served);
    }
    account.seen = true;
    account.affected |= !served;
    verdicts->Add(event);
  }

  int64_t Mod(int64_t ms) const {
    int64_t mod = ms % options().rescore_ms;
    return mod < 0 ? mod + options().rescore_ms : mod;
  }

  Traffic* Group(const Account& account) {
    return account.group >= 0 ? &campaigns[account.group].traffic : &segments[-1 - account.group].traffic;
  }

  // Contained from the first bin in which at least containment_share of
  // the campaign's requests are refused, and of all its later requests too.
  void FindContainment(CampaignReplay* campaign) const {
    const double share = options().containment_share;
    auto reaches = [share](uint64_t refused, uint64_t requests) {
      return requests > 0 && static_cast<double>(refused) >= share * static_cast<double>(requests);
    };
    size_t bins = std::max(campaign->series.served.size(), campaign->series.refused.size());
    uint64_t later = 0, later_refused = 0;
    std::optional<size_t> contained_bin;
    for (size_t bin = bins; bin-- > 0;) {
      uint64_t refused = At(campaign->series.refused, bin), requests = At(campaign->series.served, bin) + refused;
      later += requests;
      later_refused += refused;
      if (reaches(refused, requests) && reaches(later_refused, later)) contained_bin = bin;
    }
    if (!contained_bin) return;
    int64_t bin_start = result.start_ms + static_cast<int64_t>(*contained_bin) * options().rescore_ms;
    campaign->contained_ms = std::max(bin_start, campaign->first_ms);
  }

  ReplayResult Finish() {
    if (started) Rescore(clock_ms, engine::Freshness::kComplete);
    result.indicators = verdicts->indicator_count();
    for (uint32_t id = 0; id < accounts.size(); ++id) {
      const Account& account = accounts[id];
      if (account.group >= 0 && engine::Flagged(verdicts->action(id))) ++campaigns[account.group].accounts_flagged;
    }
    for (CampaignReplay& campaign : campaigns) FindContainment(&campaign);
    result.campaigns = std::move(campaigns);
    SegmentReplay unknown = std::move(segments.back());
    segments.pop_back();
    if (unknown.accounts > 0) result.unknown = std::move(unknown);
    for (const SegmentReplay& segment : segments) {
      Traffic& total = result.honest_total;
      total.requests += segment.traffic.requests;
      total.served += segment.traffic.served;
      total.refused += segment.traffic.refused;
      total.refused_by_verdict += segment.traffic.refused_by_verdict;
      total.refused_by_indicator += segment.traffic.refused_by_indicator;
      total.refused_by_throttle += segment.traffic.refused_by_throttle;
      total.output_tokens += segment.traffic.output_tokens;
      total.output_tokens_served += segment.traffic.output_tokens_served;
      for (const auto& [signal, accounts] : segment.traffic.held_by_signal) total.held_by_signal[signal] += accounts;
      result.honest_accounts += segment.accounts;
      result.honest_accounts_affected += segment.accounts_affected;
    }
    result.honest = std::move(segments);
    return std::move(result);
  }
};

Replayer::Replayer(VerdictSource* verdicts, const eval::Truth& truth, ingest::Interners* interners,
                   ReplayOptions options)
    : state_(std::make_unique<State>(verdicts, options)) {
  State& state = *state_;
  // Groups in name order; accounts interned in name order, so ids do not
  // depend on the truth file's hash order.
  std::map<std::string, int> campaign_index, segment_index;
  std::vector<std::pair<std::string, const eval::TruthEntry*>> entries;
  for (const auto& [name, entry] : truth) {
    entries.emplace_back(name, &entry);
    if (entry.campaign) {
      campaign_index.emplace(entry.campaign_id, 0);
    } else {
      segment_index.emplace(entry.segment, 0);
    }
  }
  std::sort(entries.begin(), entries.end());
  for (auto& [id, index] : campaign_index) {
    index = static_cast<int>(state.campaigns.size());
    state.campaigns.emplace_back().campaign = id;
  }
  for (auto& [segment, index] : segment_index) {
    index = static_cast<int>(state.segments.size());
    state.segments.emplace_back().segment = segment;
  }
  state.unknown_group = -1 - static_cast<int>(state.segments.size());
  state.segments.emplace_back().segment = std::string(kNotInTruth);
  for (const auto& [name, entry] : entries) {
    ingest::Id id = interners->account.Intern(name);
    if (id >= state.accounts.size()) state.accounts.resize(id + 1, State::Account{state.unknown_group});
    if (entry->campaign) {
      int index = campaign_index[entry->campaign_id];
      state.accounts[id].group = index;
      ++state.campaigns[index].accounts;
    } else {
      state.accounts[id].group = -1 - segment_index[entry->segment];
    }
  }
}

Replayer::~Replayer() = default;

void Replayer::Process(const ingest::Event& event) { state_->Process(event); }

ReplayResult Replayer::Finish() { return state_->Finish(); }

}  // namespace hydraguard::replay
