#include "engine/rescorer.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "engine/internal/coactivity.h"
#include "engine/internal/components.h"
#include "engine/internal/engine_view.h"
#include "engine/internal/link_rules.h"
#include "engine/internal/numbers.h"

namespace hydraguard::engine {
namespace {

using internal::Components;
using internal::HubStatus;
using internal::PairEvidence;
using internal::WorkList;

constexpr uint32_t kNoNode = internal::kNoNode;
constexpr uint32_t kGroupBit = 1u << 31;  // in node owners: the node is a key's

uint64_t PairKey(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return (static_cast<uint64_t>(a) << 32) | b;
}

bool Contains(const std::vector<uint32_t>& values, uint32_t value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Searches from the back: what is taken away was often added lately.
void Erase(std::vector<uint32_t>* values, uint32_t value) {
  auto found = std::find(values->rbegin(), values->rend(), value);
  if (found == values->rend()) return;
  *found = values->back();
  values->pop_back();
}

}  // namespace

// A key an account holds, and the index of its Group.
struct HeldKey {
  uint64_t key;
  uint16_t signal;
  uint32_t group;
  bool operator<(const HeldKey& other) const {
    return signal != other.signal ? signal < other.signal : key < other.key;
  }
  bool operator==(const HeldKey& other) const { return signal == other.signal && key == other.key; }
};

struct Rescorer::State {
  struct Account {
    double points = 0;
    bool scored = false, suspicious = false, member = false, joins = false;
    Action action = Action::kAllow;
    ingest::Id org = ingest::kNoId;
    uint32_t node = kNoNode;
    std::vector<uint32_t> groups;    // held keys' groups, sorted
    std::vector<HeldKey> held;       // held keys, sorted by (signal, key)
    uint32_t identity_pairs = 0;     // held identity keys within their pair_cap
    std::vector<uint32_t> partners;  // accounts joined to it by pair evidence
    std::vector<uint32_t> vouchers;  // ...of them, those whose pair PairCorroborates()
  };
  // A key held by at least one account.
  struct Group {
    uint64_t key = 0;
    uint16_t signal = 0;
    std::vector<uint32_t> holders;
    uint32_t qualified = 0, honest = 0, flagged = 0;
    HubStatus status;
    bool indicator = false;
    uint32_t node = kNoNode;  // allocated when it first joins its holders
  };
  struct Update {
    uint32_t account;
    double points;
    bool suspicious, member;
    ingest::Id org;
    std::vector<uint32_t> groups;
    std::vector<HeldKey> held;
  };

  explicit State(Engine* engine_in) : engine(engine_in), view(*engine_in), config(view.config()) {
    engine->TakeChangedAccounts();  // starts the tracking
    for (size_t index = 0; index < view.link_signal_count(); ++index) {
      policies.push_back(view.link_policy(index));
      families.push_back(view.link_family(index));
    }
    signal_names = view.LinkSignalNames();
  }

  Engine* engine;  // for its public interface only (TakeChangedAccounts)
  internal::EngineView view;
  const EngineConfig& config;
  std::vector<LinkPolicy> policies;  // by link signal
  std::vector<Family> families;
  std::vector<std::string> signal_names;
  bool first = true;
  std::vector<bool> account_usable, link_usable;
  std::vector<Account> accounts;
  std::vector<Group> groups;
  std::vector<uint8_t> identity_pairs;  // by group: an identity key within its pair_cap (PairWeight > 0)
  std::vector<uint32_t> free_groups;
  absl::flat_hash_map<std::pair<uint16_t, uint64_t>, uint32_t> group_ids;
  absl::flat_hash_map<uint64_t, PairEvidence> pairs;
  absl::flat_hash_set<std::pair<uint16_t, uint64_t>> indicators;
  Components components;
  std::vector<uint32_t> node_owner;  // account id, or group id | kGroupBit
  std::vector<VerdictChange> changes;
  // The hub null model (internal::HubNullRate): accounts scored, and of
  // them suspicious and members; the rates the hubs were last judged at.
  size_t active_count = 0, suspicious_count = 0, member_count = 0;
  double suspicious_rate = 0, member_rate = 0;
  // Co-active groups (a whole-log computation) as of the last refresh: the
  // log's time and event count then.
  absl::flat_hash_map<uint32_t, internal::CoactiveGroup> coactive;
  int64_t coactive_ms = INT64_MIN;
  uint64_t coactive_events = 0;

