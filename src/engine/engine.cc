#include "engine/engine.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "engine/campaign_score.h"
#include "engine/internal/coactivity.h"
#include "engine/internal/link_rules.h"
#include "engine/internal/numbers.h"
#include "engine/union_find.h"
#include "fmt/format.h"

namespace hydraguard::engine {
namespace {

using internal::Logistic;
using internal::Median;

template <typename Signal>
struct Loaded {
  std::string name;
  SignalInfo info;
  std::unique_ptr<Signal> signal;
};

// Builds every registered signal of one kind that the config leaves enabled.
template <typename Signal>
absl::Status LoadSignals(std::string_view kind, const std::map<std::string, SignalOverride, std::less<>>& overrides,
                         std::vector<Loaded<Signal>>* out) {
  const auto& registry = Registry<Signal>();
  for (const auto& [name, override_config] : overrides) {
    if (!registry.contains(name)) {
      return absl::InvalidArgumentError(fmt::format("{}: unknown signal \"{}\"", kind, name));
    }
  }
  for (const auto& [name, factory] : registry) {
    SignalParams params = factory.info.defaults;
    auto found = overrides.find(name);
    if (found != overrides.end()) {
      if (!found->second.enabled) continue;
      for (const auto& [param, value] : found->second.params) {
        if (!params.contains(param)) {
          return absl::InvalidArgumentError(fmt::format("{}.{}: unknown parameter \"{}\"", kind, name, param));
        }
        params[param] = value;
      }
    }
    out->push_back(Loaded<Signal>{name, factory.info, factory.make(params)});
    out->back().info.defaults = std::move(params);  // the values in effect
  }
  return absl::OkStatus();
}

std::string FieldList(const std::vector<ingest::Field>& fields) {
  std::string out;
  for (ingest::Field field : fields) {
    if (!out.empty()) out += " or ";
    out += ingest::FieldName(field);
  }
  return out;
}

// One account holding one link key.
struct Holding {
  uint64_t key;
  uint32_t account;
  uint16_t signal;
};

uint64_t PairKey(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return (static_cast<uint64_t>(a) << 32) | b;
}

}  // namespace

struct Engine::LoadedAccountSignal : Loaded<AccountSignal> {};
struct Engine::LoadedLinkSignal : Loaded<LinkSignal> {
  LinkPolicy policy;
};

Engine::Engine(const EngineConfig& config, const netinfo::NetworkLists* lists, const ingest::Interners* interners,
               const text::TextModel* text_model)
    : config_(config), interners_(interners), has_netlists_(lists != nullptr), features_(lists, text_model) {}

Engine::~Engine() = default;

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const EngineConfig& config, const netinfo::NetworkLists* lists,
                                                       const ingest::Interners* interners,
                                                       const text::TextModel* text_model) {
  std::unique_ptr<Engine> engine(new Engine(config, lists, interners, text_model));
  std::vector<Loaded<AccountSignal>> account_signals;
  if (absl::Status status = LoadSignals("account_signals", config.account_signals, &account_signals); !status.ok()) {
    return status;
  }
  for (auto& loaded : account_signals) engine->account_signals_.push_back(LoadedAccountSignal{std::move(loaded)});
  std::vector<Loaded<LinkSignal>> link_signals;
  if (absl::Status status = LoadSignals("link_signals", config.link_signals, &link_signals); !status.ok()) {
    return status;
  }
  if (link_signals.size() > 32) {
    return absl::InvalidArgumentError("link_signals: at most 32 may be enabled");  // bit sets in Detect()
  }
  for (auto& loaded : link_signals) {
    LinkPolicy policy = LinkPolicyFrom(loaded.info.defaults);
    if (!(policy.capacity >= 0 && policy.capacity <= 1024) || !(policy.pair_cap >= 0 && policy.pair_cap <= 100000) ||
        !(policy.min_share >= 0 && policy.min_share <= 1) || !(policy.min_events >= 0)) {
      return absl::InvalidArgumentError(fmt::format(
          "link_signals.{}: capacity must be in 0..1024, pair_cap in 0..100000, min_share in 0..1, min_events >= 0",
          loaded.name));
    }
    if (loaded.info.coactivity) {
      if (engine->coactivity_) return absl::InvalidArgumentError("link_signals: at most one co-activity signal");
      const SignalParams& params = loaded.info.defaults;
      double window_minutes = Param(params, "window_minutes"), min_windows = Param(params, "min_windows");
      if (!(window_minutes >= 1 && window_minutes <= 60 && 60 % static_cast<int>(window_minutes) == 0 &&
            window_minutes == std::floor(window_minutes)) ||
          !(min_windows >= 2 && min_windows <= 1e6) || !(Param(params, "expected_false_pairs") > 0)) {
        return absl::InvalidArgumentError(
            fmt::format("link_signals.{}: window_minutes must divide 60, min_windows be in 2..1e6 and "
                        "expected_false_pairs be > 0",
                        loaded.name));
      }
      engine->coactivity_ = std::make_unique<internal::CoactivityIndex>(
          internal::CoactivityOptions{.window_ms = static_cast<int64_t>(window_minutes) * 60000,
                                      .min_windows = static_cast<uint32_t>(min_windows),
                                      .expected_false_pairs = Param(params, "expected_false_pairs")});
      engine->coactivity_signal_ = static_cast<int>(engine->link_signals_.size());
      engine->coactivity_refresh_ms_ = static_cast<int64_t>(std::max(0.0, Param(params, "refresh_hours")) * 3.6e6);
      engine->coactivity_refresh_growth_ = std::max(0.0, Param(params, "refresh_growth"));
    }
    engine->link_signals_.push_back(LoadedLinkSignal{std::move(loaded), policy});
  }
  return engine;
}

