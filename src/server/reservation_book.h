// ReservationBook: the token reservations of decisions made in check mode
// (nginx auth_request, /check.json), kept by request id until the caller
// reports the real usage (POST /usage) or they expire. Without a report a
// check-mode request stays charged at its estimate (max_tokens).
//
//   book.Put("req_1", decision.reservations, now_ms);
//   std::optional<std::vector<CellGroup>> held = book.Take("req_1", now_ms);
//
// Bounded: at most `capacity` entries (the oldest go first) for at most
// `ttl_ms` each. One per gateway replica: a report must reach the replica
// that answered the check (docs/gateway.md).
//
// Thread-safety: safe for concurrent use.
#ifndef HYDRAGUARD_SERVER_RESERVATION_BOOK_H_
#define HYDRAGUARD_SERVER_RESERVATION_BOOK_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gateway/limiter.h"

namespace hydraguard::server {

class ReservationBook {
 public:
  ReservationBook(size_t capacity, int64_t ttl_ms) : capacity_(capacity), ttl_ms_(ttl_ms) {}

  void Put(const std::string& request_id, std::vector<gateway::CellGroup> reservations, int64_t now_ms);
  // The reservations of `request_id`, removed; nullopt when unknown, already
  // taken or expired.
  std::optional<std::vector<gateway::CellGroup>> Take(const std::string& request_id, int64_t now_ms);
  size_t size() const;

 private:
  struct Entry {
    std::vector<gateway::CellGroup> reservations;
    int64_t expires_ms = 0;
  };
  void Expire(int64_t now_ms);  // REQUIRES: mutex_ held

  const size_t capacity_;
  const int64_t ttl_ms_;
  mutable std::mutex mutex_;
  absl::flat_hash_map<std::string, Entry> entries_;
  std::deque<std::pair<int64_t, std::string>> order_;  // (expires_ms, id), oldest first
};

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_RESERVATION_BOOK_H_
