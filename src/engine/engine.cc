#include "engine/engine.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "engine/campaign_score.h"
#include "engine/union_find.h"
#include "fmt/format.h"

namespace hydraguard::engine {
namespace {

constexpr int64_t kDayMs = 86400000;

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
          return absl::InvalidArgumentError(
              fmt::format("{}.{}: unknown parameter \"{}\"", kind, name, param));
        }
        params[param] = value;
      }
    }
    out->push_back(Loaded<Signal>{name, factory.info, factory.make(params)});
    out->back().info.defaults = std::move(params);  // the values in effect
  }
  return absl::OkStatus();
}

LinkPolicy PolicyFrom(const SignalParams& params) {
  LinkPolicy policy;
  auto read = [&](std::string_view name, double* value) {
    auto found = params.find(name);
    if (found != params.end()) *value = found->second;
  };
  read("weight", &policy.weight);
  read("pair_cap", &policy.pair_cap);
  read("rarity", &policy.rarity);
  read("hub", &policy.hub);
  read("strong_share", &policy.strong_share);
  read("strong_weight", &policy.strong_weight);
  read("capacity", &policy.capacity);
  read("min_share", &policy.min_share);
  read("min_events", &policy.min_events);
  return policy;
}

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
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

Engine::Engine(const EngineConfig& config, const netinfo::NetworkLists* lists, const ingest::Interners* interners)
    : config_(config), interners_(interners), features_(lists) {}

Engine::~Engine() = default;

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create(const EngineConfig& config,
                                                       const netinfo::NetworkLists* lists,
                                                       const ingest::Interners* interners) {
  std::unique_ptr<Engine> engine(new Engine(config, lists, interners));
  std::vector<Loaded<AccountSignal>> account_signals;
  if (absl::Status status = LoadSignals("account_signals", config.account_signals, &account_signals); !status.ok()) {
    return status;
  }
  for (auto& loaded : account_signals) engine->account_signals_.push_back(LoadedAccountSignal{std::move(loaded)});
  std::vector<Loaded<LinkSignal>> link_signals;
  if (absl::Status status = LoadSignals("link_signals", config.link_signals, &link_signals); !status.ok()) {
    return status;
  }
  for (auto& loaded : link_signals) {
    LinkPolicy policy = PolicyFrom(loaded.info.defaults);
    engine->link_signals_.push_back(LoadedLinkSignal{std::move(loaded), policy});
  }
  return engine;
}

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