std::vector<ingest::Id> Engine::TakeChangedAccounts() {
  track_changes_ = true;
  std::vector<ingest::Id> changed = std::move(changed_accounts_);
  changed_accounts_.clear();
  for (ingest::Id account : changed) changed_[account] = false;
  return changed;
}

absl::flat_hash_map<uint32_t, internal::CoactiveGroup> Engine::CoactiveGroups() const {
  if (!coactivity_) return {};
  if (coactive_found_at_ != events_ || !coactive_found_) {
    coactive_found_ = internal::GroupCoactive(coactivity_->Find());
    coactive_found_at_ = events_;
  }
  return *coactive_found_;
}

bool Engine::SameOrg(ingest::Id a, ingest::Id b) const { return org_[a] != ingest::kNoId && org_[a] == org_[b]; }

std::vector<std::string> Engine::AccountSignalNames() const {
  std::vector<std::string> names;
  for (const auto& loaded : account_signals_) names.push_back(loaded.name);
  return names;
}

std::vector<std::string> Engine::LinkSignalNames() const {
  std::vector<std::string> names;
  for (const auto& loaded : link_signals_) names.push_back(loaded.name);
  return names;
}

const ingest::Event& Engine::Analysed(const ingest::Event& original, ingest::Event* scratch) const {
  // Text is analysed on opening turns only (or when the turn is unknown): a
  // conversation's opening request sets its capability and carries its
  // template; follow-up turns (tool results, clarifications) would cost as
  // much to analyse and add little.
  bool follow_up = original.has(ingest::Field::kTurn) && original.turn > 1 && config_.text_opening_turns_only > 0;
  if ((config_.use_text != 0 && !follow_up) ||
      !(original.has(ingest::Field::kPrompt) || original.has(ingest::Field::kSystem))) {
    return original;
  }
  *scratch = original;
  scratch->prompt = scratch->system = {};
  scratch->present &=
      ~((1u << static_cast<int>(ingest::Field::kPrompt)) | (1u << static_cast<int>(ingest::Field::kSystem)));
  return *scratch;
}

void Engine::Add(const ingest::Event& original) {
  ingest::Event without_text;
  const ingest::Event& event = Analysed(original, &without_text);
  ++events_;
  if (track_changes_) {
    if (event.account >= changed_.size()) changed_.resize(event.account + 1, false);
    if (!changed_[event.account]) {
      changed_[event.account] = true;
      changed_accounts_.push_back(event.account);
    }
  }
  features_.Add(event);
  for (int field = 0; field < ingest::kFieldCount; ++field) field_counts_[field] += (event.present >> field) & 1u;
  if (event.account >= keys_.size()) {
    keys_.resize(event.account + 1);
    org_.resize(event.account + 1, ingest::kNoId);
  }
  if (event.org != ingest::kNoId) org_[event.account] = event.org;
  if (coactivity_) coactivity_->Add(event.account, event.ts_ms);
  latest_ms_ = std::max(latest_ms_, event.ts_ms);
  KeyCounter& keys = keys_[event.account];
  for (size_t index = 0; index < link_signals_.size(); ++index) {
    KeySink sink;
    link_signals_[index].signal->Keys(event, sink);
    if (sink.size == 0) continue;
    auto capacity = static_cast<uint32_t>(link_signals_[index].policy.capacity);
    keys.CountEvent(static_cast<uint16_t>(index));
    for (int k = 0; k < sink.size; ++k) keys.Add(static_cast<uint16_t>(index), sink.keys[k], capacity);
  }
}

