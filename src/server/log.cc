#include "server/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

#include "ingest/timestamp.h"
#include "io/json_writer.h"

namespace hydraguard::server {
namespace {
std::atomic<bool> quiet{false};
}  // namespace

void SetLogQuiet(bool value) { quiet.store(value); }

void Log(LogLevel level, std::string_view message,
         std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  if (quiet.load(std::memory_order_relaxed)) return;
  int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::string line = "{\"ts\":\"" + ingest::FormatRfc3339Millis(now_ms) + "\",\"level\":\"";
  line += level == LogLevel::kInfo ? "info" : level == LogLevel::kWarn ? "warn" : "error";
  line += "\",\"msg\":";
  io::AppendJsonString(&line, message);
  for (const auto& [key, value] : fields) {
    line += ",";
    io::AppendJsonString(&line, key);
    line += ":";
    io::AppendJsonString(&line, value);
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write: lines do not interleave
}

}  // namespace hydraguard::server
