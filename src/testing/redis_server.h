// RedisServer: a real redis-server for tests, on a free loopback port, with
// no persistence, in a temp dir of its own. Tests of the Redis layer and of
// the gateway run against it; Stop and Restart simulate Redis going away
// and coming back (same port, empty data).
//
//   absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
//   ASSERT_TRUE(server.ok()) << server.status();   // fail, never skip: run `make deps`
//   redis::RedisClient client({.port = (*server)->port()});
//
// The server is killed when the thread that started it exits (PR_SET_PDEATHSIG),
// so that a crashed test leaves no redis-server behind: start it from the main
// thread, or from a thread that outlives its use.
//
// Thread-safety: not thread-safe; drive one server from one test thread.
#ifndef HYDRAGUARD_TESTING_REDIS_SERVER_H_
#define HYDRAGUARD_TESTING_REDIS_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hydraguard::testing {

class RedisServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-server";

  // Starts redis-server on 127.0.0.1 and waits (at most 5 s) until it answers
  // PING. FailedPrecondition if redis-server is not installed (the message
  // says to run `make deps`); Unavailable if it would not come up (the
  // message quotes its log).
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start();
  // Stops the server and removes its temp dir.
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  bool running() const { return pid_ > 0; }
  // The server's stdout and stderr.
  const std::string& log_path() const { return log_path_; }

  // SIGTERM, then waits for the process to exit (SIGKILL after 5 s). Clients
  // see connections closed and refused. No-op when stopped.
  absl::Status Stop();
  // Stops (if running) and starts a fresh server on the same port: no data.
  absl::Status Restart();

 private:
  RedisServer(std::string dir, int port);
  // Spawns redis-server on port_ and waits for PING. On failure the process
  // is gone again.
  absl::Status Launch();

  std::string dir_;
  std::string log_path_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace hydraguard::testing

#endif  // HYDRAGUARD_TESTING_REDIS_SERVER_H_