// Everything Detect() works out, passed from stage to stage.
struct Engine::DetectState {
  explicit DetectState(size_t account_count) : clusters(account_count) {}
  std::vector<bool> account_signal_usable, link_signal_usable;  // by signal index
  std::vector<bool> suspicious;                                 // by account
  double suspicious_rate = 0, member_rate = 0;                  // hub null rates (HubNullRate)
  std::vector<Holding> holdings;                                // sorted by (signal, key, account)
  struct Group {
    size_t begin, end;  // a run of `holdings` with one (signal, key)
  };
  std::vector<Group> groups;  // keys held by two accounts or more
  struct HubNull {
    int64_t qualified = -1;  // -1: not judged (the signal makes no hubs)
    double expected = 0;     // holders × the null rate
    int standing = 0;        // 2: a strong hub, 1: a hub, 0: neither
  };
  std::vector<HubNull> hub_null;  // by group
  UnionFind clusters;
  std::vector<int> campaign_of;  // by account: index into Detection::campaigns, -1
  struct AccountLink {
    uint32_t group = 0, holders = 0;
  };
  // Per account and link signal, the shared key with the most campaign holders.
  std::vector<absl::flat_hash_map<uint16_t, AccountLink>> best_link;
  absl::flat_hash_map<uint32_t, internal::CoactiveGroup> coactive;  // by account (the coactivity signal)

  std::string Describe(const Engine& engine, uint32_t group_index) const {
    const Holding& first = holdings[groups[group_index].begin];
    return engine.link_signals_[first.signal].signal->Describe(first.key, *engine.interners_);
  }
};

Detection Engine::Detect() const {
  Detection detection;
  detection.events = events_;
  DetectState state(features_.size());
  ScoreAccounts(state, &detection);
  CollectHoldings(state);
  Link(state, detection);
  FormCampaigns(state, &detection);
  FindIndicators(state, &detection);
  IssueVerdicts(state, &detection);
  return detection;
}

void Engine::CheckSignals(std::vector<bool>* account_usable, std::vector<bool>* link_usable,
                          std::vector<std::string>* unused) const {
  auto usable = [&](const SignalInfo& info) {
    if (info.needs_netlists && !has_netlists_) return false;
    if (info.inputs.empty()) return true;
    for (ingest::Field field : info.inputs) {
      if (field_counts_[static_cast<size_t>(field)] > 0) return true;
    }
    return false;
  };
  auto check = [&](const auto& signals, std::vector<bool>* flags) {
    flags->clear();
    for (const auto& loaded : signals) {
      flags->push_back(usable(loaded.info));
      if (flags->back() || unused == nullptr) continue;
      unused->push_back(loaded.info.needs_netlists && !has_netlists_
                            ? fmt::format("{} (no --netlists given)", loaded.name)
                            : fmt::format("{} (no {} in the input)", loaded.name, FieldList(loaded.info.inputs)));
    }
  };
  check(account_signals_, account_usable);
  check(link_signals_, link_usable);
}

double Engine::ScoreAccount(ingest::Id account, const std::vector<bool>& account_usable,
                            std::vector<std::string>* reasons) const {
  const AccountFeatures& features = features_.Get(account);
  double points = 0;
  std::vector<Evidence> evidence_list;
  for (size_t index = 0; index < account_signals_.size(); ++index) {
    if (!account_usable[index]) continue;
    std::optional<Evidence> evidence = account_signals_[index].signal->Score(features);
    if (!evidence) continue;
    points += evidence->points;
    if (reasons != nullptr && evidence->points > 0) evidence_list.push_back(std::move(*evidence));
  }
  if (reasons != nullptr) {
    std::sort(evidence_list.begin(), evidence_list.end(),
              [](const Evidence& a, const Evidence& b) { return a.points > b.points; });
    for (Evidence& evidence : evidence_list) reasons->push_back(std::move(evidence.reason));
  }
  return points;
}

