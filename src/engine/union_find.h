// UnionFind: disjoint sets over dense ids 0..n-1 with path halving and
// union by size. Used to turn account links into clusters.
//
//   UnionFind sets(4);
//   sets.Union(0, 2);
//   sets.Find(2) == sets.Find(0);  // true
#ifndef HYDRAGUARD_ENGINE_UNION_FIND_H_
#define HYDRAGUARD_ENGINE_UNION_FIND_H_

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace hydraguard::engine {

class UnionFind {
 public:
  explicit UnionFind(size_t size) : parent_(size), size_(size, 1) {
    std::iota(parent_.begin(), parent_.end(), uint32_t{0});
  }
  // REQUIRES: id < size.
  uint32_t Find(uint32_t id) {
    while (parent_[id] != id) {
      parent_[id] = parent_[parent_[id]];
      id = parent_[id];
    }
    return id;
  }
  // Returns true if the two were in different sets.
  bool Union(uint32_t a, uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return false;
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
    return true;
  }
  uint32_t SetSize(uint32_t id) { return size_[Find(id)]; }

 private:
  std::vector<uint32_t> parent_;
  std::vector<uint32_t> size_;
};

}  // namespace hydraguard::engine

#endif  // HYDRAGUARD_ENGINE_UNION_FIND_H_
