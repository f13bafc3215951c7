// The gateway with `state: redis`: replicas sharing one real redis-server,
// Redis going away and coming back, the event stream, shared verdicts.
#include <atomic>
#include <thread>
#include <utility>  // before Boost

#include "fmt/format.h"
#include "gateway/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "redis/redis_client.h"
#include "server/gateway_server.h"
#include "server/log.h"
#include "testing/http_client.h"
#include "testing/redis_server.h"
#include "testing/test_files.h"
#include "testing/upstream_stub.h"

namespace hydraguard::server {
namespace {

using ::hydraguard::testing::HttpClient;
using ::hydraguard::testing::HttpReply;
using ::testing::HasSubstr;

constexpr int64_t kStart = 1'790'000'000'000;

std::string Body() { return R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":"hello"}]})"; }

class GatewayRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogQuiet(true);
    absl::StatusOr<std::unique_ptr<hydraguard::testing::RedisServer>> redis = hydraguard::testing::RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    std::string keys;
    for (int index = 0; index < 20; ++index) {
      keys += fmt::format(R"({{"key":"k{0}","account":"a{0}","payment":"fp{1}","verified":"payment"}})"
                          "\n",
                          index, index % 2);
    }
    keys_path_ = hydraguard::testing::WriteTempFile(keys);
  }
  void TearDown() override { SetLogQuiet(false); }

  std::unique_ptr<GatewayServer> Replica(std::string_view failure = "open", std::string_view extra = "") {
    std::string yaml = fmt::format(R"(listen: 127.0.0.1:0
threads: 2
upstream: {{url: "{}"}}
keys: {{file: {}}}
admin_token: t0ken
state: redis
redis: {{port: {}, on_failure: {}, refresh: 100ms, timeout: 200ms}}
tiers:
  default: build
  levels:
    build: {{requests_per_minute: 1000}}
shared:
  payment: {{requests_per_minute: 25}}
{})",
                                   stub_.url(), keys_path_, redis_->port(), failure, extra);
    absl::StatusOr<gateway::GatewayConfig> config = gateway::ParseGatewayConfig(yaml, "test.yaml");
    EXPECT_TRUE(config.ok()) << config.status();
    absl::StatusOr<std::unique_ptr<GatewayServer>> server =
        GatewayServer::Create(*config, [this] { return now_ms_.load(); });
    EXPECT_TRUE(server.ok()) << server.status();
    (*server)->Start();
    return *std::move(server);
  }

  static int Status(GatewayServer& server, std::string_view key) {
    HttpClient client(server.port());
    absl::StatusOr<HttpReply> reply = client.Post("/v1/messages", Body(), {{"x-api-key", std::string(key)}});
    return reply.ok() ? reply->status : -1;
  }

  static std::string Metrics(GatewayServer& server) {
    HttpClient client(server.port());
    return client.Get("/metrics").value().body;
  }

  // Whether /metrics has the line `line` within 10 s (the event stream
  // writes from its own thread).
  static bool WaitForMetric(GatewayServer& server, std::string_view line) {
    std::string wanted = fmt::format("\n{}\n", line);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Metrics(server).find(wanted) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  hydraguard::testing::UpstreamStub stub_;
  std::unique_ptr<hydraguard::testing::RedisServer> redis_;
  std::string keys_path_;
  std::atomic<int64_t> now_ms_{kStart};
};