  // Work lists of one rescore.
  WorkList pair_groups;     // groups whose pair evidence is redone
  WorkList status_groups;   // groups whose counts changed
  WorkList pairs_accounts;  // accounts whose flags changed: every pair rechecked
  WorkList joins_accounts;  // accounts whose hub joining is rechecked
  WorkList dissolve_roots;  // sets that lose a link
  WorkList examined_roots;  // sets whose campaign standing is rechecked
  WorkList current_roots;   // ...as they are after this rescore's changes
  std::vector<uint64_t> touched_pairs;
  absl::flat_hash_set<uint64_t> fresh_pairs;
  std::vector<uint32_t> holders_scratch;
  std::vector<uint32_t> joining_scratch;                     // Corroborated()
  std::vector<std::pair<uint32_t, uint32_t>> unions;         // node pairs
  std::vector<std::pair<uint32_t, uint32_t>> removed_links;  // node pairs
  std::vector<uint32_t> visit_mark;                          // by node, for AllLinked()
  uint32_t visit_stamp = 0;
  std::vector<uint32_t> frontier[2], next_frontier;

  const LinkPolicy& Policy(const Group& group) const { return policies[group.signal]; }
  Family FamilyOf(const Group& group) const { return families[group.signal]; }

  uint32_t GroupId(uint16_t signal, uint64_t key) {
    auto [it, inserted] = group_ids.try_emplace(std::make_pair(signal, key), 0);
    if (!inserted) return it->second;
    uint32_t id;
    if (!free_groups.empty()) {
      id = free_groups.back();
      free_groups.pop_back();
    } else {
      id = static_cast<uint32_t>(groups.size());
      groups.emplace_back();
      identity_pairs.push_back(0);
    }
    Group& group = groups[id];
    group.key = key;
    group.signal = signal;
    it->second = id;
    return id;
  }

  uint32_t NewNode(uint32_t owner) {
    node_owner.push_back(owner);
    return components.Add();
  }
  uint32_t GroupNode(uint32_t group_id) {
    if (groups[group_id].node == kNoNode) groups[group_id].node = NewNode(group_id | kGroupBit);
    return groups[group_id].node;
  }

  // Adds or removes one holder of a key, keeping identity_pairs and the
  // holders' identity_pairs counts in step with the holder count.
  void AddHolder(uint32_t group_id, uint32_t account_id) {
    groups[group_id].holders.push_back(account_id);
    if (identity_pairs[group_id]) ++accounts[account_id].identity_pairs;
    UpdateIdentityPairs(group_id);
  }
  void RemoveHolder(uint32_t group_id, uint32_t account_id) {
    Erase(&groups[group_id].holders, account_id);
    if (identity_pairs[group_id]) --accounts[account_id].identity_pairs;
    UpdateIdentityPairs(group_id);
  }
  void UpdateIdentityPairs(uint32_t group_id) {
    const Group& group = groups[group_id];
    bool now = FamilyOf(group) == Family::kIdentity && internal::PairWeight(Policy(group), group.holders.size()) > 0;
    if (now == static_cast<bool>(identity_pairs[group_id])) return;
    identity_pairs[group_id] = now;
    for (uint32_t holder : group.holders) accounts[holder].identity_pairs += now ? 1 : -1;
  }

  // A pair's evidence from scratch: what every key both hold adds.
  PairEvidence SumPair(uint32_t a, uint32_t b) const {
    PairEvidence evidence;
    const Account &first = accounts[a], &second = accounts[b];
    if (first.org != ingest::kNoId && first.org == second.org) return evidence;
    auto left = first.groups.begin(), right = second.groups.begin();
    while (left != first.groups.end() && right != second.groups.end()) {
      if (*left < *right) {
        ++left;
      } else if (*right < *left) {
        ++right;
      } else {
        const Group& group = groups[*left];
        int64_t weight = internal::PairWeight(Policy(group), group.holders.size());
        evidence.total += weight;
        if (FamilyOf(group) == Family::kIdentity) evidence.identity += weight;
        ++left;
        ++right;
      }
    }
    return evidence;
  }

