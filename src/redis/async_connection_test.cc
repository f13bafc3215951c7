#include "redis/async_connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "redis/redis_test_fixture.h"

namespace hydraguard::redis {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;
using Replies = absl::StatusOr<std::vector<Reply>>;
using Commands = std::vector<std::vector<std::string>>;

// Stores the replies to `commands` in *out and counts *done. (A free
// function: GCC 12 miscompiles braced lists inside a coroutine lambda.)
asio::awaitable<void> PipelineInto(AsyncConnection& redis, Commands commands, std::optional<Replies>* out, int* done) {
  *out = co_await redis.Pipeline(std::move(commands));
  ++*done;
}

class AsyncConnectionTest : public RedisServerTest {
 protected:
  RedisOptions Options() const { return {.port = server_->port(), .command_timeout_ms = 2000}; }
  std::unique_ptr<AsyncConnection> Connect(RedisOptions options) {
    return std::make_unique<AsyncConnection>(io_, std::move(options), [this] { return clock_.load(); });
  }

  // Runs `call` on the loop until it resumes (other coroutines run meanwhile).
  template <typename T>
  T Await(asio::awaitable<T> call) {
    std::optional<T> result;
    std::exception_ptr error;
    asio::co_spawn(io_, std::move(call), [&](std::exception_ptr thrown, T value) {
      error = thrown;
      result = std::move(value);
    });
    io_.restart();
    while (!result.has_value() && io_.run_one() > 0) {
    }
    if (error) std::rethrow_exception(error);
    return *std::move(result);
  }
  Replies Run(AsyncConnection& redis, std::vector<std::vector<std::string>> commands) {
    return Await(redis.Pipeline(std::move(commands)));
  }

  void TearDown() override { io_.stop(); }

