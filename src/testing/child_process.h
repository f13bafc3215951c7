// Helpers for the test harnesses that run real servers (redis-server,
// nginx) as child processes on loopback ports.
//
//   absl::StatusOr<int> port = FreeLoopbackPort();
//   absl::StatusOr<pid_t> pid = SpawnWithLog({"/usr/bin/redis-server", "--port", "6390"}, "/tmp/x/log", false);
//
// Thread-safety: each call is independent.
#ifndef HYDRAGUARD_TESTING_CHILD_PROCESS_H_
#define HYDRAGUARD_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace hydraguard::testing {

// "WHAT: <strerror(errno)>".
std::string ErrnoMessage(std::string_view what);

// A port the kernel just handed out for 127.0.0.1: free now, but another
// process may take it before the server binds it (callers retry).
absl::StatusOr<int> FreeLoopbackPort();

// Starts args[0] with `args`, its stdout and stderr written to `log_path`
// (appended or truncated), every other descriptor closed. The child dies
// with the thread that started it (PR_SET_PDEATHSIG). Returns its pid.
absl::StatusOr<pid_t> SpawnWithLog(std::vector<std::string> args, const std::string& log_path, bool append);

}  // namespace hydraguard::testing

#endif  // HYDRAGUARD_TESTING_CHILD_PROCESS_H_