size_t Engine::link_signal_count() const { return link_signals_.size(); }
const LinkPolicy& Engine::link_policy(size_t index) const { return link_signals_[index].policy; }
Family Engine::link_family(size_t index) const { return link_signals_[index].info.family; }
const LinkSignal& Engine::link_signal(size_t index) const { return *link_signals_[index].signal; }

double Engine::StrongWeight(uint32_t signals, bool joins_alone_only) const {
  std::array<double, kFamilyCount> by_family{};
  for (size_t index = 0; index < link_signals_.size() && index < 32; ++index) {
    const LinkPolicy& policy = link_signals_[index].policy;
    if (joins_alone_only && policy.joins_alone <= 0) continue;
    if (((signals >> index) & 1u) == 0) continue;
    double& family_weight = by_family[static_cast<size_t>(link_signals_[index].info.family)];
    family_weight = std::max(family_weight, policy.strong_weight);
  }
  double weight = 0;
  for (double family_weight : by_family) weight += family_weight;
  return weight;
}

// Which signals the input allows, and each account's own points.
void Engine::ScoreAccounts(DetectState& state, Detection* detection) const {
  CheckSignals(&state.account_signal_usable, &state.link_signal_usable, &detection->unused_signals);
  const size_t account_count = features_.size();
  detection->verdicts.resize(account_count);
  state.suspicious.assign(account_count, false);
  size_t active = 0, suspicious = 0, members = 0;
  for (uint32_t account = 0; account < account_count; ++account) {
    AccountVerdict& verdict = detection->verdicts[account];
    verdict.account = account;
    const AccountFeatures& features = features_.Get(account);
    if (features.events == 0) continue;
    detection->out_of_order_events += features.out_of_order;
    detection->prompts_read += features.with_text + features.text_not_covered;
    detection->prompts_not_covered += features.text_not_covered;
    verdict.points = ScoreAccount(account, state.account_signal_usable, &verdict.reasons);
    state.suspicious[account] = verdict.points >= config_.suspicious_points;
    ++active;
    suspicious += state.suspicious[account];
    members += verdict.points >= config_.member_points;
  }
  state.suspicious_rate = internal::HubNullRate(suspicious, active);
  state.member_rate = internal::HubNullRate(members, active);
}

// Who holds which keys (internal::ForEachHeldKey: kept keys that pass the
// signal's min_events and min_share, and co-active groups), sorted so that
// each key's holders are a run.
void Engine::CollectHoldings(DetectState& state) const {
  if (coactivity_signal_ >= 0 && state.link_signal_usable[coactivity_signal_]) state.coactive = CoactiveGroups();
  auto policy_of = [&](uint16_t signal) -> const LinkPolicy& { return link_signals_[signal].policy; };
  for (uint32_t account = 0; account < keys_.size(); ++account) {
    auto group = state.coactive.find(account);
    internal::ForEachHeldKey(keys_[account], state.link_signal_usable, policy_of, coactivity_signal_,
                             group == state.coactive.end() ? nullptr : &group->second.key,
                             [&](uint16_t signal, uint64_t key) {
                               state.holdings.push_back(Holding{key, account, signal});
                             });
  }
  std::sort(state.holdings.begin(), state.holdings.end(), [](const Holding& a, const Holding& b) {
    if (a.signal != b.signal) return a.signal < b.signal;
    if (a.key != b.key) return a.key < b.key;
    return a.account < b.account;
  });
  const std::vector<Holding>& holdings = state.holdings;
  for (size_t begin = 0; begin < holdings.size();) {
    size_t end = begin + 1;
    while (end < holdings.size() && holdings[end].signal == holdings[begin].signal &&
           holdings[end].key == holdings[begin].key) {
      ++end;
    }
    if (end - begin >= 2) state.groups.push_back(DetectState::Group{begin, end});
    begin = end;
  }
}