  // Adds (sign 1) or takes away (-1) what a key adds to its holders' pairs.
  // Only pairs that share an identity key are kept (PairJoined() needs
  // one): identity keys create them (from scratch, SumPair()), other keys
  // update the ones that exist. `fresh`: pairs created by this rescore,
  // already complete.
  void ApplyPairs(const Group& group, int sign) {
    int64_t weight = internal::PairWeight(Policy(group), group.holders.size());
    if (weight == 0) return;
    bool identity = FamilyOf(group) == Family::kIdentity;
    holders_scratch.clear();
    for (uint32_t holder : group.holders) {
      if (identity || accounts[holder].identity_pairs > 0) holders_scratch.push_back(holder);
    }
    for (size_t i = 0; i < holders_scratch.size(); ++i) {
      for (size_t j = i + 1; j < holders_scratch.size(); ++j) {
        uint32_t a = holders_scratch[i], b = holders_scratch[j];
        ingest::Id org_a = accounts[a].org;
        if (org_a != ingest::kNoId && org_a == accounts[b].org) continue;
        uint64_t key = PairKey(a, b);
        if (fresh_pairs.contains(key)) continue;
        auto found = pairs.find(key);
        if (found == pairs.end()) {
          if (!identity || sign < 0) continue;
          pairs.emplace(key, SumPair(a, b));
          fresh_pairs.insert(key);
        } else {
          found->second.total += sign * weight;
          if (identity) found->second.identity += sign * weight;
        }
        touched_pairs.push_back(key);
      }
    }
  }

  void Count(Group& group, const Account& account, int sign) {
    group.qualified += sign * internal::QualifiesForHub(Policy(group), account.suspicious, account.member);
    group.honest += sign * !account.member;
    group.flagged += sign * Flagged(account.action);
  }

  void CheckPair(uint32_t a, uint32_t b) {
    uint64_t key = PairKey(a, b);
    auto found = pairs.find(key);
    PairEvidence evidence = found == pairs.end() ? PairEvidence{} : found->second;
    if (found != pairs.end() && evidence.identity <= 0) pairs.erase(found);
    const Account &first = accounts[a], &second = accounts[b];
    bool joined =
        internal::PairJoined(evidence, first.suspicious, second.suspicious, first.member, second.member, config);
    bool vouches = joined && internal::PairCorroborates(evidence, config);
    if (vouches != Contains(first.vouchers, b)) {  // Corroborated() reads vouchers
      if (vouches) {
        accounts[a].vouchers.push_back(b);
        accounts[b].vouchers.push_back(a);
      } else {
        Erase(&accounts[a].vouchers, b);
        Erase(&accounts[b].vouchers, a);
      }
      joins_accounts.Add(a);
      joins_accounts.Add(b);
    }
    bool was = Contains(first.partners, b);
    if (joined == was) return;
    if (joined) {
      accounts[a].partners.push_back(b);
      accounts[b].partners.push_back(a);
      unions.emplace_back(first.node, second.node);
    } else {
      Erase(&accounts[a].partners, b);
      Erase(&accounts[b].partners, a);
      removed_links.emplace_back(first.node, second.node);
    }
  }

  void CheckJoins(uint32_t account_id) {
    Account& account = accounts[account_id];
    internal::JoinEvidence evidence;
    uint32_t strong = 0;
    if (account.member) {
      for (uint32_t group_id : account.groups) {
        const Group& group = groups[group_id];
        if (!group.status.hub) continue;
        evidence.hub_families |= 1u << static_cast<int>(FamilyOf(group));
        if (Policy(group).members_qualify > 0) evidence.member_hub = true;
        if (group.status.strong) strong |= 1u << (group.signal % 32);
      }
    }
    evidence.strong_weight = view.StrongWeight(strong);
    evidence.alone_weight = view.StrongWeight(strong, true);
    bool joins = internal::JoinsHubs(account.suspicious, account.member, evidence, config);
    if (!joins && account.member && config.pair_corroborates_hub > 0 && !account.vouchers.empty()) {
      evidence.corroborated = Corroborated(account_id);
      joins = internal::JoinsHubs(account.suspicious, account.member, evidence, config);
    }
    if (account.joins && !joins) {
      for (uint32_t group_id : account.groups) {
        if (internal::HubJoins(groups[group_id].status, config)) {
          removed_links.emplace_back(account.node, GroupNode(group_id));
        }
      }
    }
    account.joins = joins;
    if (!joins) return;
    for (uint32_t group_id : account.groups) {
      if (internal::HubJoins(groups[group_id].status, config)) unions.emplace_back(account.node, GroupNode(group_id));
    }
  }

  // Whether a member voucher (a partner by a pair that PairCorroborates())
  // holds one of the account's joining hubs.
  bool Corroborated(uint32_t account_id) {
    const Account& account = accounts[account_id];
    joining_scratch.clear();
    for (uint32_t group_id : account.groups) {
      if (internal::HubJoins(groups[group_id].status, config)) joining_scratch.push_back(group_id);
    }
    for (uint32_t voucher : account.vouchers) {
      if (accounts[voucher].member && internal::SortedIntersect(joining_scratch, accounts[voucher].groups)) return true;
    }
    return false;
  }