TEST_F(GatewayRedisTest, TwoReplicasSharingRedisStayWithinTheLimit) {
  std::unique_ptr<GatewayServer> first = Replica(), second = Replica();
  // 4 clients per replica, accounts paying with fp0 (even keys): the shared
  // payment limit of 25 a minute holds across both replicas.
  std::atomic<int> admitted{0}, refused{0}, other{0};
  std::vector<std::thread> clients;
  for (int client_idx = 0; client_idx < 8; ++client_idx) {
    clients.emplace_back([&, client_idx] {
      GatewayServer& replica = client_idx % 2 == 0 ? *first : *second;
      HttpClient client(replica.port());
      for (int request = 0; request < 10; ++request) {
        std::string key = fmt::format("k{}", 2 * ((client_idx + request) % 10));
        absl::StatusOr<HttpReply> reply = client.Post("/v1/messages", Body(), {{"x-api-key", key}});
        int status = reply.ok() ? reply->status : -1;
        (status == 200 ? admitted : status == 429 ? refused : other)++;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(admitted.load(), 25);
  EXPECT_EQ(refused.load(), 55);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(stub_.requests().size(), 25u);
  // The other card is untouched.
  EXPECT_EQ(Status(*second, "k1"), 200);
}

TEST_F(GatewayRedisTest, FailOpenServesWhileRedisIsDownAndSaysSo) {
  std::unique_ptr<GatewayServer> gateway = Replica("open");
  EXPECT_EQ(Status(*gateway, "k0"), 200);
  ASSERT_TRUE(WaitForMetric(*gateway, "hydraguard_stream_appended_total 1")) << Metrics(*gateway);
  ASSERT_TRUE(redis_->Stop().ok());
  for (int request = 0; request < 30; ++request) EXPECT_EQ(Status(*gateway, "k0"), 200);  // above the limit: no state
  // Each response is counted and its event buffered before the client has it.
  std::string metrics = Metrics(*gateway);
  EXPECT_THAT(metrics, HasSubstr("hydraguard_redis_up 0"));
  EXPECT_THAT(metrics, HasSubstr("hydraguard_degraded_decisions_total 30"));
  EXPECT_THAT(metrics, HasSubstr(R"(hydraguard_decisions_total{action="allow",reason="ok"} 31)"));
  EXPECT_THAT(metrics, HasSubstr("hydraguard_stream_backlog 30"));  // the first was sent
  ASSERT_TRUE(redis_->Restart().ok());
  now_ms_ += 1000;
  // Back: limits apply again (a fresh Redis: 25 a minute from now on).
  int admitted = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Metrics(*gateway).find("\nhydraguard_redis_up 1\n") != std::string::npos) break;
    (void)Status(*gateway, "k1");  // odd payment: does not touch fp0
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (int request = 0; request < 30; ++request) admitted += Status(*gateway, "k0") == 200;
  EXPECT_EQ(admitted, 25) << Metrics(*gateway);
  // Events buffered while Redis was away reach the stream (the fresh server
  // lost none of them: they were never written before).
  redis::RedisClient client({.port = redis_->port()});
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int64_t length = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<redis::Reply> reply = client.Command({"XLEN", "hg:events"});
    length = reply.ok() ? reply->integer() : 0;
    if (length >= 30 + 30) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(length, 60);  // 30 buffered + the polls + 30 after; the first went to the old server
  absl::StatusOr<redis::Reply> first = client.Command({"XRANGE", "hg:events", "-", "+", "COUNT", "1"});
  ASSERT_TRUE(first.ok());
  EXPECT_THAT(std::string(first->element(0).element(1).element(1).str()), HasSubstr(R"("account":"a0")"));
}

TEST_F(GatewayRedisTest, FailClosedRefusesWith503WhileRedisIsDown) {
  std::unique_ptr<GatewayServer> gateway = Replica("closed");
  EXPECT_EQ(Status(*gateway, "k0"), 200);
  ASSERT_TRUE(redis_->Stop().ok());
  HttpClient client(gateway->port());
  HttpReply refused = client.Post("/v1/messages", Body(), {{"x-api-key", "k0"}}).value();
  EXPECT_EQ(refused.status, 503);
  EXPECT_THAT(refused.body, HasSubstr("overloaded_error"));
  EXPECT_THAT(Metrics(*gateway),
              HasSubstr(R"(hydraguard_decisions_total{action="allow",reason="state_unavailable"} 1)"));
  ASSERT_TRUE(redis_->Restart().ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline && (status = Status(*gateway, "k0")) != 200) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200);
}

TEST_F(GatewayRedisTest, VerdictSetOnOneReplicaReachesTheOther) {
  std::unique_ptr<GatewayServer> first = Replica(), second = Replica();
  HttpClient admin(first->port());
  HttpReply set = admin
                      .Send("PUT", "/admin/verdicts/account/a3", R"({"action":"block","campaign":"c7"})",
                            {{"authorization", "Bearer t0ken"}})
                      .value();
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Status(*first, "k3"), 403);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline && (status = Status(*second, "k3")) != 403) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 403);
  // The engine (or an operator) can also write the hash directly.
  redis::RedisClient client({.port = redis_->port()});
  ASSERT_TRUE(client.Command({"HSET", "hg:verdicts", "account:a5", R"({"action":"challenge"})"}).ok());
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && (status = Status(*second, "k5")) != 403) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 403);
}

