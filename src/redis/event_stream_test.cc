#include "redis/event_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "redis/redis_test_fixture.h"
#include "testing/redis_server.h"

namespace hydraguard::redis {
namespace {

using ::testing::ElementsAreArray;

constexpr std::chrono::seconds kDeadline(20);  // generous: only reached when something is broken

// Polls `condition` until it holds or kDeadline passes.
bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return condition();
}

class EventStreamTest : public RedisServerTest {
 protected:
  void SetUp() override {
    RedisServerTest::SetUp();
    if (HasFatalFailure()) return;
    // A short backoff, so that delivery resumes soon after a Restart.
    client_ = std::make_unique<RedisClient>(RedisOptions{.port = server_->port(), .reconnect_backoff_ms = 20});
  }

  // The `event` field of every entry of `stream`, in stream order.
  std::vector<std::string> Entries(const std::string& stream) {
    std::vector<std::string> lines;
    absl::StatusOr<Reply> range = client_->Command({"XRANGE", stream, "-", "+"});
    EXPECT_TRUE(range.ok()) << range.status();
    if (!range.ok()) return lines;
    for (size_t i = 0; i < range->size(); ++i) {
      ReplyView fields = range->element(i).element(1);
      EXPECT_EQ(fields.size(), 2u);
      EXPECT_EQ(fields.element(0).str(), "event");
      lines.emplace_back(fields.element(1).str());
    }
    return lines;
  }

  static std::vector<std::string> Lines(int from, int count) {
    std::vector<std::string> lines;
    for (int i = from; i < from + count; ++i) lines.push_back(fmt::format(R"({{"seq":{},"account":"a1"}})", i));
    return lines;
  }

  std::unique_ptr<RedisClient> client_;
};

TEST_F(EventStreamTest, LinesReachTheStreamInOrder) {
  EventStream events(*client_, {.stream = "hg:test-events", .batch_size = 100});
  const std::vector<std::string> lines = Lines(0, 1000);
  for (const std::string& line : lines) ASSERT_TRUE(events.Append(line));
  ASSERT_TRUE(events.Flush(kDeadline));
  EXPECT_EQ(events.appended(), 1000u);
  EXPECT_EQ(events.backlog(), 0u);
  EXPECT_EQ(events.dropped(), 0u);
  EXPECT_EQ(events.failures(), 0u);
  EXPECT_THAT(Entries("hg:test-events"), ElementsAreArray(lines));
}

TEST_F(EventStreamTest, ManyWritersLoseNothing) {
  EventStream events(*client_);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&events, t] {
      for (const std::string& line : Lines(t * 1000, 500)) events.Append(line);
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(events.Flush(kDeadline));
  EXPECT_EQ(events.appended(), 2000u);
  EXPECT_EQ(Entries("hg:events").size(), 2000u);
}

TEST_F(EventStreamTest, BuffersWhileRedisIsDownThenDelivers) {
  EventStream events(*client_, {.min_backoff_ms = 5, .max_backoff_ms = 50});
  ASSERT_TRUE(events.Append("before"));
  ASSERT_TRUE(events.Flush(kDeadline));

  ASSERT_TRUE(server_->Stop().ok());
  const std::vector<std::string> lines = Lines(0, 10);
  for (const std::string& line : lines) ASSERT_TRUE(events.Append(line));
  EXPECT_EQ(events.backlog(), 10u);
  ASSERT_TRUE(Eventually([&] { return events.failures() >= 2; }));  // it keeps retrying
  EXPECT_EQ(events.backlog(), 10u);
  EXPECT_EQ(events.appended(), 1u);
  EXPECT_FALSE(events.Flush(std::chrono::milliseconds(0)));

  ASSERT_TRUE(server_->Restart().ok());  // empty again
  ASSERT_TRUE(events.Flush(kDeadline));
  EXPECT_EQ(events.appended(), 11u);
  EXPECT_EQ(events.backlog(), 0u);
  EXPECT_EQ(events.dropped(), 0u);
  EXPECT_THAT(Entries("hg:events"), ElementsAreArray(lines));
}

TEST_F(EventStreamTest, DropsNewLinesWhenTheBufferIsFull) {
  ASSERT_TRUE(server_->Stop().ok());
  EventStream events(*client_, {.capacity = 5, .min_backoff_ms = 5, .max_backoff_ms = 50});
  const std::vector<std::string> lines = Lines(0, 8);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(events.Append(lines[i]), i < 5) << i;
  EXPECT_EQ(events.dropped(), 3u);
  EXPECT_EQ(events.backlog(), 5u);

  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(events.Flush(kDeadline));
  EXPECT_EQ(events.appended(), 5u);
  EXPECT_EQ(events.dropped(), 3u);
  EXPECT_THAT(Entries("hg:events"), ElementsAreArray(std::vector<std::string>(lines.begin(), lines.begin() + 5)));
}

TEST_F(EventStreamTest, DropsLinesBeyondTheByteBudget) {
  ASSERT_TRUE(server_->Stop().ok());
  EventStream events(*client_, {.capacity_bytes = 100, .min_backoff_ms = 5, .max_backoff_ms = 50});
  const std::string big(40, 'b'), small(10, 's');
  EXPECT_TRUE(events.Append(big));
  EXPECT_TRUE(events.Append(big));
  EXPECT_FALSE(events.Append(big));   // 120 bytes would not fit in 100
  EXPECT_TRUE(events.Append(small));  // 90 do
  EXPECT_EQ(events.dropped(), 1u);
  EXPECT_EQ(events.backlog(), 3u);
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(events.Flush(kDeadline));
  EXPECT_EQ(events.appended(), 3u);
  EXPECT_TRUE(events.Append(big));  // written lines free their bytes
  EXPECT_TRUE(events.Append(big));
  ASSERT_TRUE(events.Flush(kDeadline));
  EXPECT_EQ(events.appended(), 5u);
  EXPECT_EQ(events.dropped(), 1u);
}

TEST_F(EventStreamTest, ErrorRepliesAreDroppedNotRetried) {
  ASSERT_TRUE(client_->Command({"SET", "hg:not-a-stream", "x"}).ok());
  EventStream events(*client_, {.stream = "hg:not-a-stream"});
  for (const std::string& line : Lines(0, 3)) ASSERT_TRUE(events.Append(line));
  ASSERT_TRUE(events.Flush(kDeadline));
  EXPECT_EQ(events.appended(), 0u);
  EXPECT_EQ(events.dropped(), 3u);
  EXPECT_EQ(events.failures(), 3u);
}

TEST_F(EventStreamTest, DestructorDoesNotWaitForAnUnreachableRedis) {
  ASSERT_TRUE(server_->Stop().ok());
  auto events = std::make_unique<EventStream>(*client_);
  events->Append("lost");
  events.reset();  // returns (the test would time out otherwise)
}

TEST_F(EventStreamTest, DestructorDeliversWhatIsBuffered) {
  {
    EventStream events(*client_);
    for (const std::string& line : Lines(0, 100)) events.Append(line);
  }
  EXPECT_EQ(Entries("hg:events").size(), 100u);
}

}  // namespace
}  // namespace hydraguard::redis