  void AddLinksOf(uint32_t account_id) {
    const Account& account = accounts[account_id];
    for (uint32_t partner : account.partners) components.Union(account.node, accounts[partner].node);
    if (!account.joins) return;
    for (uint32_t group_id : account.groups) {
      if (internal::HubJoins(groups[group_id].status, config)) components.Union(account.node, GroupNode(group_id));
    }
  }

  // Calls visit(neighbour) for each node linked to `node` now, until it
  // returns false.
  template <typename Visit>
  void ForEachLink(uint32_t node, Visit visit) {
    uint32_t owner = node_owner[node];
    if (owner & kGroupBit) {
      const Group& group = groups[owner & ~kGroupBit];
      if (!internal::HubJoins(group.status, config)) return;
      for (uint32_t holder : group.holders) {
        if (accounts[holder].joins && !visit(accounts[holder].node)) return;
      }
      return;
    }
    const Account& account = accounts[owner];
    for (uint32_t partner : account.partners) {
      if (!visit(accounts[partner].node)) return;
    }
    if (!account.joins) return;
    for (uint32_t group_id : account.groups) {
      if (internal::HubJoins(groups[group_id].status, config) && !visit(GroupNode(group_id))) return;
    }
  }

  bool Isolated(uint32_t node) {
    bool linked = false;
    ForEachLink(node, [&](uint32_t) { return !(linked = true); });
    return !linked;
  }

  // A quick sufficient test that keys' nodes are linked: one account joins
  // them all (campaign accounts hold the same hubs).
  bool SharedJoiner(const std::vector<uint32_t>& nodes) {
    const Group* smallest = nullptr;
    for (uint32_t node : nodes) {
      if (!(node_owner[node] & kGroupBit)) return false;
      const Group& group = groups[node_owner[node] & ~kGroupBit];
      if (smallest == nullptr || group.holders.size() < smallest->holders.size()) smallest = &group;
    }
    constexpr int kTries = 64;
    int tries = 0;
    for (uint32_t holder : smallest->holders) {
      const Account& account = accounts[holder];
      if (!account.joins) continue;
      bool all = std::all_of(nodes.begin(), nodes.end(), [&](uint32_t node) {
        return std::binary_search(account.groups.begin(), account.groups.end(), node_owner[node] & ~kGroupBit);
      });
      if (all) return true;
      if (++tries == kTries) break;
    }
    return false;
  }

  // Whether current links join all of `nodes` (a search from the first, up
  // to the last of them found).
  bool AllLinked(std::vector<uint32_t> nodes) {
    if (SharedJoiner(nodes)) return true;
    // Start from an account if there is one: it has few links, a key many.
    auto account =
        std::find_if(nodes.begin(), nodes.end(), [&](uint32_t node) { return !(node_owner[node] & kGroupBit); });
    if (account != nodes.end()) std::iter_swap(nodes.begin(), account);
    visit_stamp += 2;
    const uint32_t seen = visit_stamp, target = visit_stamp + 1;
    if (visit_mark.size() < components.size()) visit_mark.resize(components.size(), 0);
    for (uint32_t node : nodes) visit_mark[node] = target;
    size_t missing = nodes.size() - 1;
    visit_mark[nodes[0]] = seen;
    frontier[0].assign(1, nodes[0]);
    while (!frontier[0].empty() && missing > 0) {
      next_frontier.clear();
      for (uint32_t node : frontier[0]) {
        ForEachLink(node, [&](uint32_t next) {
          if (next >= visit_mark.size()) visit_mark.resize(components.size(), 0);
          if (visit_mark[next] == seen) return true;
          missing -= visit_mark[next] == target;
          visit_mark[next] = seen;
          next_frontier.push_back(next);
          return missing > 0;
        });
        if (missing == 0) break;
      }
      frontier[0].swap(next_frontier);
    }
    return missing == 0;
  }

