#include "ingest/interner.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace hydraguard::ingest {
namespace {
constexpr size_t kMinBlockBytes = 64 * 1024;
}  // namespace

Digest128 Digest128::Of(std::string_view text) {
  XXH128_hash_t hash = XXH3_128bits(text.data(), text.size());
  return {hash.low64, hash.high64};
}

Id StringInterner::Intern(std::string_view text, const Digest128& digest) {
  auto [it, inserted] = ids_.try_emplace(digest, static_cast<Id>(names_.size()));
  if (inserted) names_.push_back(Store(text));
  return it->second;
}

Id StringInterner::Find(std::string_view text) const {
  auto it = ids_.find(Digest128::Of(text));
  return it == ids_.end() ? kNoId : it->second;
}

std::string_view StringInterner::Store(std::string_view text) {
  if (text.empty()) return std::string_view();
  if (block_used_ + text.size() > block_size_) {
    block_size_ = std::max(kMinBlockBytes, text.size());
    blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* destination = blocks_.back().get() + block_used_;
  std::memcpy(destination, text.data(), text.size());
  block_used_ += text.size();
  return std::string_view(destination, text.size());
}

Id IpInterner::InternAddress(const IpAddress& ip) {
  auto [it, inserted] = address_ids_.try_emplace(ip, static_cast<Id>(addresses_.size()));
  if (inserted) addresses_.push_back(ip);
  return it->second;
}

Id IpInterner::InternPrefix(const IpAddress& ip) {
  auto [it, inserted] = prefix_ids_.try_emplace(ip.PrefixKey(), static_cast<Id>(prefix_examples_.size()));
  if (inserted) prefix_examples_.push_back(ip);
  return it->second;
}

}  // namespace hydraguard::ingest
