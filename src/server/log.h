// Structured logs: one JSON object a line on stderr, e.g.
//   {"ts":"2026-11-23T01:02:03.456Z","level":"warn","msg":"redis unreachable","error":"..."}
//
//   Log(LogLevel::kWarn, "redis unreachable", {{"error", status.ToString()}});
//
// Thread-safety: lines from concurrent calls never interleave.
#ifndef HYDRAGUARD_SERVER_LOG_H_
#define HYDRAGUARD_SERVER_LOG_H_

#include <initializer_list>
#include <string_view>
#include <utility>

namespace hydraguard::server {

enum class LogLevel { kInfo, kWarn, kError };

void Log(LogLevel level, std::string_view message,
         std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

// Silences Log (tests that provoke errors on purpose).
void SetLogQuiet(bool quiet);

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_LOG_H_