void Engine::Add(const ingest::Event& original) {
  ingest::Event without_text;
  const ingest::Event* event_ptr = &original;
  // Text is analysed on opening turns only (or when the turn is unknown): a
  // conversation's opening request sets its capability and carries its
  // template; follow-up turns (tool results, clarifications) would cost as
  // much to analyse and add little.
  bool follow_up = original.has(ingest::Field::kTurn) && original.turn > 1 && config_.text_opening_turns_only > 0;
  if ((config_.use_text == 0 || follow_up) &&
      (original.has(ingest::Field::kPrompt) || original.has(ingest::Field::kSystem))) {
    without_text = original;
    without_text.prompt = without_text.system = {};
    without_text.present &= ~((1u << static_cast<int>(ingest::Field::kPrompt)) |
                              (1u << static_cast<int>(ingest::Field::kSystem)));
    event_ptr = &without_text;
  }
  const ingest::Event& event = *event_ptr;
  ++events_;
  features_.Add(event);
  for (int field = 0; field < ingest::kFieldCount; ++field) field_counts_[field] += (event.present >> field) & 1u;
  if (event.account >= keys_.size()) {
    keys_.resize(event.account + 1);
    org_.resize(event.account + 1, ingest::kNoId);
  }
  if (event.org != ingest::kNoId) org_[event.account] = event.org;
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

Detection Engine::Detect() const {
  Detection detection;
  detection.events = events_;
  const size_t account_count = features_.size();

  auto usable = [&](const SignalInfo& info) {
    if (info.inputs.empty()) return true;
    for (ingest::Field field : info.inputs) {
      if (field_counts_[static_cast<size_t>(field)] > 0) return true;
    }
    return false;
  };
  std::vector<bool> account_signal_usable, link_signal_usable;
  for (const auto& loaded : account_signals_) {
    account_signal_usable.push_back(usable(loaded.info));
    if (!account_signal_usable.back()) {
      detection.unused_signals.push_back(fmt::format("{} (no {} in the input)", loaded.name, FieldList(loaded.info.inputs)));
    }
  }
  for (const auto& loaded : link_signals_) {
    link_signal_usable.push_back(usable(loaded.info));
    if (!link_signal_usable.back()) {
      detection.unused_signals.push_back(fmt::format("{} (no {} in the input)", loaded.name, FieldList(loaded.info.inputs)));
    }
  }

  // 1. Each account's own points.
  detection.verdicts.resize(account_count);
  std::vector<bool> suspicious(account_count, false);
  for (uint32_t account = 0; account < account_count; ++account) {
    AccountVerdict& verdict = detection.verdicts[account];
    verdict.account = account;
    const AccountFeatures& features = features_.Get(account);
    if (features.events == 0) continue;
    std::vector<Evidence> reasons;
    for (size_t index = 0; index < account_signals_.size(); ++index) {
      if (!account_signal_usable[index]) continue;
      std::optional<Evidence> evidence = account_signals_[index].signal->Score(features);
      if (!evidence) continue;
      verdict.points += evidence->points;
      if (evidence->points > 0) reasons.push_back(std::move(*evidence));
    }
    std::sort(reasons.begin(), reasons.end(), [](const Evidence& a, const Evidence& b) { return a.points > b.points; });
    for (Evidence& evidence : reasons) verdict.reasons.push_back(std::move(evidence.reason));
    suspicious[account] = verdict.points >= config_.suspicious_points;
  }

  // 2. Who holds which keys.
  std::vector<Holding> holdings;
  for (uint32_t account = 0; account < keys_.size(); ++account) {
    const KeyCounter& counter = keys_[account];
    for (const KeyCount& entry : counter.entries()) {
      if (!link_signal_usable[entry.signal]) continue;
      const LinkPolicy& policy = link_signals_[entry.signal].policy;
      if (counter.events(entry.signal) < policy.min_events) continue;
      if (policy.min_share > 0) {
        uint32_t guaranteed = entry.count - entry.error;
        if (guaranteed < 2 || guaranteed < policy.min_share * counter.events(entry.signal)) continue;
      }
      holdings.push_back(Holding{entry.key, account, entry.signal});
    }
  }
  std::sort(holdings.begin(), holdings.end(), [](const Holding& a, const Holding& b) {
    if (a.signal != b.signal) return a.signal < b.signal;
    if (a.key != b.key) return a.key < b.key;
    return a.account < b.account;
  });

  // 3. Links: rarity-weighted pair evidence and suspicious hubs.
  auto member = [&](uint32_t account) { return detection.verdicts[account].points >= config_.member_points; };
  UnionFind clusters(account_count);
  struct PairEvidence {
    float total = 0;
    float identity = 0;  // from identity keys (payment, sign-up, e-mail domain)
  };
  absl::flat_hash_map<uint64_t, PairEvidence> pair_points;
  struct Group {
    size_t begin, end;
  };
  std::vector<Group> groups;
  std::vector<Group> hubs;
  std::vector<uint8_t> hub_families(account_count, 0);  // by account: bit per Family
  std::vector<uint32_t> strong_hubs(account_count, 0);  // by account: bit per link signal
  for (size_t begin = 0; begin < holdings.size();) {
    size_t end = begin + 1;
    while (end < holdings.size() && holdings[end].signal == holdings[begin].signal &&
           holdings[end].key == holdings[begin].key) {
      ++end;
    }
    size_t holders = end - begin;
    if (holders >= 2) groups.push_back(Group{begin, end});
    const LinkPolicy& policy = link_signals_[holdings[begin].signal].policy;
    if (holders >= 2 && holders <= policy.pair_cap) {
      // Rarity: full weight for two holders, falling with the log of the count.
      double weight = policy.rarity > 0 ? policy.weight * std::log1p(policy.pair_cap / holders) /
                                              std::log1p(policy.pair_cap / 2)
                                        : policy.weight;
      bool identity = link_signals_[holdings[begin].signal].info.family == Family::kIdentity;
      for (size_t i = begin; i < end; ++i) {
        for (size_t j = i + 1; j < end; ++j) {
          uint32_t a = holdings[i].account, b = holdings[j].account;
          if (org_[a] != ingest::kNoId && org_[a] == org_[b]) continue;
          PairEvidence& evidence = pair_points[PairKey(a, b)];
          evidence.total += static_cast<float>(weight);
          if (identity) evidence.identity += static_cast<float>(weight);
        }
      }
    }
    if (policy.hub > 0 && holders >= config_.hub_min_accounts) {
      // Lockstep is coordination no honest account shows by chance, so a
      // timing key needs only members (not suspicious accounts) behind it.
      Family family = link_signals_[holdings[begin].signal].info.family;
      auto qualifies = [&](uint32_t account) {
        return family == Family::kTiming ? member(account) : static_cast<bool>(suspicious[account]);
      };
      size_t suspicious_holders = 0;
      for (size_t i = begin; i < end; ++i) suspicious_holders += qualifies(holdings[i].account);
      if (suspicious_holders >= config_.hub_min_accounts &&
          suspicious_holders >= config_.hub_min_suspicious_share * static_cast<double>(holders)) {
        // Strong: (almost) no clearly honest holder, i.e. one below member_points.
        size_t honest_holders = 0;
        for (size_t i = begin; i < end; ++i) honest_holders += !member(holdings[i].account);
        bool strong = static_cast<double>(holders - honest_holders) >= policy.strong_share * static_cast<double>(holders);
        if (strong || config_.weak_hubs_join > 0) hubs.push_back(Group{begin, end});
        for (size_t i = begin; i < end; ++i) {
          uint32_t account = holdings[i].account;
          if (!member(account)) continue;
          hub_families[account] |= 1u << static_cast<int>(family);
          if (strong) strong_hubs[account] |= 1u << (holdings[begin].signal % 32);
        }
      }
    }
    begin = end;
  }
  // Sum of strong_weight over the link signals of an account's strong hubs.
  auto StrongWeight = [&](uint32_t signals) {
    double weight = 0;
    for (size_t index = 0; index < link_signals_.size() && index < 32; ++index) {
      if ((signals >> index) & 1u) weight += link_signals_[index].policy.strong_weight;
    }
    return weight;
  };
  auto joins_hubs = [&](uint32_t account) {
    return member(account) && (suspicious[account] || (hub_families[account] & (1u << static_cast<int>(Family::kTiming)))) && StrongWeight(strong_hubs[account]) >= config_.hub_min_strong &&
           std::popcount(hub_families[account]) >= config_.hub_min_families;
  };
  for (const Group& hub : hubs) {
    uint32_t first = UINT32_MAX;
    for (size_t i = hub.begin; i < hub.end; ++i) {
      uint32_t account = holdings[i].account;
      if (!joins_hubs(account)) continue;
      if (first == UINT32_MAX) {
        first = account;
      } else {
        clusters.Union(first, account);
      }
    }
  }
  for (const auto& [pair, evidence] : pair_points) {
    auto a = static_cast<uint32_t>(pair >> 32), b = static_cast<uint32_t>(pair);
    // Network sharing alone never joins a pair: proxy exits are shared with
    // honest customers. Identity evidence (a card, a rare domain) must be part of it.
    bool joined = evidence.identity > 0 &&
                  (evidence.total >= config_.strong_pair_points ||
                   (evidence.total >= config_.pair_points && suspicious[a] && suspicious[b]) ||
                   (evidence.identity >= config_.member_pair_points && (suspicious[a] || suspicious[b]) &&
                    member(a) && member(b)));
    if (joined) clusters.Union(a, b);
  }

  // 4. Clusters that are campaigns.
  absl::flat_hash_map<uint32_t, std::vector<ingest::Id>> members_by_root;
  for (uint32_t account = 0; account < account_count; ++account) {
    if (features_.Get(account).events == 0) continue;
    if (clusters.SetSize(account) < config_.campaign_min_accounts) continue;
    members_by_root[clusters.Find(account)].push_back(account);
  }
  for (auto& [root, members] : members_by_root) {
    std::vector<double> member_points;
    for (ingest::Id account : members) member_points.push_back(detection.verdicts[account].points);
    double median_points = Median(member_points);
    if (median_points < config_.campaign_median_points) continue;
    Campaign campaign;
    campaign.median_points = median_points;
    campaign.accounts = std::move(members);
    std::sort(campaign.accounts.begin(), campaign.accounts.end());
    detection.campaigns.push_back(std::move(campaign));
  }

  std::vector<int> campaign_of(account_count, -1);
  for (Campaign& campaign : detection.campaigns) SumUpCampaign(features_, config_, &campaign);
  std::sort(detection.campaigns.begin(), detection.campaigns.end(),
            [](const Campaign& a, const Campaign& b) {
              return a.exchanges != b.exchanges ? a.exchanges > b.exchanges : a.accounts[0] < b.accounts[0];
            });
  for (size_t index = 0; index < detection.campaigns.size(); ++index) {
    Campaign& campaign = detection.campaigns[index];
    campaign.id = fmt::format("hg-c{}", index + 1);
    for (ingest::Id account : campaign.accounts) campaign_of[account] = static_cast<int>(index);
  }

  // 5. Indicators: keys held by several accounts of one campaign.
  struct Shared {
    uint32_t group;
    uint32_t holders_in_campaign;
  };
  std::vector<std::vector<Shared>> shared_by_campaign(detection.campaigns.size());
  struct AccountLink {
    uint32_t group = 0, holders = 0;
  };
  // Per account and link signal, the shared key with the most campaign holders.
  std::vector<absl::flat_hash_map<uint16_t, AccountLink>> best_link(account_count);
  absl::flat_hash_map<int, uint32_t> tally;
  for (uint32_t group_index = 0; group_index < groups.size(); ++group_index) {
    const Group& group = groups[group_index];
    tally.clear();
    for (size_t i = group.begin; i < group.end; ++i) {
      int campaign = campaign_of[holdings[i].account];
      if (campaign >= 0) ++tally[campaign];
    }
    for (const auto& [campaign, holders] : tally) {
      if (holders < 2) continue;
      shared_by_campaign[campaign].push_back(Shared{group_index, holders});
    }
    for (size_t i = group.begin; i < group.end; ++i) {
      int campaign = campaign_of[holdings[i].account];
      if (campaign < 0) continue;
      uint32_t holders = tally[campaign];
      if (holders < 2) continue;
      AccountLink& best = best_link[holdings[i].account][holdings[i].signal];
      if (holders > best.holders) best = AccountLink{group_index, holders};
    }
  }
  auto describe = [&](uint32_t group_index) {
    const Holding& first = holdings[groups[group_index].begin];
    return link_signals_[first.signal].signal->Describe(first.key, *interners_);
  };
  for (size_t index = 0; index < detection.campaigns.size(); ++index) {
    Campaign& campaign = detection.campaigns[index];
    std::vector<Shared>& shared = shared_by_campaign[index];
    std::sort(shared.begin(), shared.end(), [&](const Shared& a, const Shared& b) {
      if (a.holders_in_campaign != b.holders_in_campaign) return a.holders_in_campaign > b.holders_in_campaign;
      size_t holders_a = groups[a.group].end - groups[a.group].begin, holders_b = groups[b.group].end - groups[b.group].begin;
      return holders_a != holders_b ? holders_a < holders_b : a.group < b.group;  // the more exclusive first
    });
    absl::flat_hash_map<uint16_t, int> per_signal;
    for (const Shared& entry : shared) {
      const Group& group = groups[entry.group];
      uint16_t signal = holdings[group.begin].signal;
      if (++per_signal[signal] > 5) continue;
      campaign.indicators.push_back(Indicator{link_signals_[signal].name, link_signals_[signal].info.family,
                                              describe(entry.group),
                                              holdings[group.begin].key, entry.holders_in_campaign,
                                              static_cast<uint32_t>(group.end - group.begin)});
    }
    ScoreCampaign(config_, &campaign);
  }

  // 6. Verdicts.
  for (uint32_t account = 0; account < account_count; ++account) {
    AccountVerdict& verdict = detection.verdicts[account];
    const AccountFeatures& features = features_.Get(account);
    if (features.events == 0) continue;
    double own_score = Logistic(1.5 * (verdict.points - config_.suspicious_points));
    verdict.score = own_score;
    verdict.since_ms = features.first_ms;
    verdict.campaign = campaign_of[account];
    if (verdict.campaign < 0) {
      verdict.action = verdict.points >= config_.monitor_points ? Action::kMonitor : Action::kAllow;
      continue;
    }
    const Campaign& campaign = detection.campaigns[verdict.campaign];
    verdict.action = suspicious[account] ? Action::kBlock : Action::kChallenge;
    verdict.score = std::max(own_score, campaign.score);
    verdict.since_ms = std::max(features.first_ms, campaign.since_ms);
    std::vector<std::string> reasons;
    reasons.push_back(fmt::format("member of campaign {} ({} accounts, {} exchanges)", campaign.id,
                                  campaign.accounts.size(), campaign.exchanges));
    std::vector<std::pair<uint16_t, AccountLink>> links(best_link[account].begin(), best_link[account].end());
    std::sort(links.begin(), links.end(), [&](const auto& a, const auto& b) {
      double weight_a = link_signals_[a.first].policy.weight, weight_b = link_signals_[b.first].policy.weight;
      return weight_a != weight_b ? weight_a > weight_b : a.first < b.first;
    });
    for (const auto& [signal, link] : links) {
      if (reasons.size() >= 4) break;
      reasons.push_back(fmt::format("shares {} {} with {} other campaign accounts", link_signals_[signal].name,
                                    describe(link.group), link.holders - 1));
    }
    for (std::string& reason : verdict.reasons) reasons.push_back(std::move(reason));
    verdict.reasons = std::move(reasons);
  }
  return detection;
}

}  // namespace hydraguard::engine
