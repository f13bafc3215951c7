// AsyncLimiter (Redis) against MemoryLimiter, call for call: the same
// outcomes, the same state, the same errors. What only a pipelined store can
// get wrong is in async_limiter_test.cc.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gateway/memory_limiter.h"
#include "redis/async_limiter.h"
#include "redis/redis_test_fixture.h"
#include "testing/await.h"
#include "testing/redis_server.h"

namespace hydraguard::redis {
namespace {

using gateway::Cell;
using gateway::CellGroup;
using gateway::GroupOutcome;
using gateway::MemoryLimiter;
using ::testing::HasSubstr;

Cell C(std::string name, int64_t limit, int64_t period_ms, int64_t cost) {
  return {.name = std::move(name), .rate = {.limit = limit, .period_ms = period_ms}, .cost = cost};
}

// Both stores answered, and the same.
void ExpectSame(const absl::StatusOr<std::vector<GroupOutcome>>& memory,
                const absl::StatusOr<std::vector<GroupOutcome>>& redis) {
  ASSERT_TRUE(memory.ok()) << memory.status();
  ASSERT_TRUE(redis.ok()) << redis.status();
  ASSERT_EQ(memory->size(), redis->size());
  for (size_t g = 0; g < memory->size(); ++g) {
    SCOPED_TRACE(::testing::Message() << "group " << g);
    EXPECT_EQ((*memory)[g].allowed, (*redis)[g].allowed);
    ASSERT_EQ((*memory)[g].cells.size(), (*redis)[g].cells.size());
    for (size_t c = 0; c < (*memory)[g].cells.size(); ++c) {
      SCOPED_TRACE(::testing::Message() << "cell " << c);
      const gateway::CellOutcome& m = (*memory)[g].cells[c];
      const gateway::CellOutcome& r = (*redis)[g].cells[c];
      EXPECT_EQ(m.allowed, r.allowed);
      EXPECT_EQ(m.remaining, r.remaining);
      EXPECT_EQ(m.retry_after_ms, r.retry_after_ms);
      EXPECT_EQ(m.reset_ms, r.reset_ms);
    }
  }
}

class RedisLimiterTest : public RedisServerTest {
 protected:
  void SetUp() override {
    RedisServerTest::SetUp();
    if (HasFatalFailure()) return;
    client_ = std::make_unique<RedisClient>(RedisOptions{.port = server_->port()}, [this] { return clock_.load(); });
  }

  std::atomic<int64_t> clock_{0};  // the client's backoff clock
  std::unique_ptr<RedisClient> client_;
};

// AsyncLimiter called from plain code: each call runs its coroutine on a
// private event loop until it resumes.
class AwaitedLimiter {
 public:
  AwaitedLimiter(int port, AsyncConnection::Clock clock) : limiter_(io_, RedisOptions{.port = port}, clock) {}
  ~AwaitedLimiter() { io_.stop(); }

  absl::StatusOr<std::vector<GroupOutcome>> Acquire(std::span<const CellGroup> groups, int64_t now_ms) {
    return hydraguard::testing::AwaitNow(io_, limiter_.Acquire(groups, now_ms));
  }
  absl::Status Adjust(std::span<const CellGroup> groups, int64_t now_ms) {
    return hydraguard::testing::AwaitNow(io_, limiter_.Adjust(groups, now_ms));
  }

