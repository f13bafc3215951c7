#include "server/reservation_book.h"

#include <utility>

namespace hydraguard::server {

void ReservationBook::Expire(int64_t now_ms) {
  while (!order_.empty() && (order_.front().first <= now_ms || order_.size() > capacity_)) {
    auto it = entries_.find(order_.front().second);
    if (it != entries_.end() && it->second.expires_ms == order_.front().first) entries_.erase(it);
    order_.pop_front();
  }
}

void ReservationBook::Put(const std::string& request_id, std::vector<gateway::CellGroup> reservations, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  int64_t expires_ms = now_ms + ttl_ms_;
  entries_[request_id] = Entry{std::move(reservations), expires_ms};
  order_.emplace_back(expires_ms, request_id);
  Expire(now_ms);
}

std::optional<std::vector<gateway::CellGroup>> ReservationBook::Take(const std::string& request_id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  Expire(now_ms);
  auto it = entries_.find(request_id);
  if (it == entries_.end()) return std::nullopt;
  std::vector<gateway::CellGroup> reservations = std::move(it->second.reservations);
  entries_.erase(it);
  return reservations;
}

size_t ReservationBook::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace hydraguard::server
