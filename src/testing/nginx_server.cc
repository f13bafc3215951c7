#include "testing/nginx_server.h"

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
#include <fstream>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "testing/child_process.h"
#include "testing/test_files.h"

namespace hydraguard::testing {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::seconds kStartTimeout(5);
constexpr std::chrono::seconds kQuitTimeout(2);
constexpr std::chrono::seconds kStopTimeout(5);
constexpr int kStartAttempts = 5;

// Whether something accepts TCP connections on 127.0.0.1:port.
bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

std::string Tail(const std::string& path, size_t max_bytes) {
  std::string text = ReadWholeFile(path);
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

// `text` with every `from` replaced by `to`.
std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  for (size_t at = text.find(from); at != std::string_view::npos; at = text.find(from)) {
    out.append(text.substr(0, at));
    out.append(to);
    text.remove_prefix(at + from.size());
  }
  out.append(text);
  return out;
}

// The whole nginx.conf: every file nginx writes lives in `dir`.
std::string Config(const std::string& dir, std::string_view http_block_body, int port) {
  std::string body = ReplaceAll(http_block_body, "{{PORT}}", std::to_string(port));
  return fmt::format(
      "# Written by hydraguard::testing::NginxServer.\n"
      "daemon off;\n"
      "master_process off;\n"
      "worker_processes 1;\n"
      "pid {0}/nginx.pid;\n"
      "error_log {0}/error.log info;\n"
      "events {{\n"
      "  worker_connections 1024;\n"
      "}}\n"
      "http {{\n"
      "  access_log {0}/access.log;\n"
      "  client_body_temp_path {0}/client_body_temp;\n"
      "  proxy_temp_path {0}/proxy_temp;\n"
      "  fastcgi_temp_path {0}/fastcgi_temp;\n"
      "  uwsgi_temp_path {0}/uwsgi_temp;\n"
      "  scgi_temp_path {0}/scgi_temp;\n"
      "{1}\n"
      "}}\n",
      dir, body);
}

}  // namespace

NginxServer::NginxServer(std::string dir) : dir_(std::move(dir)) {}

absl::StatusOr<std::unique_ptr<NginxServer>> NginxServer::Start(std::string_view http_block_body) {
  if (::access(kBinary, X_OK) != 0) {
    return absl::FailedPreconditionError(
        fmt::format("{} is not installed (run `make deps`, which installs the nginx-light package)", kBinary));
  }
  std::string dir = TempPath("_nginx");
  if (::mkdir(dir.c_str(), 0700) != 0) return absl::InternalError(ErrnoMessage(fmt::format("mkdir {}", dir)));
  std::unique_ptr<NginxServer> server(new NginxServer(dir));
  absl::Status status;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    absl::StatusOr<int> port = FreeLoopbackPort();
    if (!port.ok()) return port.status();
    server->port_ = *port;
    status = server->Launch(http_block_body);
    if (status.ok()) return server;
    if (!absl::IsAborted(status)) return status;  // only a lost port race is worth another try
  }
  return absl::UnavailableError(status.message());
}

NginxServer::~NginxServer() {
  (void)Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string NginxServer::LogTail(size_t max_bytes) const {
  return fmt::format("--- {}/error.log:\n{}\n--- {}/stderr.log:\n{}", dir_, Tail(error_log_path(), max_bytes), dir_,
                     Tail(dir_ + "/stderr.log", max_bytes));
}

absl::Status NginxServer::Launch(std::string_view http_block_body) {
  const std::string conf_path = dir_ + "/nginx.conf";
  {
    std::ofstream conf(conf_path, std::ios::binary | std::ios::trunc);
    conf << Config(dir_, http_block_body, port_);
    if (!conf) return absl::InternalError(ErrnoMessage(fmt::format("write {}", conf_path)));
  }
  // Fresh logs for this attempt, so that errors quoted are this attempt's.
  std::error_code ignored;
  std::filesystem::remove(error_log_path(), ignored);
  const std::string stderr_path = dir_ + "/stderr.log";
  std::vector<std::string> args = {kBinary, "-p", dir_ + "/", "-c", conf_path, "-e", error_log_path()};
  absl::StatusOr<pid_t> pid = SpawnWithLog(std::move(args), stderr_path, false);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;

  const auto deadline = SteadyClock::now() + kStartTimeout;
  while (SteadyClock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      std::string message = fmt::format("nginx on 127.0.0.1:{} exited at start (status {}), config {}:\n{}", port_,
                                        wstatus, conf_path, LogTail());
      if (message.find("Address already in use") != std::string::npos) return absl::AbortedError(message);
      return absl::InvalidArgumentError(message);
    }
    if (Accepts(port_)) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  (void)Stop();
  return absl::UnavailableError(fmt::format("nginx on 127.0.0.1:{} did not accept connections within {} s:\n{}", port_,
                                            kStartTimeout.count(), LogTail()));
}

absl::Status NginxServer::Stop() {
  if (pid_ <= 0) return absl::OkStatus();
  ::kill(pid_, SIGQUIT);
  const auto start = SteadyClock::now();
  bool terminated = false;
  while (true) {
    int wstatus = 0;
    pid_t done = ::waitpid(pid_, &wstatus, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) break;
    const auto waited = SteadyClock::now() - start;
    if (!terminated && waited >= kQuitTimeout) {
      ::kill(pid_, SIGTERM);  // graceful shutdown waits for open requests; stop waiting
      terminated = true;
    }
    if (waited >= kStopTimeout) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &wstatus, 0);
      pid_ = -1;
      return absl::DeadlineExceededError(fmt::format(
          "nginx on 127.0.0.1:{} ignored SIGQUIT and SIGTERM for {} s; killed", port_, kStopTimeout.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  pid_ = -1;
  return absl::OkStatus();
}

}  // namespace hydraguard::testing