  std::atomic<int64_t> clock_{0};
  asio::io_context io_{1};
};

TEST_F(AsyncConnectionTest, RunsPipelinedCommands) {
  std::unique_ptr<AsyncConnection> redis = Connect(Options());
  Replies replies = Run(*redis, {{"SET", "k", "v"}, {"GET", "k"}, {"INCRBY", "n", "41"}, {"MGET", "k", "missing"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_EQ((*replies)[0].str(), "OK");
  EXPECT_EQ((*replies)[1].str(), "v");
  EXPECT_EQ((*replies)[2].integer(), 41);
  ASSERT_EQ((*replies)[3].size(), 2u);
  EXPECT_TRUE((*replies)[3].element(1).is_nil());
  EXPECT_TRUE(redis->healthy());
  EXPECT_EQ(redis->errors(), 0u);
  Replies none = Run(*redis, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(AsyncConnectionTest, ArgumentsAreBinarySafeAndRepliesCanBeLarge) {
  std::unique_ptr<AsyncConnection> redis = Connect(Options());
  const std::string key("bin\0key", 7);
  std::string value("a\0b\r\nc", 6);
  value += std::string(100'000, 'x');  // several reads' worth
  Replies replies = Run(*redis, {{"SET", key, value}, {"GET", key}, {"EXISTS", "bin"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_EQ((*replies)[1].str(), value);
  EXPECT_EQ((*replies)[2].integer(), 0);
}

TEST_F(AsyncConnectionTest, ManyCallsInFlightShareOneConnectionAndGetTheirOwnReplies) {
  std::unique_ptr<AsyncConnection> redis = Connect(Options());
  constexpr int kCalls = 300;
  std::vector<std::optional<Replies>> results(kCalls);
  int done = 0;
  for (int call = 0; call < kCalls; ++call) {
    std::string key = "k";
    key += std::to_string(call);
    asio::co_spawn(io_,
                   PipelineInto(*redis, {{"SET", key, std::to_string(call * 7)}, {"GET", key}}, &results[call], &done),
                   asio::detached);
  }
  while (done < kCalls && io_.run_one() > 0) {
  }
  ASSERT_EQ(done, kCalls);
  for (int call = 0; call < kCalls; ++call) {
    ASSERT_TRUE(results[call].has_value());
    ASSERT_TRUE(results[call]->ok()) << results[call]->status();
    EXPECT_EQ((**results[call])[1].str(), std::to_string(call * 7));
  }
  // One connection: this one (the fixture's admin client has gone).
  Replies clients = Run(*redis, {{"CLIENT", "LIST"}});
  ASSERT_TRUE(clients.ok());
  std::string list((*clients)[0].str());
  EXPECT_EQ(std::count(list.begin(), list.end(), '\n'), 1) << list;
}

TEST_F(AsyncConnectionTest, ErrorRepliesAreRepliesNotFailures) {
  std::unique_ptr<AsyncConnection> redis = Connect(Options());
  Replies replies = Run(*redis, {{"SET", "k", "text"}, {"INCR", "k"}, {"NOSUCHCOMMAND"}, {"PING"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_TRUE((*replies)[1].is_error());
  EXPECT_THAT(std::string((*replies)[1].str()), HasSubstr("not an integer"));
  EXPECT_TRUE((*replies)[2].is_error());
  EXPECT_EQ((*replies)[3].str(), "PONG");
  EXPECT_TRUE(redis->healthy());
  EXPECT_EQ(redis->errors(), 0u);
}

TEST_F(AsyncConnectionTest, DownFailsFastThenReconnectsAfterTheBackoff) {
  std::unique_ptr<AsyncConnection> redis = Connect(Options());
  ASSERT_TRUE(Run(*redis, {{"SET", "k", "v"}}).ok());
  ASSERT_TRUE(server_->Stop().ok());

  Replies down = Run(*redis, {{"GET", "k"}});
  EXPECT_TRUE(absl::IsUnavailable(down.status())) << down.status();
  EXPECT_THAT(std::string(down.status().message()), HasSubstr(redis->endpoint()));
  EXPECT_FALSE(redis->healthy());
  EXPECT_EQ(redis->errors(), 1u);
  // Within the backoff: refused without touching the network, not counted.
  Replies fast = Run(*redis, {{"GET", "k"}});
  EXPECT_TRUE(absl::IsUnavailable(fast.status()));
  EXPECT_THAT(std::string(fast.status().message()), HasSubstr("failing fast"));
  EXPECT_EQ(redis->errors(), 1u);
  // After it, one attempt; Redis is still down.
  clock_ += 1'000;
  Replies refused = Run(*redis, {{"GET", "k"}});
  EXPECT_TRUE(absl::IsUnavailable(refused.status()));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("connect"));
  EXPECT_EQ(redis->errors(), 2u);

  ASSERT_TRUE(server_->Restart().ok());
  clock_ += 1'000;
  Replies up = Run(*redis, {{"GET", "k"}});
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_TRUE((*up)[0].is_nil());  // a fresh server
  EXPECT_TRUE(redis->healthy());
}

TEST_F(AsyncConnectionTest, WhileOneCallProbesTheOthersFailFast) {
  std::unique_ptr<AsyncConnection> redis = Connect(Options());
  ASSERT_TRUE(server_->Stop().ok());
  EXPECT_FALSE(Run(*redis, {{"PING"}}).ok());
  ASSERT_TRUE(server_->Restart().ok());
  clock_ += 1'000;
  std::optional<Replies> probe, other;
  int done = 0;
  asio::co_spawn(io_, PipelineInto(*redis, {{"PING"}}, &probe, &done), asio::detached);
  asio::co_spawn(io_, PipelineInto(*redis, {{"PING"}}, &other, &done), asio::detached);
  io_.restart();  // the loop ran out of work when the connection failed
  while (done < 2 && io_.run_one() > 0) {
  }
  ASSERT_EQ(done, 2);
  ASSERT_TRUE(probe->ok()) << probe->status();
  EXPECT_TRUE(absl::IsUnavailable(other->status())) << other->status();
  EXPECT_TRUE(Run(*redis, {{"PING"}}).ok());  // healthy again: everyone goes through
}

TEST_F(AsyncConnectionTest, HealthyAgainOnceRedisIsBackWithoutAnyCall) {
  RedisOptions options = Options();
  options.reconnect_backoff_ms = 20;
  std::unique_ptr<AsyncConnection> redis = Connect(options);
  ASSERT_TRUE(server_->Stop().ok());
  EXPECT_FALSE(Run(*redis, {{"PING"}}).ok());
  EXPECT_FALSE(redis->healthy());
  ASSERT_TRUE(server_->Restart().ok());
  clock_ += 1'000;
  io_.restart();
  for (int round = 0; round < 500 && !redis->healthy(); ++round) io_.run_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(redis->healthy());
}

TEST_F(AsyncConnectionTest, NoReplyInTimeFailsTheCallAndTheConnection) {
  RedisOptions options = Options();
  options.command_timeout_ms = 100;
  std::unique_ptr<AsyncConnection> redis = Connect(options);
  ASSERT_TRUE(Run(*redis, {{"PING"}}).ok());
  // Redis holds every client's commands (the admin's too) for 300 ms.
  RedisClient admin({.port = server_->port(), .command_timeout_ms = 5000});
  ASSERT_TRUE(admin.Command({"CLIENT", "PAUSE", "300", "ALL"}).ok());
  Replies late = Run(*redis, {{"PING"}});
  EXPECT_TRUE(absl::IsUnavailable(late.status())) << late.status();
  EXPECT_THAT(std::string(late.status().message()), HasSubstr("no reply within 100 ms"));
  ASSERT_TRUE(admin.Command({"PING"}).ok());  // answered once the pause is over
  clock_ += 1'000;
  Replies again = Run(*redis, {{"PING"}});  // a new connection: no stale reply in the way
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].str(), "PONG");
}

TEST_F(AsyncConnectionTest, SendsAuthOnEveryNewConnection) {
  RedisClient admin({.port = server_->port()});
  ASSERT_TRUE(admin.Command({"CONFIG", "SET", "requirepass", "s3cret"}).ok());
  RedisOptions good = Options();
  good.password = "s3cret";
  std::unique_ptr<AsyncConnection> redis = Connect(good);
  Replies replies = Run(*redis, {{"PING"}});
  EXPECT_TRUE(replies.ok()) << replies.status();
  RedisOptions bad = Options();
  bad.password = "wrong";
  std::unique_ptr<AsyncConnection> refused = Connect(bad);
  Replies denied = Run(*refused, {{"PING"}});
  EXPECT_TRUE(absl::IsUnavailable(denied.status()));
  EXPECT_THAT(std::string(denied.status().message()), HasSubstr("AUTH"));
  ASSERT_TRUE(Run(*redis, {{"CONFIG", "SET", "requirepass", ""}}).ok());
}

}  // namespace
}  // namespace hydraguard::redis
