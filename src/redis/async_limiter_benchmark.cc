// AsyncLimiter::Acquire (pipelined on an event loop, as the gateway calls
// it) against a real redis-server on
// loopback (started by the test harness), next to MemoryLimiter for the same
// calls: what sharing limits across replicas costs per request. Real time,
// since a Redis call mostly waits.
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gateway/memory_limiter.h"
#include "redis/async_limiter.h"
#include "testing/redis_server.h"

namespace hydraguard::redis {
namespace {

using gateway::Cell;
using gateway::CellGroup;

hydraguard::testing::RedisServer& Server() {
  // Destroyed at exit, which stops (and reaps) the server.
  static std::unique_ptr<hydraguard::testing::RedisServer> server = [] {
    absl::StatusOr<std::unique_ptr<hydraguard::testing::RedisServer>> started =
        hydraguard::testing::RedisServer::Start();
    if (!started.ok()) {
      std::fprintf(stderr, "cannot start redis-server: %s\n", started.status().ToString().c_str());
      std::abort();
    }
    return std::move(*started);
  }();
  return *server;
}

// Started before main, on the main thread: the server dies with the thread
// that started it (PR_SET_PDEATHSIG), and benchmark threads come and go.
[[maybe_unused]] const int kServerPort = Server().port();

// Six limiters of one identity: requests, input and output tokens, per minute
// and per day. Limits high enough that every call admits (and writes).
CellGroup Group(std::string tag) {
  auto cell = [](std::string name, int64_t period_ms, int64_t cost) {
    return Cell{.name = std::move(name), .rate = {.limit = 1'000'000'000, .period_ms = period_ms}, .cost = cost};
  };
  return {.tag = std::move(tag),
          .cells = {cell("rpm", 60'000, 1), cell("rpd", 86'400'000, 1), cell("itpm", 60'000, 900),
                    cell("itpd", 86'400'000, 900), cell("otpm", 60'000, 300), cell("otpd", 86'400'000, 300)}};
}

std::vector<CellGroup> Groups(int count) {
  const char* tags[] = {"acct:a1", "org:o1", "pay:f1", "ip:203.0.113.0/24", "asn:AS64500", "camp:c1"};
  std::vector<CellGroup> groups;
  for (int i = 0; i < count; ++i) groups.push_back(Group(tags[i]));
  return groups;
}

boost::asio::awaitable<void> AcquireOn(AsyncLimiter& limiter, const std::vector<CellGroup>& groups, int64_t now_ms,
                                       int* done, bool* failed) {
  absl::StatusOr<std::vector<gateway::GroupOutcome>> outcome = co_await limiter.Acquire(groups, now_ms);
  if (!outcome.ok()) *failed = true;
  ++*done;
}

// `in_flight` calls at once on one event loop (one thread), as concurrent
// requests of one gateway thread: they share writes and reads.
void BM_PipelinedAcquire(benchmark::State& state) {
  static boost::asio::io_context* io = new boost::asio::io_context(1);
  static AsyncLimiter* limiter = new AsyncLimiter(*io, {.port = Server().port(), .command_timeout_ms = 2000});
  const std::vector<CellGroup> groups = Groups(static_cast<int>(state.range(0)));
  const int in_flight = static_cast<int>(state.range(1));
  int64_t now_ms = 1'700'000'000'000;
  for (auto _ : state) {
    int done = 0;
    bool failed = false;
    for (int call = 0; call < in_flight; ++call) {
      boost::asio::co_spawn(*io, AcquireOn(*limiter, groups, now_ms++, &done, &failed), boost::asio::detached);
    }
    io->restart();
    while (done < in_flight && io->run_one() > 0) {
    }
    if (failed) {
      state.SkipWithError("AsyncLimiter::Acquire failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * in_flight);
}
BENCHMARK(BM_PipelinedAcquire)
    ->ArgNames({"groups", "in_flight"})
    ->Args({1, 1})
    ->Args({1, 16})
    ->Args({6, 1})
    ->Args({6, 16})
    ->UseRealTime();

// The same calls without Redis: what sharing limits across replicas costs.
void BM_MemoryAcquire(benchmark::State& state) {
  static gateway::MemoryLimiter* limiter = new gateway::MemoryLimiter();
  const std::vector<CellGroup> groups = Groups(static_cast<int>(state.range(0)));
  int64_t now_ms = 1'700'000'000'000;
  for (auto _ : state) {
    absl::StatusOr<std::vector<gateway::GroupOutcome>> outcome = limiter->AcquireNow(groups, now_ms++);
    benchmark::DoNotOptimize(outcome);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemoryAcquire)->ArgName("groups")->Arg(1)->Arg(6)->UseRealTime();
BENCHMARK(BM_MemoryAcquire)->ArgName("groups")->Arg(1)->Arg(6)->Threads(4)->UseRealTime();

}  // namespace
}  // namespace hydraguard::redis