// Links: rarity-weighted pair evidence and suspicious hubs, into clusters.
void Engine::Link(DetectState& state, const Detection& detection) const {
  const size_t account_count = features_.size();
  const std::vector<Holding>& holdings = state.holdings;
  const std::vector<bool>& suspicious = state.suspicious;
  auto member = [&](uint32_t account) { return detection.verdicts[account].points >= config_.member_points; };
  absl::flat_hash_map<uint64_t, internal::PairEvidence> pair_points;
  std::vector<DetectState::Group> hubs;
  static_assert(kFamilyCount <= 8, "hub_families holds a bit per Family in 8 bits");
  std::vector<uint8_t> hub_families(account_count, 0);  // by account: bit per Family
  std::vector<uint32_t> strong_hubs(account_count, 0);  // by account: bit per link signal
  std::vector<bool> member_hub(account_count, false);   // by account: holds a hub members qualify for
  state.hub_null.assign(state.groups.size(), {});
  for (size_t group_index = 0; group_index < state.groups.size(); ++group_index) {
    const DetectState::Group& group = state.groups[group_index];
    const size_t begin = group.begin, end = group.end, holders = end - begin;
    const LinkPolicy& policy = link_signals_[holdings[begin].signal].policy;
    const Family family = link_signals_[holdings[begin].signal].info.family;
    if (int64_t weight = internal::PairWeight(policy, holders); weight > 0) {
      for (size_t i = begin; i < end; ++i) {
        for (size_t j = i + 1; j < end; ++j) {
          uint32_t a = holdings[i].account, b = holdings[j].account;
          if (SameOrg(a, b)) continue;
          internal::PairEvidence& evidence = pair_points[PairKey(a, b)];
          evidence.total += weight;
          if (family == Family::kIdentity) evidence.identity += weight;
        }
      }
    }
    if (policy.hub <= 0) continue;
    size_t qualified = 0, honest = 0;  // honest: below member_points
    for (size_t i = begin; i < end; ++i) {
      uint32_t account = holdings[i].account;
      qualified += internal::QualifiesForHub(policy, suspicious[account], member(account));
      honest += !member(account);
    }
    double null_rate = internal::NullRateFor(policy, state.suspicious_rate, state.member_rate);
    internal::HubStatus status =
        internal::EvaluateHub(policy, holders, qualified, honest, null_rate,
                              internal::ChanceQualifiedPerHonest(null_rate, state.member_rate), config_);
    state.hub_null[group_index] = {static_cast<int64_t>(qualified), null_rate * static_cast<double>(holders),
                                   status.strong ? 2
                                   : status.hub  ? 1
                                                 : 0};
    if (!status.hub) continue;
    if (internal::HubJoins(status, config_)) hubs.push_back(group);
    for (size_t i = begin; i < end; ++i) {
      uint32_t account = holdings[i].account;
      if (!member(account)) continue;
      hub_families[account] |= 1u << static_cast<int>(family);
      if (policy.members_qualify > 0) member_hub[account] = true;
      if (status.strong) strong_hubs[account] |= 1u << (holdings[begin].signal % 32);
    }
  }
  // Joined pairs of members that hold a joining hub in common corroborate it
  // for both (JoinEvidence::corroborated).
  std::vector<bool> corroborated(account_count, false);
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> joining_hubs_of;  // member -> hub indices, ascending
  for (uint32_t hub_index = 0; hub_index < hubs.size(); ++hub_index) {
    for (size_t i = hubs[hub_index].begin; i < hubs[hub_index].end; ++i) {
      if (member(holdings[i].account)) joining_hubs_of[holdings[i].account].push_back(hub_index);
    }
  }
  std::vector<uint64_t> joined_pairs;
  for (const auto& [pair, evidence] : pair_points) {
    auto a = static_cast<uint32_t>(pair >> 32), b = static_cast<uint32_t>(pair);
    if (!internal::PairJoined(evidence, suspicious[a], suspicious[b], member(a), member(b), config_)) continue;
    joined_pairs.push_back(pair);
    if (!internal::PairCorroborates(evidence, config_)) continue;
    auto hubs_a = joining_hubs_of.find(a), hubs_b = joining_hubs_of.find(b);
    if (hubs_a == joining_hubs_of.end() || hubs_b == joining_hubs_of.end()) continue;
    if (internal::SortedIntersect(hubs_a->second, hubs_b->second)) corroborated[a] = corroborated[b] = true;
  }
  auto joins_hubs = [&](uint32_t account) {
    internal::JoinEvidence evidence{.hub_families = hub_families[account],
                                    .member_hub = member_hub[account],
                                    .strong_weight = StrongWeight(strong_hubs[account]),
                                    .alone_weight = StrongWeight(strong_hubs[account], true),
                                    .corroborated = corroborated[account]};
    return internal::JoinsHubs(suspicious[account], member(account), evidence, config_);
  };
  for (const DetectState::Group& hub : hubs) {
    uint32_t first = UINT32_MAX;
    for (size_t i = hub.begin; i < hub.end; ++i) {
      uint32_t account = holdings[i].account;
      if (!joins_hubs(account)) continue;
      if (first == UINT32_MAX) {
        first = account;
      } else {
        state.clusters.Union(first, account);
      }
    }
  }
  for (uint64_t pair : joined_pairs) {
    state.clusters.Union(static_cast<uint32_t>(pair >> 32), static_cast<uint32_t>(pair));
  }
}