  // Sets that lost links: the ends of the lost links that have no link left
  // leave the set; if the other ends are still linked to each other, the
  // rest of the set is too (every old path between two members can go round
  // a lost link), else the set is taken apart and rebuilt.
  void CheckRemovedLinks() {
    absl::flat_hash_map<uint32_t, std::vector<uint32_t>> ends_by_root;
    for (auto [a, b] : removed_links) {
      ends_by_root[components.Find(a)].push_back(a);
      ends_by_root[components.Find(b)].push_back(b);
    }
    std::vector<std::pair<uint32_t, std::vector<uint32_t>>> sets(ends_by_root.begin(), ends_by_root.end());
    std::sort(sets.begin(), sets.end());  // the same work in every run
    std::vector<uint32_t> isolated, linked;
    for (auto& [root, ends] : sets) {
      std::sort(ends.begin(), ends.end());
      ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
      isolated.clear();
      linked.clear();
      for (uint32_t node : ends) (Isolated(node) ? isolated : linked).push_back(node);
      if (linked.size() >= 2 && !AllLinked(linked)) {
        dissolve_roots.Add(root);
        continue;
      }
      if (isolated.empty()) continue;
      uint32_t rest = components.Detach(root, isolated);
      for (uint32_t node : isolated) examined_roots.Add(node);
      if (rest != kNoNode) examined_roots.Add(rest);
    }
  }

  void SetAction(uint32_t account_id, Action action) {
    Account& account = accounts[account_id];
    if (account.action == action) return;
    changes.push_back(VerdictChange{account_id, account.action, action});
    if (Flagged(account.action) != Flagged(action)) {
      for (uint32_t group_id : account.groups) {
        groups[group_id].flagged += Flagged(action) ? 1 : -1;
        status_groups.Add(group_id);
      }
    }
    account.action = action;
  }

  std::vector<uint32_t> AccountsToRead(Freshness freshness) {
    std::vector<ingest::Id> changed = engine->TakeChangedAccounts();
    RefreshCoactivity(freshness, &changed);
    std::vector<bool> account_now, link_now;
    view.CheckSignals(&account_now, &link_now, nullptr);
    if (!first && account_now == account_usable && link_now == link_usable) return changed;
    first = false;
    account_usable = std::move(account_now);
    link_usable = std::move(link_now);
    std::vector<uint32_t> all;
    for (uint32_t account = 0; account < view.features().size(); ++account) {
      if (view.features().Get(account).events > 0) all.push_back(account);
    }
    return all;
  }

  // Co-active groups are found over the whole log (Engine::CoactiveGroups):
  // again when the log's time has moved refresh_hours and the log has grown
  // by refresh_growth since the last time (so that all the refreshes of a
  // log cost a few times one Find() over all of it), or at once (kComplete).
  // Accounts whose group changed are read again.
  void RefreshCoactivity(Freshness freshness, std::vector<ingest::Id>* changed) {
    if (view.coactivity_signal() < 0 || view.events() == coactive_events) return;
    if (freshness == Freshness::kScheduled && coactive_ms != INT64_MIN &&
        (view.latest_ms() - coactive_ms < view.coactivity_refresh_ms() ||
         static_cast<double>(view.events() - coactive_events) <
             view.coactivity_refresh_growth() * static_cast<double>(coactive_events))) {
      return;
    }
    absl::flat_hash_map<uint32_t, internal::CoactiveGroup> now = view.CoactiveGroups();
    absl::flat_hash_set<uint32_t> listed(changed->begin(), changed->end());
    auto reread = [&](uint32_t account) {
      if (listed.insert(account).second) changed->push_back(account);
    };
    for (const auto& [account, group] : coactive) {
      auto found = now.find(account);
      if (found == now.end() || found->second.key != group.key) reread(account);
    }
    for (const auto& [account, group] : now) {
      if (!coactive.contains(account)) reread(account);
    }
    coactive = std::move(now);
    coactive_ms = view.latest_ms();
    coactive_events = view.events();
  }

  Update Read(uint32_t account_id) {
    Update update{account_id, 0, false, false, view.org(account_id), {}, {}};
    update.points = view.ScoreAccount(account_id, account_usable, nullptr);
    update.suspicious = update.points >= config.suspicious_points;
    update.member = update.points >= config.member_points;
    auto group = coactive.find(account_id);
    internal::ForEachHeldKey(
        view.keys(account_id), link_usable, [&](uint16_t signal) -> const LinkPolicy& { return policies[signal]; },
        view.coactivity_signal(), group == coactive.end() ? nullptr : &group->second.key,
        [&](uint16_t signal, uint64_t key) {
          update.held.push_back(HeldKey{key, signal, 0});
        });
    std::sort(update.held.begin(), update.held.end());
    update.held.erase(std::unique(update.held.begin(), update.held.end()), update.held.end());
    // Keys it held before keep their group; only new ones are looked up.
    const std::vector<HeldKey>& before = accounts[account_id].held;
    auto previous = before.begin();
    for (HeldKey& held : update.held) {
      while (previous != before.end() && *previous < held) ++previous;
      held.group = previous != before.end() && previous->signal == held.signal && previous->key == held.key
                       ? previous->group
                       : GroupId(held.signal, held.key);
      update.groups.push_back(held.group);
    }
    std::sort(update.groups.begin(), update.groups.end());
    return update;
  }

