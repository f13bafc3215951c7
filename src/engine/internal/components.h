// Building blocks of incremental rescoring (rescorer.cc): disjoint sets that
// can be taken apart again, and a work list without repeats.
//
//   Components sets;
//   uint32_t a = sets.Add(), b = sets.Add();
//   sets.Union(a, b);                  // one set {a, b}
//   std::vector<uint32_t> freed;
//   sets.Dissolve(sets.Find(a), &freed);  // two sets again; freed = {a, b} in some order
//
// Thread-safety: none; owned by one Rescorer.
#ifndef HYDRAGUARD_ENGINE_INTERNAL_COMPONENTS_H_
#define HYDRAGUARD_ENGINE_INTERNAL_COMPONENTS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace hydraguard::engine::internal {

inline constexpr uint32_t kNoNode = UINT32_MAX;

// Disjoint sets over nodes that appear over time; each set lists its
// members, so that a set can be taken apart when one of its links goes.
class Components {
 public:
  uint32_t Add() {
    parent_.push_back(static_cast<uint32_t>(parent_.size()));
    members_.emplace_back();
    return parent_.back();
  }
  uint32_t Find(uint32_t node) {
    while (parent_[node] != node) {
      parent_[node] = parent_[parent_[node]];
      node = parent_[node];
    }
    return node;
  }
  void Union(uint32_t a, uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (Size(a) < Size(b)) std::swap(a, b);
    std::vector<uint32_t>& into = members_[a];
    if (into.empty()) into.push_back(a);
    std::vector<uint32_t>& from = members_[b];
    if (from.empty()) {
      into.push_back(b);
    } else {
      into.insert(into.end(), from.begin(), from.end());
      std::vector<uint32_t>().swap(from);
    }
    parent_[b] = a;
  }
  // REQUIRES: root == Find(root).
  void AppendMembers(uint32_t root, std::vector<uint32_t>* out) const {
    if (members_[root].empty()) {
      out->push_back(root);
    } else {
      out->insert(out->end(), members_[root].begin(), members_[root].end());
    }
  }
  // Makes every member of root's set a set of its own; appends them to `out`.
  void Dissolve(uint32_t root, std::vector<uint32_t>* out) {
    AppendMembers(root, out);
    std::vector<uint32_t> members;
    members.swap(members_[root]);
    for (uint32_t node : members) parent_[node] = node;
  }
  // Takes `nodes` (members of root's set, none of them linked to anything
  // now) out of the set, each into a set of its own; returns the root of
  // the rest (kNoNode if nothing is left).
  // REQUIRES: root == Find(root).
  uint32_t Detach(uint32_t root, const std::vector<uint32_t>& nodes) {
    if (members_[root].empty()) return kNoNode;  // a set of one: nothing to take apart
    std::vector<uint32_t> kept;
    kept.reserve(members_[root].size());
    for (uint32_t node : members_[root]) {
      if (std::find(nodes.begin(), nodes.end(), node) == nodes.end()) kept.push_back(node);
    }
    std::vector<uint32_t>().swap(members_[root]);
    for (uint32_t node : nodes) parent_[node] = node;
    if (kept.empty()) return kNoNode;
    uint32_t new_root = kept.front();
    for (uint32_t node : kept) parent_[node] = new_root;  // flat: no path runs through a detached node
    if (kept.size() > 1) members_[new_root] = std::move(kept);
    return new_root;
  }
  size_t size() const { return parent_.size(); }

 private:
  size_t Size(uint32_t root) const { return members_[root].empty() ? 1 : members_[root].size(); }
  std::vector<uint32_t> parent_;
  std::vector<std::vector<uint32_t>> members_;  // by root; empty for a set of one
};

// A list without repeats, emptied each rescore.
class WorkList {
 public:
  void Add(uint32_t id) {
    if (id >= stamp_.size()) stamp_.resize(id + 1, 0);
    if (stamp_[id] == epoch_) return;
    stamp_[id] = epoch_;
    items_.push_back(id);
  }
  bool contains(uint32_t id) const { return id < stamp_.size() && stamp_[id] == epoch_; }
  void Reset() {
    items_.clear();
    ++epoch_;
  }
  const std::vector<uint32_t>& items() const { return items_; }

 private:
  std::vector<uint32_t> items_;
  std::vector<uint32_t> stamp_;
  uint32_t epoch_ = 1;
};

}  // namespace hydraguard::engine::internal

#endif  // HYDRAGUARD_ENGINE_INTERNAL_COMPONENTS_H_