// Clusters with enough accounts whose members look like harvesters on their
// own become campaigns, largest (by exchanges) first.
void Engine::FormCampaigns(DetectState& state, Detection* detection) const {
  const size_t account_count = features_.size();
  absl::flat_hash_map<uint32_t, std::vector<ingest::Id>> members_by_root;
  for (uint32_t account = 0; account < account_count; ++account) {
    if (features_.Get(account).events == 0) continue;
    members_by_root[state.clusters.Find(account)].push_back(account);
  }
  for (auto& [root, members] : members_by_root) {
    std::vector<double> member_points;
    for (ingest::Id account : members) member_points.push_back(detection->verdicts[account].points);
    double median_points = Median(member_points);
    if (!internal::IsCampaign(members.size(), median_points, config_)) continue;
    Campaign campaign;
    campaign.median_points = median_points;
    campaign.accounts = std::move(members);
    std::sort(campaign.accounts.begin(), campaign.accounts.end());
    SumUpCampaign(features_, config_, &campaign);
    detection->campaigns.push_back(std::move(campaign));
  }
  std::sort(detection->campaigns.begin(), detection->campaigns.end(), [](const Campaign& a, const Campaign& b) {
    return a.exchanges != b.exchanges ? a.exchanges > b.exchanges : a.accounts[0] < b.accounts[0];
  });
  state.campaign_of.assign(account_count, -1);
  for (size_t index = 0; index < detection->campaigns.size(); ++index) {
    Campaign& campaign = detection->campaigns[index];
    campaign.id = fmt::format("hg-c{}", index + 1);
    for (ingest::Id account : campaign.accounts) state.campaign_of[account] = static_cast<int>(index);
  }
}

// Indicators (keys held by several accounts of one campaign, the most shared
// and most exclusive first) and, per account, its best shared key per signal;
// then each campaign's score.
void Engine::FindIndicators(DetectState& state, Detection* detection) const {
  const std::vector<Holding>& holdings = state.holdings;
  struct Shared {
    uint32_t group;
    uint32_t holders_in_campaign;
  };
  std::vector<std::vector<Shared>> shared_by_campaign(detection->campaigns.size());
  state.best_link.resize(features_.size());
  absl::flat_hash_map<int, uint32_t> tally;
  for (uint32_t group_index = 0; group_index < state.groups.size(); ++group_index) {
    const DetectState::Group& group = state.groups[group_index];
    tally.clear();
    for (size_t i = group.begin; i < group.end; ++i) {
      int campaign = state.campaign_of[holdings[i].account];
      if (campaign >= 0) ++tally[campaign];
    }
    for (const auto& [campaign, holders] : tally) {
      if (holders >= 2) shared_by_campaign[campaign].push_back(Shared{group_index, holders});
    }
    for (size_t i = group.begin; i < group.end; ++i) {
      int campaign = state.campaign_of[holdings[i].account];
      if (campaign < 0) continue;
      uint32_t holders = tally[campaign];
      if (holders < 2) continue;
      // Per signal, the key that says most: a strong hub over a hub over
      // a plain shared value, then the one shared with most of the campaign.
      DetectState::AccountLink& best = state.best_link[holdings[i].account][holdings[i].signal];
      int standing = state.hub_null[group_index].standing;
      if (best.holders == 0 ||
          std::make_pair(standing, holders) > std::make_pair(state.hub_null[best.group].standing, best.holders)) {
        best = DetectState::AccountLink{group_index, holders};
      }
    }
  }
  auto holders_of = [&](uint32_t group) { return state.groups[group].end - state.groups[group].begin; };
  for (size_t index = 0; index < detection->campaigns.size(); ++index) {
    Campaign& campaign = detection->campaigns[index];
    std::vector<Shared>& shared = shared_by_campaign[index];
    std::sort(shared.begin(), shared.end(), [&](const Shared& a, const Shared& b) {
      if (a.holders_in_campaign != b.holders_in_campaign) return a.holders_in_campaign > b.holders_in_campaign;
      size_t holders_a = holders_of(a.group), holders_b = holders_of(b.group);
      return holders_a != holders_b ? holders_a < holders_b : a.group < b.group;
    });
    absl::flat_hash_map<uint16_t, int> per_signal;
    for (const Shared& entry : shared) {
      const Holding& first = holdings[state.groups[entry.group].begin];
      if (++per_signal[first.signal] > 5) continue;
      const LoadedLinkSignal& signal = link_signals_[first.signal];
      const DetectState::HubNull& null = state.hub_null[entry.group];
      campaign.indicators.push_back(Indicator{
          signal.name, signal.info.family, state.Describe(*this, entry.group), first.key, entry.holders_in_campaign,
          static_cast<uint32_t>(holders_of(entry.group)), null.qualified, null.expected});
    }
    ScoreCampaign(config_, &campaign);
  }
}