TEST_F(GatewayRedisTest, DeletingAnEngineVerdictHoldsOnEveryReplicaAcrossRefreshes) {
  std::string verdicts = hydraguard::testing::WriteTempFile(
      R"({"account":"a3","action":"block","score":0.9,"campaign":"c1","since":1767312000000,"reasons":[]})"
      "\n");
  std::string extra = fmt::format("verdicts: {{file: {}}}\n", verdicts);
  std::unique_ptr<GatewayServer> first = Replica("open", extra), second = Replica("open", extra);
  EXPECT_EQ(Status(*first, "k3"), 403);
  EXPECT_EQ(Status(*second, "k3"), 403);
  HttpClient admin(first->port());
  HttpReply deleted =
      admin.Send("DELETE", "/admin/verdicts/account/a3", "", {{"authorization", "Bearer t0ken"}}).value();
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  auto eventually = [](GatewayServer& server, int want) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline && (status = Status(server, "k3")) != want) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return status;
  };
  EXPECT_EQ(eventually(*second, 200), 200);
  // Several refreshes (every 100 ms) later it is still gone on both.
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_EQ(Status(*first, "k3"), 200);
  EXPECT_EQ(Status(*second, "k3"), 200);
  // Set again by an operator: in force again everywhere.
  HttpReply set =
      admin.Send("PUT", "/admin/verdicts/account/a3", R"({"action":"block"})", {{"authorization", "Bearer t0ken"}})
          .value();
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(eventually(*second, 403), 403);
}

TEST_F(GatewayRedisTest, KeyTableFromARedisHash) {
  redis::RedisClient client({.port = redis_->port()});
  ASSERT_TRUE(client.Command({"HSET", "hg:keys", "rk-1", R"({"account":"r1","payment":"fpr"})"}).ok());
  std::unique_ptr<GatewayServer> gateway = [&] {
    std::string yaml = fmt::format(R"(listen: 127.0.0.1:0
upstream: {{url: "{}"}}
keys: {{redis_hash: hg:keys}}
state: redis
redis: {{port: {}, refresh: 100ms}}
tiers: {{levels: {{build: {{requests_per_minute: 10}}}}}}
)",
                                   stub_.url(), redis_->port());
    absl::StatusOr<gateway::GatewayConfig> config = gateway::ParseGatewayConfig(yaml, "test.yaml");
    EXPECT_TRUE(config.ok()) << config.status();
    std::unique_ptr<GatewayServer> server = GatewayServer::Create(*config, [this] { return now_ms_.load(); }).value();
    server->Start();
    return server;
  }();
  EXPECT_EQ(Status(*gateway, "rk-1"), 200);
  EXPECT_EQ(Status(*gateway, "rk-2"), 401);
  ASSERT_TRUE(client.Command({"HSET", "hg:keys", "rk-2", R"({"account":"r2"})"}).ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline && (status = Status(*gateway, "rk-2")) != 200) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200);
}

// Token limits in Redis mode: every proxied request settles its reservation
// on the loop's pipelined connection (this once crashed the gateway: GCC 12
// miscompiled a co_await inside the settlement's condition).
struct SettleCase {
  std::string name;
  std::string path;  // /v1/messages or /v1/chat/completions
  bool stream = false;
};

