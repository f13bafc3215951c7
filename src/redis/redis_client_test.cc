#include "redis/redis_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "redis/redis_test_fixture.h"
#include "testing/redis_server.h"

namespace hydraguard::redis {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class RedisClientTest : public RedisServerTest {
 protected:
  static RedisOptions Options() { return {.port = server_->port()}; }
};

TEST_F(RedisClientTest, RunsCommands) {
  RedisClient client(Options());
  absl::StatusOr<Reply> set = client.Command({"SET", "k", "v"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(set->is_status());
  EXPECT_EQ(set->str(), "OK");
  absl::StatusOr<Reply> get = client.Command({"GET", "k"});
  ASSERT_TRUE(get.ok());
  EXPECT_TRUE(get->is_string());
  EXPECT_EQ(get->str(), "v");
  absl::StatusOr<Reply> incr = client.Command({"INCRBY", "n", "41"});
  ASSERT_TRUE(incr.ok());
  EXPECT_TRUE(incr->is_integer());
  EXPECT_EQ(incr->integer(), 41);
  absl::StatusOr<Reply> missing = client.Command({"GET", "missing"});
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->is_nil());
  absl::StatusOr<Reply> list = client.Command({"MGET", "k", "missing"});
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->is_array());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(list->element(0).str(), "v");
  EXPECT_TRUE(list->element(1).is_nil());
  EXPECT_TRUE(client.healthy());
  EXPECT_EQ(client.errors(), 0u);
}

TEST_F(RedisClientTest, ArgumentsAreBinarySafe) {
  RedisClient client(Options());
  const std::string key("bin\0key", 7);
  const std::string value("a\0b\r\nc \"d\"\xff", 11);
  ASSERT_TRUE(client.Command({"SET", key, value}).ok());
  absl::StatusOr<Reply> get = client.Command({"GET", key});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->str(), value);
  absl::StatusOr<Reply> other = client.Command({"EXISTS", "bin"});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->integer(), 0);  // the key is not cut at the NUL
}

TEST_F(RedisClientTest, ErrorRepliesAreRepliesNotStatuses) {
  RedisClient client(Options());
  ASSERT_TRUE(client.Command({"SET", "k", "not a number"}).ok());
  absl::StatusOr<Reply> incr = client.Command({"INCR", "k"});
  ASSERT_TRUE(incr.ok()) << incr.status();
  EXPECT_TRUE(incr->is_error());
  EXPECT_THAT(std::string(incr->str()), HasSubstr("not an integer"));
  absl::StatusOr<Reply> unknown = client.Command({"NOSUCHCOMMAND"});
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->is_error());
  // The connection stays usable and nothing counts as a failure.
  EXPECT_TRUE(client.Command({"PING"}).ok());
  EXPECT_TRUE(client.healthy());
  EXPECT_EQ(client.errors(), 0u);
}