  void Apply(Update& update) {
    Account& account = accounts[update.account];
    if (account.node == kNoNode) account.node = NewNode(update.account);
    const bool flags_changed =
        !account.scored || account.suspicious != update.suspicious || account.member != update.member;
    std::vector<uint32_t> removed, added;
    std::set_difference(account.groups.begin(), account.groups.end(), update.groups.begin(), update.groups.end(),
                        std::back_inserter(removed));
    std::set_difference(update.groups.begin(), update.groups.end(), account.groups.begin(), account.groups.end(),
                        std::back_inserter(added));
    for (uint32_t group_id : removed) {
      RemoveHolder(group_id, update.account);
      Group& group = groups[group_id];
      Count(group, account, -1);
      status_groups.Add(group_id);
      if (account.joins && internal::HubJoins(group.status, config)) {
        removed_links.emplace_back(account.node, GroupNode(group_id));
      }
    }
    if (flags_changed) {
      for (uint32_t group_id : account.groups) {
        if (std::binary_search(removed.begin(), removed.end(), group_id)) continue;
        Count(groups[group_id], account, -1);
        status_groups.Add(group_id);
      }
    }
    if (account.scored) {
      suspicious_count -= account.suspicious;
      member_count -= account.member;
    } else {
      ++active_count;
    }
    suspicious_count += update.suspicious;
    member_count += update.member;
    account.points = update.points;
    account.suspicious = update.suspicious;
    account.member = update.member;
    account.org = update.org;
    account.scored = true;
    account.groups = std::move(update.groups);
    account.held = std::move(update.held);
    for (uint32_t group_id : account.groups) {
      bool is_new = std::binary_search(added.begin(), added.end(), group_id);
      if (!is_new && !flags_changed) continue;
      Group& group = groups[group_id];
      if (is_new) AddHolder(group_id, update.account);
      Count(group, account, 1);
      status_groups.Add(group_id);
    }
    if (flags_changed) pairs_accounts.Add(update.account);
    if (flags_changed || !removed.empty() || !added.empty()) joins_accounts.Add(update.account);
    // Its vouchers' Corroborated() reads its member flag and joining hubs.
    auto joining = [&](uint32_t group_id) { return internal::HubJoins(groups[group_id].status, config); };
    if (flags_changed || std::any_of(removed.begin(), removed.end(), joining) ||
        std::any_of(added.begin(), added.end(), joining)) {
      for (uint32_t voucher : account.vouchers) joins_accounts.Add(voucher);
    }
    examined_roots.Add(components.Find(account.node));  // its points changed
  }

  // Rescore() in stages, in this order (the steps of Engine::Detect(), made incremental).
  RescoreStats Rescore(Freshness freshness) {
    RescoreStats stats;
    StartRescore();
    std::vector<Update> updates = ReadChangedAccounts(freshness, &stats);
    ReapplyPairEvidence(updates);
    ReviewHubs();
    ReviewPairsAndJoins(&stats);
    std::vector<uint32_t> rebuilt = RebuildClusters();
    ScoreClusters(rebuilt, &stats);
    UpdateIndicators();
    return stats;
  }

  void StartRescore() {
    changes.clear();
    for (WorkList* list : {&pair_groups, &status_groups, &pairs_accounts, &joins_accounts, &dissolve_roots,
                           &examined_roots, &current_roots}) {
      list->Reset();
    }
    touched_pairs.clear();
    fresh_pairs.clear();
    unions.clear();
    removed_links.clear();
  }

  // 1. What the changed accounts hold now; the keys whose pairs change.
  std::vector<Update> ReadChangedAccounts(Freshness freshness, RescoreStats* stats) {
    std::vector<uint32_t> changed = AccountsToRead(freshness);
    stats->accounts = changed.size();
    if (accounts.size() < view.features().size()) accounts.resize(view.features().size());
    std::vector<Update> updates;
    updates.reserve(changed.size());
    for (uint32_t account_id : changed) {
      updates.push_back(Read(account_id));
      const Update& update = updates.back();
      const Account& account = accounts[account_id];
      bool org_changed = account.scored && account.org != update.org;
      for (const std::vector<uint32_t>* list : {&account.groups, &update.groups}) {
        for (uint32_t group_id : *list) {
          bool in_both = std::binary_search(account.groups.begin(), account.groups.end(), group_id) &&
                         std::binary_search(update.groups.begin(), update.groups.end(), group_id);
          if (!in_both || org_changed) pair_groups.Add(group_id);
        }
      }
    }
    return updates;
  }

