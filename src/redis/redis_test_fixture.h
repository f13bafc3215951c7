// Test-only: a GoogleTest fixture with one real redis-server per test suite
// (testing::RedisServer), emptied (FLUSHALL) and restarted if a test stopped
// it, before each test. The redis layer's tests derive from it.
#ifndef HYDRAGUARD_REDIS_REDIS_TEST_FIXTURE_H_
#define HYDRAGUARD_REDIS_REDIS_TEST_FIXTURE_H_

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "redis/redis_client.h"
#include "testing/redis_server.h"

namespace hydraguard::redis {

class RedisServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<hydraguard::testing::RedisServer>> server =
        hydraguard::testing::RedisServer::Start();
    if (server.ok()) {
      server_ = std::move(*server);
    } else {
      start_error_ = server.status().ToString();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  // Fails the test when redis-server cannot run (never skips: `make deps`).
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "cannot start redis-server: " << start_error_;
    if (!server_->running()) {
      ASSERT_TRUE(server_->Restart().ok());
    }
    RedisClient admin(RedisOptions{.port = server_->port()});
    absl::StatusOr<Reply> reply = admin.Command({"FLUSHALL"});
    ASSERT_TRUE(reply.ok()) << reply.status();
  }

  static inline std::unique_ptr<hydraguard::testing::RedisServer> server_;
  static inline std::string start_error_;
};

}  // namespace hydraguard::redis

#endif  // HYDRAGUARD_REDIS_REDIS_TEST_FIXTURE_H_