TEST_F(RedisClientTest, PipelineAnswersEachCommandInOrder) {
  RedisClient client(Options());
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 100; ++i) commands.push_back({"INCR", "counter"});
  commands.push_back({"HSET", "counter", "f", "v"});  // wrong type: an error reply in the middle
  commands.push_back({"GET", "counter"});
  absl::StatusOr<std::vector<Reply>> replies = client.Pipeline(commands);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 102u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ((*replies)[i].integer(), i + 1);
  EXPECT_TRUE((*replies)[100].is_error());
  EXPECT_EQ((*replies)[101].str(), "100");

  absl::StatusOr<std::vector<Reply>> none = client.Pipeline({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(RedisClientTest, PoolServesManyThreads) {
  RedisClient client({.port = server_->port(), .pool_size = 3});
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        absl::StatusOr<Reply> reply = client.Command({"INCR", "n"});
        if (!reply.ok() || !reply->is_integer()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  absl::StatusOr<Reply> total = client.Command({"GET", "n"});
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(total->str(), "800");
}

TEST_F(RedisClientTest, UnavailableWhileDownFailsFastThenRecovers) {
  std::atomic<int64_t> now{1'000'000};
  RedisClient client({.port = server_->port(), .reconnect_backoff_ms = 500}, [&] { return now.load(); });
  ASSERT_TRUE(client.Command({"PING"}).ok());

  ASSERT_TRUE(server_->Stop().ok());
  absl::StatusOr<Reply> down = client.Command({"PING"});
  ASSERT_FALSE(down.ok());
  EXPECT_TRUE(absl::IsUnavailable(down.status())) << down.status();
  EXPECT_THAT(std::string(down.status().message()), HasSubstr(client.endpoint()));
  EXPECT_FALSE(client.healthy());
  EXPECT_EQ(client.errors(), 1u);
  EXPECT_THAT(client.last_error(), HasSubstr(client.endpoint()));

  // Redis is back, but within the backoff the client does not even try.
  ASSERT_TRUE(server_->Restart().ok());
  now += 499;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Reply> fast = client.Command({"PING"});
    EXPECT_TRUE(absl::IsUnavailable(fast.status())) << fast.status();
    absl::StatusOr<std::vector<Reply>> fast_pipeline = client.Pipeline({{"PING"}});
    EXPECT_TRUE(absl::IsUnavailable(fast_pipeline.status()));
  }
  EXPECT_EQ(client.errors(), 1u);  // refusals while failing fast are not attempts

  now += 1;
  absl::StatusOr<Reply> again = client.Command({"PING"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->str(), "PONG");
  EXPECT_TRUE(client.healthy());
  EXPECT_EQ(client.errors(), 1u);
}

TEST_F(RedisClientTest, OneCallerRetriesAfterTheBackoff) {
  std::atomic<int64_t> now{0};
  RedisClient client({.port = server_->port(), .reconnect_backoff_ms = 100}, [&] { return now.load(); });
  ASSERT_TRUE(server_->Stop().ok());
  EXPECT_FALSE(client.Command({"PING"}).ok());  // connection refused
  EXPECT_EQ(client.errors(), 1u);
  now += 100;
  EXPECT_FALSE(client.Command({"PING"}).ok());  // tries, fails again: a new backoff
  EXPECT_EQ(client.errors(), 2u);
  EXPECT_FALSE(client.Command({"PING"}).ok());  // fails fast
  EXPECT_EQ(client.errors(), 2u);
  EXPECT_THAT(client.last_error(), HasSubstr("connect"));
}

TEST_F(RedisClientTest, AuthenticatesWithPassword) {
  RedisClient admin(Options());
  ASSERT_TRUE(admin.Command({"CONFIG", "SET", "requirepass", "s3cret"}).ok());
  {
    RedisClient wrong({.port = server_->port(), .password = "nope"});
    absl::StatusOr<Reply> refused = wrong.Command({"PING"});
    EXPECT_TRUE(absl::IsUnavailable(refused.status())) << refused.status();
    EXPECT_THAT(std::string(refused.status().message()), HasSubstr("AUTH"));
  }
  RedisClient right({.port = server_->port(), .password = "s3cret"});
  absl::StatusOr<Reply> ping = right.Command({"PING"});
  ASSERT_TRUE(ping.ok()) << ping.status();
  EXPECT_EQ(ping->str(), "PONG");
  ASSERT_TRUE(right.Command({"CONFIG", "SET", "requirepass", ""}).ok());
}

TEST_F(RedisClientTest, HashGetAllReadsAHash) {
  RedisClient client(Options());
  ASSERT_TRUE(client.Command({"HSET", "hg:keys", "sk-1", "acct:a1", "sk-2", "acct:a2"}).ok());
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> fields = client.HashGetAll("hg:keys");
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_THAT(*fields, UnorderedElementsAre(Pair("sk-1", "acct:a1"), Pair("sk-2", "acct:a2")));

  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> missing = client.HashGetAll("hg:none");
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->empty());

  ASSERT_TRUE(client.Command({"SET", "hg:string", "x"}).ok());
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> wrong = client.HashGetAll("hg:string");
  EXPECT_TRUE(absl::IsFailedPrecondition(wrong.status())) << wrong.status();
  EXPECT_THAT(std::string(wrong.status().message()), HasSubstr("hg:string"));
}

}  // namespace
}  // namespace hydraguard::redis
