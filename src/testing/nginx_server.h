// NginxServer: a real nginx for tests and benchmarks, on a free loopback port,
// with everything it writes (pid, logs, temp files) in a temp dir of its own.
// The caller gives the body of the `http { }` block; "{{PORT}}" in it is
// replaced by the port the harness picked:
//
//   absl::StatusOr<std::unique_ptr<NginxServer>> nginx = NginxServer::Start(
//       "server { listen 127.0.0.1:{{PORT}}; location / { return 204; } }");
//   ASSERT_TRUE(nginx.ok()) << nginx.status();   // fail, never skip: run `make deps`
//   HttpClient client((*nginx)->port());
//
// nginx runs in the foreground as one process (`master_process off`), which
// works alike as root and as any other user. It is killed when the thread
// that started it exits (PR_SET_PDEATHSIG), so a crashed test leaves no nginx
// behind: start it from the main thread, or from a thread that outlives it.
//
// Thread-safety: not thread-safe; drive one server from one test thread.
#ifndef HYDRAGUARD_TESTING_NGINX_SERVER_H_
#define HYDRAGUARD_TESTING_NGINX_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hydraguard::testing {

class NginxServer {
 public:
  static constexpr const char* kBinary = "/usr/sbin/nginx";

  // Writes nginx.conf (daemon off, one process, every path inside the temp
  // dir, `events {}`, `http { <http_block_body> }`), starts nginx and waits
  // (at most 5 s) until the port accepts connections. FailedPrecondition if
  // nginx is not installed (the message says to run `make deps`);
  // InvalidArgument if nginx rejects the config and Unavailable if it would
  // not come up (both quote its error log).
  static absl::StatusOr<std::unique_ptr<NginxServer>> Start(std::string_view http_block_body);
  // Stops nginx and removes the temp dir.
  ~NginxServer();
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  int port() const { return port_; }
  bool running() const { return pid_ > 0; }
  const std::string& dir() const { return dir_; }
  // nginx's error log (startup errors also land in stderr.log beside it).
  std::string error_log_path() const { return dir_ + "/error.log"; }
  // The last `max_bytes` of the error log and of nginx's stderr.
  std::string LogTail(size_t max_bytes = 2000) const;

  // SIGQUIT (graceful), SIGTERM after 2 s, SIGKILL after 5 s; waits for the
  // process. No-op when stopped.
  absl::Status Stop();

 private:
  explicit NginxServer(std::string dir);
  // Writes the config for port_, spawns nginx and waits for the port.
  absl::Status Launch(std::string_view http_block_body);

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace hydraguard::testing

#endif  // HYDRAGUARD_TESTING_NGINX_SERVER_H_