class GatewayRedisSettleTest : public GatewayRedisTest, public ::testing::WithParamInterface<SettleCase> {
 protected:
  // One loop: a settlement is queued on the loop's Redis connection ahead of
  // the next request's admission, so the next request sees it.
  std::unique_ptr<GatewayServer> TokenReplica(const hydraguard::testing::UpstreamStub& stub) {
    std::string yaml = fmt::format(R"(listen: 127.0.0.1:0
threads: 1
upstream: {{url: "{}"}}
keys: {{file: {}}}
state: redis
redis: {{port: {}, on_failure: closed, refresh: 100ms, timeout: 2s}}
tiers:
  default: build
  levels:
    build: {{requests_per_minute: 1000, input_tokens_per_minute: 100000, output_tokens_per_minute: 1000}}
)",
                                   stub.url(), keys_path_, redis_->port());
    absl::StatusOr<gateway::GatewayConfig> config = gateway::ParseGatewayConfig(yaml, "test.yaml");
    EXPECT_TRUE(config.ok()) << config.status();
    std::unique_ptr<GatewayServer> server = GatewayServer::Create(*config, [this] { return now_ms_.load(); }).value();
    server->Start();
    return server;
  }

  static HttpReply Send(GatewayServer& server, int max_tokens) {
    const SettleCase& test_case = GetParam();
    std::string body =
        fmt::format(R"({{"model":"m","max_tokens":{},"stream":{},"messages":[{{"role":"user","content":"hello"}}]}})",
                    max_tokens, test_case.stream);
    HttpClient client(server.port());
    std::vector<std::pair<std::string, std::string>> headers;
    if (test_case.path == "/v1/messages") {
      headers.emplace_back("x-api-key", "k0");
    } else {
      headers.emplace_back("authorization", "Bearer k0");
    }
    absl::StatusOr<HttpReply> reply = client.Post(test_case.path, body, headers);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : HttpReply{};
  }
};

INSTANTIATE_TEST_SUITE_P(Apis, GatewayRedisSettleTest,
                         ::testing::Values(SettleCase{"MessagesWhole", "/v1/messages", false},
                                           SettleCase{"MessagesStreamed", "/v1/messages", true},
                                           SettleCase{"ChatWhole", "/v1/chat/completions", false},
                                           SettleCase{"ChatStreamed", "/v1/chat/completions", true}),
                         [](const ::testing::TestParamInfo<SettleCase>& info) { return info.param.name; });

TEST_P(GatewayRedisSettleTest, UsageBelowTheReservationGivesTheRestBack) {
  hydraguard::testing::UpstreamStub stub({.output_tokens = 42});
  std::unique_ptr<GatewayServer> gateway = TokenReplica(stub);
  // Each reserves 600 of 1000 output tokens a minute and settles to 42: were
  // reservations never settled, the second would be refused.
  for (int request = 0; request < 6; ++request) {
    HttpReply reply = Send(*gateway, 600);
    EXPECT_EQ(reply.status, 200) << "request " << request << ": " << reply.body;
  }
  EXPECT_EQ(stub.requests().size(), 6u);
  std::string metrics = Metrics(*gateway);
  EXPECT_THAT(metrics, HasSubstr("hydraguard_redis_up 1"));
  EXPECT_THAT(metrics, HasSubstr(R"(hydraguard_decisions_total{action="allow",reason="ok"} 6)"));
}

TEST_P(GatewayRedisSettleTest, UsageAboveTheReservationChargesTheDifference) {
  hydraguard::testing::UpstreamStub stub({.output_tokens = 900});
  std::unique_ptr<GatewayServer> gateway = TokenReplica(stub);
  // Reserves 50, settles to 900: the third finds 1800 of 1000 used.
  EXPECT_EQ(Send(*gateway, 50).status, 200);
  EXPECT_EQ(Send(*gateway, 50).status, 200);
  HttpReply refused = Send(*gateway, 50);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("output tokens"));
  EXPECT_EQ(stub.requests().size(), 2u);
}

}  // namespace
}  // namespace hydraguard::server