// Campaign members are flagged (block when suspicious on their own, else
// challenge), with the campaign's evidence first; others get monitor or allow.
void Engine::IssueVerdicts(const DetectState& state, Detection* detection) const {
  for (uint32_t account = 0; account < features_.size(); ++account) {
    AccountVerdict& verdict = detection->verdicts[account];
    const AccountFeatures& features = features_.Get(account);
    if (features.events == 0) continue;
    double own_score = Logistic(1.5 * (verdict.points - config_.suspicious_points));
    verdict.score = own_score;
    verdict.since_ms = features.first_ms;
    verdict.campaign = state.campaign_of[account];
    verdict.action = internal::AccountAction(verdict.campaign >= 0, state.suspicious[account], verdict.points, config_);
    if (verdict.campaign < 0) continue;
    const Campaign& campaign = detection->campaigns[verdict.campaign];
    verdict.score = std::max(own_score, campaign.score);
    verdict.since_ms = std::max(features.first_ms, campaign.since_ms);
    std::vector<std::string> reasons;
    reasons.push_back(fmt::format("member of campaign {} ({} accounts, {} exchanges)", campaign.id,
                                  campaign.accounts.size(), campaign.exchanges));
    const auto& best = state.best_link[account];
    std::vector<std::pair<uint16_t, DetectState::AccountLink>> links(best.begin(), best.end());
    // The evidence that joins first: strong hubs (by what they weigh toward
    // joining), then other hubs, then keys by their pair weight.
    auto rank = [&](const std::pair<uint16_t, DetectState::AccountLink>& link) {
      const LinkPolicy& policy = link_signals_[link.first].policy;
      int standing = state.hub_null[link.second.group].standing;
      return std::make_tuple(standing, standing == 2 ? policy.strong_weight : 0, policy.weight);
    };
    std::sort(links.begin(), links.end(), [&](const auto& a, const auto& b) {
      auto rank_a = rank(a), rank_b = rank(b);
      return rank_a != rank_b ? rank_a > rank_b : a.first < b.first;
    });
    for (const auto& [signal, link] : links) {
      if (reasons.size() >= 4) break;
      // A key with no more suspicious holders than chance predicts (a
      // webmail domain) is shared, but it is not evidence: not a reason.
      const DetectState::HubNull& null = state.hub_null[link.group];
      if (null.qualified >= 0 && static_cast<double>(null.qualified) <= null.expected) continue;
      std::string reason = fmt::format("shares {} {} with {} other campaign accounts", link_signals_[signal].name,
                                       state.Describe(*this, link.group), link.holders - 1);
      if (null.qualified >= 0) {
        size_t holders = state.groups[link.group].end - state.groups[link.group].begin;
        reason +=
            fmt::format(" ({} of its {} holders {}; expected by chance: {})", null.qualified, holders,
                        internal::QualifiedName(link_signals_[signal].policy), internal::ExpectedCount(null.expected));
      }
      reasons.push_back(std::move(reason));
      // A co-active group in figures for this account: its strongest pair.
      if (static_cast<int>(signal) == coactivity_signal_) {
        if (auto found = state.coactive.find(account); found != state.coactive.end()) {
          const internal::CoactivePair& pair = found->second.strongest;
          reasons.push_back(pair.Describe(interners_->account.Name(pair.b), coactivity_->options().window_ms));
        }
      }
    }
    for (std::string& reason : verdict.reasons) reasons.push_back(std::move(reason));
    verdict.reasons = std::move(reasons);
  }
}

}  // namespace hydraguard::engine