  // 2. Take away those keys' pair evidence, apply the changes, add it back.
  void ReapplyPairEvidence(std::vector<Update>& updates) {
    for (uint32_t group_id : pair_groups.items()) ApplyPairs(groups[group_id], -1);
    for (Update& update : updates) Apply(update);
    for (uint32_t group_id : pair_groups.items()) ApplyPairs(groups[group_id], 1);
  }

  // 3. Hubs whose standing changed: their holders recheck joining.
  void ReviewHubs() {
    RejudgeOnNewNullRates();
    for (uint32_t group_id : status_groups.items()) {
      Group& group = groups[group_id];
      double null_rate = internal::NullRateFor(Policy(group), suspicious_rate, member_rate);
      HubStatus status =
          internal::EvaluateHub(Policy(group), group.holders.size(), group.qualified, group.honest, null_rate,
                                internal::ChanceQualifiedPerHonest(null_rate, member_rate), config);
      if (status == group.status) continue;
      if (internal::HubJoins(group.status, config) && !internal::HubJoins(status, config)) {
        for (uint32_t holder : group.holders) {
          if (accounts[holder].joins) removed_links.emplace_back(accounts[holder].node, group.node);
        }
      }
      group.status = status;
      for (uint32_t holder : group.holders) joins_accounts.Add(holder);
    }
  }

  // When a null rate moves (a step of HubNullRate), every key is judged
  // again (each hub test reads the member rate: ChanceQualifiedPerHonest).
  // The rates move in steps, so this is rare once the log has a few
  // thousand accounts.
  void RejudgeOnNewNullRates() {
    double suspicious_now = internal::HubNullRate(suspicious_count, active_count);
    double member_now = internal::HubNullRate(member_count, active_count);
    if (suspicious_now == suspicious_rate && member_now == member_rate) return;
    for (uint32_t group_id = 0; group_id < groups.size(); ++group_id) {
      if (!groups[group_id].holders.empty()) status_groups.Add(group_id);
    }
    suspicious_rate = suspicious_now;
    member_rate = member_now;
  }

  // 4. Pairs whose evidence or whose accounts changed; accounts whose hubs changed.
  void ReviewPairsAndJoins(RescoreStats* stats) {
    std::sort(touched_pairs.begin(), touched_pairs.end());
    touched_pairs.erase(std::unique(touched_pairs.begin(), touched_pairs.end()), touched_pairs.end());
    for (uint64_t key : touched_pairs) CheckPair(static_cast<uint32_t>(key >> 32), static_cast<uint32_t>(key));
    for (uint32_t account_id : pairs_accounts.items()) {
      for (uint32_t group_id : accounts[account_id].groups) {
        const Group& group = groups[group_id];
        if (internal::PairWeight(Policy(group), group.holders.size()) == 0) continue;
        for (uint32_t other : group.holders) {
          if (other != account_id) CheckPair(account_id, other);
        }
      }
    }
    for (uint32_t account_id : joins_accounts.items()) CheckJoins(account_id);
    stats->keys = status_groups.items().size();
  }

  // 5. Clusters that lost links: ends left with no link leave; if the
  // other ends are no longer linked to each other, the cluster is taken
  // apart and rebuilt from the links its members still have
  // (CheckRemovedLinks). Then new links are added. Returns the nodes of the
  // clusters taken apart.
  std::vector<uint32_t> RebuildClusters() {
    CheckRemovedLinks();
    std::vector<uint32_t> rebuilt;
    for (uint32_t root : dissolve_roots.items()) components.Dissolve(root, &rebuilt);
    for (uint32_t node : rebuilt) {
      if (!(node_owner[node] & kGroupBit)) AddLinksOf(node_owner[node]);
    }
    for (auto [a, b] : unions) components.Union(a, b);
    return rebuilt;
  }

