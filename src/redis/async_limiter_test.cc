// AsyncLimiter's outcomes are checked against MemoryLimiter call for call in
// limiter_parity_test.cc; here: what only a
// pipelined store can get wrong.
#include "redis/async_limiter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <string>
#include <thread>
#include <vector>

#include "redis/redis_test_fixture.h"

namespace hydraguard::redis {
namespace {

namespace asio = boost::asio;
using gateway::Cell;
using gateway::CellGroup;

struct Tally {
  int admitted = 0;
  int refused = 0;
  int errors = 0;
  int done = 0;
};

asio::awaitable<void> AcquireInto(AsyncLimiter& limiter, const CellGroup& group, int64_t now_ms, Tally* tally) {
  absl::StatusOr<std::vector<gateway::GroupOutcome>> outcome = co_await limiter.Acquire({&group, 1}, now_ms);
  if (!outcome.ok()) {
    ++tally->errors;
  } else if ((*outcome)[0].allowed) {
    ++tally->admitted;
  } else {
    ++tally->refused;
  }
  ++tally->done;
}

// `calls` Acquire calls at once on a loop of their own, run to the end.
Tally AcquireAtOnce(int port, const CellGroup& group, int calls) {
  asio::io_context io{1};
  AsyncLimiter limiter(io, {.port = port, .command_timeout_ms = 5000});
  Tally tally;
  for (int call = 0; call < calls; ++call) {
    asio::co_spawn(io, AcquireInto(limiter, group, 5'000, &tally), asio::detached);
  }
  while (tally.done < calls && io.run_one() > 0) {
  }
  io.stop();
  return tally;
}

class AsyncLimiterTest : public RedisServerTest {};

TEST_F(AsyncLimiterTest, CallsInFlightTogetherAdmitExactlyTheLimit) {
  // All 200 are written before any reply is read: the script alone decides.
  const CellGroup group{.tag = "acct:hot",
                        .cells = {Cell{.name = "rpm", .rate = {.limit = 50, .period_ms = 60'000}, .cost = 1}}};
  Tally tally = AcquireAtOnce(server_->port(), group, 200);
  EXPECT_EQ(tally.errors, 0);
  EXPECT_EQ(tally.admitted, 50);
  EXPECT_EQ(tally.refused, 150);
}

TEST_F(AsyncLimiterTest, TwoLoopsOnTwoThreadsShareOneLimit) {
  const CellGroup group{.tag = "acct:shared",
                        .cells = {Cell{.name = "rpm", .rate = {.limit = 40, .period_ms = 60'000}, .cost = 1}}};
  Tally first, second;
  std::thread other([&] { second = AcquireAtOnce(server_->port(), group, 60); });
  first = AcquireAtOnce(server_->port(), group, 60);
  other.join();
  EXPECT_EQ(first.errors + second.errors, 0);
  EXPECT_EQ(first.admitted + second.admitted, 40);
}

TEST_F(AsyncLimiterTest, FirstCallsOfAFreshRedisLoadTheScriptWithoutAnExtraRoundTrip) {
  // Many first calls at once, none knowing the script's SHA1 yet: each sends
  // it whole, and all of them are answered.
  const CellGroup group{.tag = "acct:a1",
                        .cells = {Cell{.name = "rpm", .rate = {.limit = 1000, .period_ms = 60'000}, .cost = 1}}};
  Tally tally = AcquireAtOnce(server_->port(), group, 20);
  EXPECT_EQ(tally.errors, 0);
  EXPECT_EQ(tally.admitted, 20);
  RedisClient admin({.port = server_->port()});
  absl::StatusOr<Reply> scripts = admin.Command({"INFO", "memory"});
  ASSERT_TRUE(scripts.ok());
  EXPECT_THAT(std::string(scripts->str()), ::testing::HasSubstr("number_of_cached_scripts:1"));
}

}  // namespace
}  // namespace hydraguard::redis