 private:
  boost::asio::io_context io_{1};
  AsyncLimiter limiter_;
};

class LimiterStoreTest : public RedisLimiterTest {
 protected:
  std::unique_ptr<AwaitedLimiter> NewStore() {
    return std::make_unique<AwaitedLimiter>(server_->port(), [this] { return clock_.load(); });
  }
};

struct Call {
  int64_t now_ms;
  std::vector<CellGroup> groups;
  bool adjust = false;  // Adjust instead of Acquire
};

struct Case {
  std::string name;
  std::vector<Call> calls;
  // Expected group verdicts of each Acquire call (pins the outcomes, not only
  // the agreement of both stores).
  std::vector<std::vector<bool>> allowed;
};

std::vector<Case> Cases() {
  const CellGroup one{.tag = "acct:a1", .cells = {C("rpm", 5, 60'000, 1)}};
  const CellGroup two_of_five{.tag = "acct:a1", .cells = {C("rpm", 5, 60'000, 2)}};
  const CellGroup sevenths{.tag = "acct:a1", .cells = {C("rpm", 7, 60'000, 1)}};
  const CellGroup pair{.tag = "org:o1", .cells = {C("rpm", 10, 60'000, 1), C("tpm", 1000, 60'000, 400)}};
  return {
      {.name = "fresh key", .calls = {{1000, {one}}}, .allowed = {{true}}},
      {.name = "exact limit then over",
       .calls = {{1000, {one}}, {1000, {one}}, {1000, {one}}, {1000, {one}}, {1000, {one}}, {1000, {one}}},
       .allowed = {{true}, {true}, {true}, {true}, {true}, {false}}},
      {.name = "over limit by cost, then room again",
       .calls = {{0, {two_of_five}},
                 {0, {two_of_five}},
                 {0, {two_of_five}},
                 {11'999, {two_of_five}},
                 {12'000, {two_of_five}}},
       .allowed = {{true}, {true}, {false}, {false}, {true}}},
      {.name = "cost above limit",
       .calls = {{0, {{.tag = "acct:a1", .cells = {C("rpm", 5, 60'000, 6)}}}}, {0, {one}}},
       .allowed = {{false}, {true}}},
      {.name = "after partial drain (emission 60000/7)",
       .calls = {{0, {sevenths}},
                 {0, {sevenths}},
                 {0, {sevenths}},
                 {0, {sevenths}},
                 {0, {sevenths}},
                 {0, {sevenths}},
                 {0, {sevenths}},
                 {0, {sevenths}},
                 {8'571, {sevenths}},
                 {8'572, {sevenths}},
                 {8'572, {sevenths}},
                 {30'000, {{.tag = "acct:a1", .cells = {C("rpm", 7, 60'000, 3)}}}},
                 {30'000, {{.tag = "acct:a1", .cells = {C("rpm", 7, 60'000, 2)}}}},
                 {30'000, {sevenths}}},
       .allowed = {{true},
                   {true},
                   {true},
                   {true},
                   {true},
                   {true},
                   {true},
                   {false},
                   {false},
                   {true},
                   {false},
                   {false},
                   {true},
                   {false}}},
      {.name = "rounding epsilons (60000/11, 1000/7)",
       .calls = {{0, {{.tag = "acct:a1", .cells = {C("rpm", 11, 60'000, 1), C("rps", 7, 1'000, 2)}}}},
                 {0, {{.tag = "acct:a1", .cells = {C("rpm", 11, 60'000, 10), C("rps", 7, 1'000, 5)}}}}},
       .allowed = {{true}, {true}}},
      {.name = "one cell refuses: nothing charged",
       // The refused third call charged neither cell: rpm still has 8, tpm 200.
       .calls = {{0, {pair}},
                 {0, {pair}},
                 {0, {pair}},
                 {0, {{.tag = "org:o1", .cells = {C("rpm", 10, 60'000, 8)}}}},
                 {0, {{.tag = "org:o1", .cells = {C("tpm", 1000, 60'000, 200)}}}},
                 {0, {{.tag = "org:o1", .cells = {C("rpm", 10, 60'000, 1)}}}}},
       .allowed = {{true}, {true}, {false}, {true}, {true}, {false}}},
      {.name = "several groups in one call",
       .calls = {{0,
                  {{.tag = "acct:a1", .cells = {C("rpm", 2, 60'000, 1), C("rpd", 100, 86'400'000, 1)}},
                   {.tag = "ip:203.0.113.0/24", .cells = {C("rpm", 1, 60'000, 1)}},
                   {.tag = "asn:AS64500", .cells = {C("rpm", 3, 60'000, 2)}}}},
                 {5,
                  {{.tag = "acct:a1", .cells = {C("rpm", 2, 60'000, 1), C("rpd", 100, 86'400'000, 1)}},
                   {.tag = "ip:203.0.113.0/24", .cells = {C("rpm", 1, 60'000, 1)}},
                   {.tag = "asn:AS64500", .cells = {C("rpm", 3, 60'000, 2)}}}}},
       .allowed = {{true, true, true}, {true, false, false}}},
      {.name = "empty group and zero cost",
       .calls = {{0, {{.tag = "acct:a1", .cells = {}}, {.tag = "acct:a2", .cells = {C("rpm", 1, 60'000, 0)}}}},
                 {0, {{.tag = "acct:a2", .cells = {C("rpm", 1, 60'000, 1)}}}},
                 {0, {{.tag = "acct:a2", .cells = {C("rpm", 1, 60'000, 0)}}}}},
       .allowed = {{true, true}, {true}, {true}}},
      {.name = "settle and refund",
       .calls = {{0, {{.tag = "acct:a1", .cells = {C("tpm", 1000, 60'000, 300)}}}},
                 {10, {{.tag = "acct:a1", .cells = {C("tpm", 1000, 60'000, 450)}}}, /*adjust=*/true},
                 {20, {{.tag = "acct:a1", .cells = {C("tpm", 1000, 60'000, 300)}}}},
                 {30, {{.tag = "acct:a1", .cells = {C("tpm", 1000, 60'000, -5000)}}}, /*adjust=*/true},
                 {30, {{.tag = "acct:a1", .cells = {C("tpm", 1000, 60'000, 1000)}}}},
                 {30, {{.tag = "acct:a1", .cells = {C("tpm", 1000, 60'000, 1)}}}}},
       .allowed = {{true}, {false}, {true}, {false}}},
  };
}

TEST_F(LimiterStoreTest, SameOutcomesAsMemoryLimiter) {
  for (const Case& test_case : Cases()) {
    SCOPED_TRACE(test_case.name);
    ASSERT_TRUE(client_->Command({"FLUSHALL"}).ok());
    MemoryLimiter memory;
    std::unique_ptr<AwaitedLimiter> store = NewStore();
    AwaitedLimiter& redis = *store;
    size_t acquire = 0;
    for (size_t i = 0; i < test_case.calls.size(); ++i) {
      SCOPED_TRACE(::testing::Message() << "call " << i);
      const Call& call = test_case.calls[i];
      if (call.adjust) {
        ASSERT_TRUE(memory.AdjustNow(call.groups, call.now_ms).ok());
        absl::Status status = redis.Adjust(call.groups, call.now_ms);
        ASSERT_TRUE(status.ok()) << status;
        continue;
      }
      absl::StatusOr<std::vector<GroupOutcome>> m = memory.AcquireNow(call.groups, call.now_ms);
      absl::StatusOr<std::vector<GroupOutcome>> r = redis.Acquire(call.groups, call.now_ms);
      ExpectSame(m, r);
      ASSERT_LT(acquire, test_case.allowed.size());
      ASSERT_TRUE(r.ok());
      std::vector<bool> allowed;
      for (const GroupOutcome& outcome : *r) allowed.push_back(outcome.allowed);
      EXPECT_EQ(allowed, test_case.allowed[acquire]);
      ++acquire;
    }
    EXPECT_EQ(acquire, test_case.allowed.size());
  }
}

TEST_F(LimiterStoreTest, RefusedGroupReportsRemainingBeforeTheCall) {
  std::unique_ptr<AwaitedLimiter> store = NewStore();
  AwaitedLimiter& redis = *store;
  const CellGroup group{.tag = "org:o1", .cells = {C("rpm", 10, 60'000, 1), C("tpm", 1000, 60'000, 600)}};
  ASSERT_TRUE(redis.Acquire({&group, 1}, 0).ok());
  absl::StatusOr<std::vector<GroupOutcome>> refused = redis.Acquire({&group, 1}, 0);
  ASSERT_TRUE(refused.ok());
  ASSERT_FALSE((*refused)[0].allowed);
  EXPECT_TRUE((*refused)[0].cells[0].allowed);
  EXPECT_EQ((*refused)[0].cells[0].remaining, 9);  // rpm was not charged
  EXPECT_FALSE((*refused)[0].cells[1].allowed);
  EXPECT_EQ((*refused)[0].cells[1].remaining, 400);
  EXPECT_EQ((*refused)[0].cells[1].retry_after_ms, 12'000);  // 200 tokens at 60 ms each
}

// Random sequences of Acquire and Adjust: both stores agree on every outcome.
TEST_F(LimiterStoreTest, RandomSequencesMatchMemoryLimiter) {
  MemoryLimiter memory;
  std::unique_ptr<AwaitedLimiter> store = NewStore();
  AwaitedLimiter& redis = *store;
  std::mt19937_64 random(20250101);
  const std::vector<Cell> shapes = {C("rpm", 7, 60'000, 0), C("tpm", 1000, 60'000, 0), C("rps", 3, 1'000, 0),
                                    C("rpm11", 11, 60'000, 0), C("rpd", 50, 86'400'000, 0)};
  const std::vector<std::string> tags = {"acct:a1", "acct:a2", "ip:198.51.100.0/24"};
  int64_t now = 1'700'000'000'000;
  for (int step = 0; step < 300; ++step) {
    SCOPED_TRACE(::testing::Message() << "step " << step);
    now += static_cast<int64_t>(random() % 3000);
    std::vector<CellGroup> groups;
    const size_t group_count = 1 + random() % 3;
    for (size_t g = 0; g < group_count; ++g) {
      CellGroup group{.tag = tags[random() % tags.size()]};
      for (const Cell& shape : shapes) {
        if (random() % 2 == 0) continue;
        Cell cell = shape;
        cell.cost = static_cast<int64_t>(random() % static_cast<uint64_t>(shape.rate.limit / 2 + 2));
        group.cells.push_back(cell);
      }
      groups.push_back(std::move(group));
    }
    if (random() % 5 == 0) {
      for (CellGroup& group : groups) {
        for (Cell& cell : group.cells)
          cell.cost -= static_cast<int64_t>(random() % static_cast<uint64_t>(cell.rate.limit));
      }
      ASSERT_TRUE(memory.AdjustNow(groups, now).ok());
      ASSERT_TRUE(redis.Adjust(groups, now).ok());
      continue;
    }
    ExpectSame(memory.AcquireNow(groups, now), redis.Acquire(groups, now));
    if (HasFatalFailure() || HasNonfatalFailure()) return;
  }
}

TEST_F(LimiterStoreTest, AdjustNeverMovesBelowNow) {
  std::unique_ptr<AwaitedLimiter> store = NewStore();
  AwaitedLimiter& redis = *store;
  const std::string key = gateway::CellKey("acct:a1", "tpm");
  CellGroup group{.tag = "acct:a1", .cells = {C("tpm", 1000, 60'000, 500)}};
  ASSERT_TRUE(redis.Acquire({&group, 1}, 5'000).ok());
  absl::StatusOr<Reply> tat = client_->Command({"GET", key});
  ASSERT_TRUE(tat.ok());
  EXPECT_EQ(tat->str(), "35000");  // 5000 + 500 * 60
  group.cells[0].cost = 100;       // settle: 100 more than reserved
  ASSERT_TRUE(redis.Adjust({&group, 1}, 6'000).ok());
  tat = client_->Command({"GET", key});
  EXPECT_EQ(tat->str(), "41000");
  group.cells[0].cost = -10'000;  // refund far more than was taken
  ASSERT_TRUE(redis.Adjust({&group, 1}, 7'000).ok());
  tat = client_->Command({"GET", key});
  EXPECT_EQ(tat->str(), "7000");
  // The limiter is empty, not beyond: a full period's worth, then nothing.
  group.cells[0].cost = 1000;
  absl::StatusOr<std::vector<GroupOutcome>> full = redis.Acquire({&group, 1}, 7'000);
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE((*full)[0].allowed);
  group.cells[0].cost = 1;
  absl::StatusOr<std::vector<GroupOutcome>> more = redis.Acquire({&group, 1}, 7'000);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE((*more)[0].allowed);
}

TEST_F(LimiterStoreTest, ExactPrecisionOfStoredTat) {
  // 60000/7 is not a round number: the stored TAT must carry every bit.
  std::unique_ptr<AwaitedLimiter> store = NewStore();
  AwaitedLimiter& redis = *store;
  const CellGroup group{.tag = "acct:a1", .cells = {C("rpm", 7, 60'000, 3)}};
  ASSERT_TRUE(redis.Acquire({&group, 1}, 0).ok());
  absl::StatusOr<Reply> tat = client_->Command({"GET", gateway::CellKey("acct:a1", "rpm")});
  ASSERT_TRUE(tat.ok());
  EXPECT_EQ(std::stod(std::string(tat->str())), 3 * (60'000.0 / 7));
}

TEST_F(LimiterStoreTest, KeysExpireOnceTheLimiterIsEmpty) {
  std::unique_ptr<AwaitedLimiter> store = NewStore();
  AwaitedLimiter& redis = *store;
  const CellGroup group{.tag = "acct:a1", .cells = {C("rpm", 60, 60'000, 1), C("rpd", 1000, 86'400'000, 10)}};
  ASSERT_TRUE(redis.Acquire({&group, 1}, 1'000).ok());
  absl::StatusOr<Reply> rpm = client_->Command({"PTTL", gateway::CellKey("acct:a1", "rpm")});
  ASSERT_TRUE(rpm.ok());
  EXPECT_GT(rpm->integer(), 0);
  EXPECT_LE(rpm->integer(), 1'000 + 1'000);  // ceil(tat - now) + 1000
  absl::StatusOr<Reply> rpd = client_->Command({"PTTL", gateway::CellKey("acct:a1", "rpd")});
  ASSERT_TRUE(rpd.ok());
  EXPECT_GT(rpd->integer(), 1'000);
  EXPECT_LE(rpd->integer(), 864'000 + 1'000);
}

TEST_F(LimiterStoreTest, UnavailableWhileRedisIsDownThenRecovers) {
  std::unique_ptr<AwaitedLimiter> store = NewStore();
  AwaitedLimiter& redis = *store;
  const CellGroup group{.tag = "acct:a1", .cells = {C("rpm", 5, 60'000, 1)}};
  ASSERT_TRUE(redis.Acquire({&group, 1}, 0).ok());
  ASSERT_TRUE(server_->Stop().ok());
  absl::StatusOr<std::vector<GroupOutcome>> down = redis.Acquire({&group, 1}, 0);
  EXPECT_TRUE(absl::IsUnavailable(down.status())) << down.status();
  EXPECT_TRUE(absl::IsUnavailable(redis.Adjust({&group, 1}, 0)));

  ASSERT_TRUE(server_->Restart().ok());  // empty, and without the scripts
  clock_ += 10'000;                      // past the client's backoff
  absl::StatusOr<std::vector<GroupOutcome>> up = redis.Acquire({&group, 1}, 0);
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_TRUE((*up)[0].allowed);
  EXPECT_EQ((*up)[0].cells[0].remaining, 4);  // the restarted Redis forgot the first call
}

TEST_F(LimiterStoreTest, ReloadsScriptsAfterScriptFlush) {
  std::unique_ptr<AwaitedLimiter> store = NewStore();
  AwaitedLimiter& redis = *store;
  const CellGroup group{.tag = "acct:a1", .cells = {C("rpm", 5, 60'000, 1)}};
  ASSERT_TRUE(redis.Acquire({&group, 1}, 0).ok());
  ASSERT_TRUE(redis.Adjust({&group, 1}, 0).ok());
  ASSERT_TRUE(client_->Command({"SCRIPT", "FLUSH"}).ok());
  const std::vector<CellGroup> groups = {group, {.tag = "acct:a2", .cells = {C("rpm", 5, 60'000, 1)}}};
  absl::StatusOr<std::vector<GroupOutcome>> again = redis.Acquire(groups, 0);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].cells[0].remaining, 2);  // 5 - 1 - 1 (adjust) - 1
  EXPECT_EQ((*again)[1].cells[0].remaining, 4);
  ASSERT_TRUE(client_->Command({"SCRIPT", "FLUSH"}).ok());
  EXPECT_TRUE(redis.Adjust(groups, 0).ok());
}

TEST_F(LimiterStoreTest, ErrorReplyIsAnError) {
  std::unique_ptr<AwaitedLimiter> store = NewStore();
  AwaitedLimiter& redis = *store;
  ASSERT_TRUE(client_->Command({"HSET", gateway::CellKey("acct:a1", "rpm"), "f", "v"}).ok());
  const CellGroup group{.tag = "acct:a1", .cells = {C("rpm", 5, 60'000, 1)}};
  absl::StatusOr<std::vector<GroupOutcome>> outcome = redis.Acquire({&group, 1}, 0);
  ASSERT_FALSE(outcome.ok());
  EXPECT_TRUE(absl::IsInternal(outcome.status())) << outcome.status();
  EXPECT_THAT(std::string(outcome.status().message()), HasSubstr("acct:a1"));
}

}  // namespace
}  // namespace hydraguard::redis
