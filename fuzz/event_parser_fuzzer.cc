// libFuzzer target: arbitrary bytes as an event log (plain or zstd), through
// the line reader and the event parser, as `hydraguard stats` reads a file.
// Must never crash, leak, or read out of bounds, whatever the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/event_parser.h"
#include "io/byte_source.h"
#include "io/line_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hydraguard;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first byte picks a small line limit now and then, to reach the
  // over-long-line path without megabyte inputs; otherwise lines up to 64 KiB
  // (the 1 MiB default only makes each run slower).
  size_t max_line = (size > 0 && data[0] % 4 == 0) ? 64 : 64 << 10;
  ingest::Interners interners;
  ingest::EventParser parser(&interners);
  io::LineReader reader(io::MemoryByteSource(input), max_line);
  io::Line line;
  ingest::Event event;
  ingest::ParseError error;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&line);
    if (!more.ok() || !*more) break;
    if (line.too_long) continue;
    if (parser.Parse(line.text, &event, &error)) {
      // Touch what consumers read.
      volatile size_t sink = event.prompt.size() + event.system.size() + interners.account.Name(event.account).size();
      (void)sink;
    } else if (error.field.empty() || error.reason.empty()) {
      __builtin_trap();  // Every rejection must say what and why.
    }
  }
  return 0;
}
