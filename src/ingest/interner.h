// StringInterner maps strings to dense ids 0, 1, 2, ... in order of first
// appearance, and back. Ids index plain vectors in the engine, which is much
// cheaper than hashing strings on every use.
//
//   StringInterner accounts;
//   Id a = accounts.Intern("acct-17");    // 0
//   Id b = accounts.Intern("acct-17");    // 0 again
//   std::string_view name = accounts.Name(a);
//
// Interners groups one StringInterner per kind of identifier, so that ids of
// different kinds never mix (billing_country and ip_country share one).
//
// Lookup is by the 128-bit XXH3 digest of the string, so a lookup touches
// one table slot and never the stored bytes. Two different strings with the
// same 128-bit digest would share an id; for n distinct strings the odds are
// about n^2 / 2^129 (10^-21 for a billion strings), far below any hardware
// error rate.
//
// Memory: each distinct string is stored once in an arena; views returned by
// Name() live as long as the interner. Thread-safety: not thread-safe.
#ifndef HYDRAGUARD_INGEST_INTERNER_H_
#define HYDRAGUARD_INGEST_INTERNER_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "ingest/event.h"
#include "ingest/ip_address.h"

namespace hydraguard::ingest {

// 128-bit XXH3 digest of a string: the interner's key.
struct Digest128 {
  uint64_t low = 0;
  uint64_t high = 0;
  static Digest128 Of(std::string_view text);
  friend bool operator==(const Digest128&, const Digest128&) = default;
};
// The digest is already uniformly mixed: its low word is a fine hash.
struct Digest128Hash {
  size_t operator()(const Digest128& digest) const { return digest.low; }
};

class StringInterner {
 public:
  StringInterner() = default;
  StringInterner(const StringInterner&) = delete;
  StringInterner& operator=(const StringInterner&) = delete;

  // Returns the id of `text`, adding it if new. Never returns kNoId.
  Id Intern(std::string_view text) { return Intern(text, Digest128::Of(text)); }
  // The same, with the digest already computed. REQUIRES: digest == Digest128::Of(text).
  Id Intern(std::string_view text, const Digest128& digest);
  // Hints that `digest` will be looked up soon: start loading its table slot,
  // so that several lookups' cache misses overlap. Never required.
  void Prefetch(const Digest128& digest) const { ids_.prefetch(digest); }
  // Returns the id of `text`, or kNoId if it was never interned.
  Id Find(std::string_view text) const;
  // REQUIRES: id < size().
  std::string_view Name(Id id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  std::string_view Store(std::string_view text);

  absl::flat_hash_map<Digest128, Id, Digest128Hash> ids_;
  std::vector<std::string_view> names_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0;
  size_t block_size_ = 0;
};

// Dense ids for IP addresses and for their /24 or /48 prefixes.
class IpInterner {
 public:
  Id InternAddress(const IpAddress& ip);
  Id InternPrefix(const IpAddress& ip);
  // Starts loading the table slots of `ip` and its prefix (see StringInterner::Prefetch).
  void Prefetch(const IpAddress& ip) const {
    address_ids_.prefetch(ip);
    prefix_ids_.prefetch(ip.PrefixKey());
  }
  const IpAddress& Address(Id id) const { return addresses_[id]; }
  // An address inside the prefix (the first one seen); use PrefixString().
  const IpAddress& PrefixExample(Id id) const { return prefix_examples_[id]; }
  size_t address_count() const { return addresses_.size(); }
  size_t prefix_count() const { return prefix_examples_.size(); }

 private:
  absl::flat_hash_map<IpAddress, Id> address_ids_;
  absl::flat_hash_map<uint64_t, Id> prefix_ids_;
  std::vector<IpAddress> addresses_;
  std::vector<IpAddress> prefix_examples_;
};

struct Interners {
  StringInterner account;
  StringInterner org;
  StringInterner key;
  StringInterner payment;
  StringInterner country;  // billing_country and ip_country
  StringInterner email_domain;
  StringInterner ua;
  StringInterner tls;
  StringInterner endpoint;
  StringInterner model;
  StringInterner conversation;
  IpInterner ips;
};

}  // namespace hydraguard::ingest

#endif  // HYDRAGUARD_INGEST_INTERNER_H_