  // 6. Campaign standing, and so the action, of every account of every cluster touched.
  void ScoreClusters(const std::vector<uint32_t>& rebuilt, RescoreStats* stats) {
    for (uint32_t node : rebuilt) examined_roots.Add(components.Find(node));
    for (auto [a, b] : unions) examined_roots.Add(components.Find(a));
    for (uint32_t account_id : joins_accounts.items()) examined_roots.Add(components.Find(accounts[account_id].node));
    for (uint32_t account_id : pairs_accounts.items()) examined_roots.Add(components.Find(accounts[account_id].node));
    std::vector<uint32_t> members, member_accounts;
    std::vector<double> member_points;
    for (uint32_t examined : examined_roots.items()) {
      uint32_t root = components.Find(examined);  // may have been merged since it was listed
      size_t seen = current_roots.items().size();
      current_roots.Add(root);
      if (current_roots.items().size() == seen) continue;
      ++stats->clusters;
      members.clear();
      member_accounts.clear();
      member_points.clear();
      components.AppendMembers(root, &members);
      for (uint32_t node : members) {
        if (node_owner[node] & kGroupBit) continue;
        member_accounts.push_back(node_owner[node]);
        member_points.push_back(accounts[node_owner[node]].points);
      }
      stats->reexamined += member_accounts.size();
      bool campaign = internal::IsCampaign(member_accounts.size(), internal::Median(member_points), config);
      for (uint32_t account_id : member_accounts) {
        const Account& account = accounts[account_id];
        SetAction(account_id, internal::AccountAction(campaign, account.suspicious, account.points, config));
      }
    }
  }

  // 7. Indicators, and keys no account holds any more.
  void UpdateIndicators() {
    for (uint32_t group_id : status_groups.items()) {
      Group& group = groups[group_id];
      bool indicator = internal::IsIndicator(Policy(group), group.holders.size(), group.flagged, config);
      if (indicator != group.indicator) {
        group.indicator = indicator;
        if (indicator) {
          indicators.emplace(group.signal, group.key);
        } else {
          indicators.erase(std::make_pair(group.signal, group.key));
        }
      }
      if (group.holders.empty()) {
        group_ids.erase(std::make_pair(group.signal, group.key));
        group.status = HubStatus{};
        free_groups.push_back(group_id);
      }
    }
  }
};

Rescorer::Rescorer(Engine* engine) : state_(std::make_unique<State>(engine)) {}
Rescorer::~Rescorer() = default;

RescoreStats Rescorer::Rescore(Freshness freshness) { return state_->Rescore(freshness); }

Action Rescorer::action(ingest::Id account) const {
  return account < state_->accounts.size() ? state_->accounts[account].action : Action::kAllow;
}

double Rescorer::points(ingest::Id account) const {
  return account < state_->accounts.size() ? state_->accounts[account].points : 0;
}

bool Rescorer::scored(ingest::Id account) const {
  return account < state_->accounts.size() && state_->accounts[account].scored;
}

const std::vector<VerdictChange>& Rescorer::changes() const { return state_->changes; }

std::vector<std::vector<ingest::Id>> Rescorer::Campaigns() const {
  absl::flat_hash_map<uint32_t, std::vector<ingest::Id>> by_root;
  for (uint32_t account = 0; account < state_->accounts.size(); ++account) {
    const State::Account& entry = state_->accounts[account];
    if (Flagged(entry.action)) by_root[state_->components.Find(entry.node)].push_back(account);
  }
  std::vector<std::vector<ingest::Id>> campaigns;
  for (auto& [root, accounts] : by_root) campaigns.push_back(std::move(accounts));
  std::sort(campaigns.begin(), campaigns.end());
  return campaigns;
}

std::string Rescorer::MatchesIndicator(const ingest::Event& original) const {
  if (state_->indicators.empty()) return {};
  std::string matched;
  int signals = 0;
  const internal::EngineView& engine = state_->view;
  ingest::Event scratch;
  const ingest::Event& event = engine.Analysed(original, &scratch);
  for (size_t index = 0; index < engine.link_signal_count(); ++index) {
    if (engine.link_policy(index).indicator <= 0 || !state_->link_usable[index]) continue;
    KeySink sink;
    engine.link_signal(index).Keys(event, sink);
    for (int k = 0; k < sink.size; ++k) {
      if (state_->indicators.contains(std::make_pair(static_cast<uint16_t>(index), sink.keys[k]))) {
        if (!matched.empty()) matched += '+';
        matched += state_->signal_names[index];
        ++signals;
        break;
      }
    }
  }
  return signals >= state_->config.indicator_min_signals ? matched : std::string();
}

size_t Rescorer::indicator_count() const { return state_->indicators.size(); }

}  // namespace hydraguard::engine
