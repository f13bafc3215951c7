#include "testing/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "testing/child_process.h"
#include "testing/test_files.h"

namespace hydraguard::testing {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kStartTimeout(5);
constexpr std::chrono::seconds kStopTimeout(5);
constexpr int kStartAttempts = 5;

// Whether a Redis on 127.0.0.1:port answers PING.
bool Pings(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval timeout{.tv_sec = 0, .tv_usec = 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    static constexpr char kPing[] = "PING\r\n";
    if (::send(fd, kPing, sizeof(kPing) - 1, MSG_NOSIGNAL) == sizeof(kPing) - 1) {
      char buffer[16] = {};
      ssize_t n = ::recv(fd, buffer, sizeof(buffer) - 1, 0);
      ok = n >= 5 && std::string_view(buffer, 5) == "+PONG";
    }
  }
  ::close(fd);
  return ok;
}

std::string LogTail(const std::string& path) {
  std::string log = ReadWholeFile(path);
  constexpr size_t kTail = 800;
  return log.size() > kTail ? log.substr(log.size() - kTail) : log;
}

}  // namespace

RedisServer::RedisServer(std::string dir, int port)
    : dir_(std::move(dir)), log_path_(dir_ + "/redis.log"), port_(port) {}

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start() {
  if (::access(kBinary, X_OK) != 0) {
    return absl::FailedPreconditionError(
        fmt::format("{} is not installed (run `make deps`, which installs the redis-server package)", kBinary));
  }
  std::string dir = TempPath("_redis");
  if (::mkdir(dir.c_str(), 0700) != 0) return absl::InternalError(ErrnoMessage(fmt::format("mkdir {}", dir)));
  std::unique_ptr<RedisServer> server(new RedisServer(dir, 0));
  absl::Status status;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    absl::StatusOr<int> port = FreeLoopbackPort();
    if (!port.ok()) return port.status();
    server->port_ = *port;
    status = server->Launch();
    if (status.ok()) return server;
  }
  return status;
}

RedisServer::~RedisServer() {
  (void)Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status RedisServer::Launch() {
  const std::string port = std::to_string(port_);
  std::vector<std::string> args = {kBinary,        "--port", port,          "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no",     "--daemonize", "no",     "--dir",     dir_};
  absl::StatusOr<pid_t> pid = SpawnWithLog(std::move(args), log_path_, true);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;

  const auto deadline = Clock::now() + kStartTimeout;
  while (Clock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(fmt::format("redis-server on 127.0.0.1:{} exited at start (status {}); log {}:\n{}",
                                                port_, wstatus, log_path_, LogTail(log_path_)));
    }
    if (Pings(port_)) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  (void)Stop();
  return absl::UnavailableError(fmt::format("redis-server on 127.0.0.1:{} did not answer PING within {} s; log {}:\n{}",
                                            port_, kStartTimeout.count(), log_path_, LogTail(log_path_)));
}

absl::Status RedisServer::Stop() {
  if (pid_ <= 0) return absl::OkStatus();
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + kStopTimeout;
  while (true) {
    int wstatus = 0;
    pid_t done = ::waitpid(pid_, &wstatus, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) break;
    if (Clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &wstatus, 0);
      pid_ = -1;
      return absl::DeadlineExceededError(
          fmt::format("redis-server on 127.0.0.1:{} ignored SIGTERM for {} s; killed", port_, kStopTimeout.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pid_ = -1;
  return absl::OkStatus();
}

absl::Status RedisServer::Restart() {
  if (absl::Status status = Stop(); !status.ok()) return status;
  absl::Status status;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    status = Launch();
    if (status.ok()) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return status;
}

}  // namespace hydraguard::testing
