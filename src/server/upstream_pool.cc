#include "server/upstream_pool.h"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <utility>

namespace hydraguard::server {

namespace {

// An idle HTTP connection has nothing to say: readable or hung up means the
// peer closed it (or broke the protocol), so it must not carry a request.
bool QuietAndOpen(boost::asio::ip::tcp::socket& socket) {
  if (!socket.is_open()) return false;
  pollfd entry{.fd = socket.native_handle(), .events = POLLIN | POLLRDHUP, .revents = 0};
  int ready = ::poll(&entry, 1, 0);
  return ready == 0;
}

}  // namespace

boost::asio::ip::tcp::socket& UpstreamConnection::socket() {
  return plain ? plain->socket() : tls->next_layer().socket();
}

UpstreamPool::UpstreamPool(UpstreamPoolOptions options) : options_(std::move(options)) {}

int64_t UpstreamPool::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<UpstreamConnection> UpstreamPool::Take() {
  int64_t now_ms = Now();
  while (!idle_.empty()) {
    Idle newest = std::move(idle_.back());
    idle_.pop_back();
    if (now_ms <= newest.expires_ms && QuietAndOpen(newest.connection->socket())) {
      return std::move(newest.connection);
    }
    ++discarded_;  // closed as it goes out of scope
  }
  return nullptr;
}

void UpstreamPool::Give(std::unique_ptr<UpstreamConnection> connection, int64_t idle_limit_ms) {
  int64_t now_ms = Now();
  int64_t limit_ms = options_.idle_timeout_ms;
  if (idle_limit_ms >= 0) limit_ms = std::min(limit_ms, idle_limit_ms);
  if (connection != nullptr && options_.max_idle > 0 && limit_ms > 0) {
    idle_.push_back({.connection = std::move(connection), .expires_ms = now_ms + limit_ms});
  }
  Prune(now_ms);
}

void UpstreamPool::Prune(int64_t now_ms) {
  while (idle_.size() > options_.max_idle) idle_.pop_front();
  size_t before = idle_.size();
  std::erase_if(idle_, [now_ms](const Idle& entry) { return now_ms > entry.expires_ms; });
  discarded_ += before - idle_.size();
}

}  // namespace hydraguard::server
