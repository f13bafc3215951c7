// EventReader reads schema v1 events from JSONL files, .zst files or stdin
// ("-"), in file order, and applies the bad-input policy of DESIGN.md:
// each bad line is reported (BadInputLog) and skipped; with `strict`, the
// first bad line or unreadable file stops reading with an error.
//
//   Interners interners;
//   BadInputLog bad_input(stderr);
//   EventReader reader({"a.jsonl", "b.jsonl.zst"}, {}, &interners, &bad_input);
//   Event event;
//   while (true) {
//     absl::StatusOr<bool> more = reader.Next(&event);
//     if (!more.ok()) return more.status();  // only in strict mode
//     if (!*more) break;
//     Consume(event);
//   }
//
// Non-strict mode never returns an error from Next(): an unreadable file is
// reported and counted in `bad_input`, and reading goes on with the next
// file (events read before a mid-file error are kept).
//
// Lifetime: the event's prompt/system views are valid until the next call to
// Next(). `interners` and `bad_input` must outlive the reader.
// Thread-safety: one thread at a time.
#ifndef HYDRAGUARD_INGEST_EVENT_READER_H_
#define HYDRAGUARD_INGEST_EVENT_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "ingest/bad_input.h"
#include "ingest/event.h"
#include "ingest/event_parser.h"
#include "ingest/interner.h"
#include "io/line_reader.h"

namespace hydraguard::ingest {

struct ReadOptions {
  bool strict = false;                               // stop at the first problem
  size_t max_line_bytes = io::kDefaultMaxLineBytes;  // longer lines are bad
  uint32_t not_interned = 0;                         // see EventParser
};

struct ReadCounters {
  uint64_t files = 0;        // files opened
  uint64_t lines = 0;        // lines seen (good, bad and blank)
  uint64_t blank_lines = 0;  // empty or whitespace-only: no event, no error
  uint64_t events = 0;       // good events returned
  uint64_t bytes = 0;        // decompressed bytes read
  uint64_t raw_bytes = 0;    // bytes read from disk (compressed size)
};

class EventReader {
 public:
  EventReader(std::vector<std::string> paths, ReadOptions options, Interners* interners, BadInputLog* bad_input);
  ~EventReader();

  // Returns true with the next good event, false when all files are done.
  // In strict mode, returns InvalidArgument ("FILE:LINE: field: reason") for
  // the first bad line and the file's error for an unreadable file.
  absl::StatusOr<bool> Next(Event* event);

  const ReadCounters& counters() const { return counters_; }
  // Path of the file being read, as shown in reports (control characters
  // escaped; "<stdin>" for "-"); "" before the first and after the last.
  const std::string& current_path() const { return current_path_; }

 private:
  absl::Status OpenNextFile();  // Sets reader_ = nullptr when no file is left.
  absl::Status FileFailed(absl::Status status);
  void FinishFile(bool failed);

  std::vector<std::string> paths_;
  size_t next_path_ = 0;
  ReadOptions options_;
  BadInputLog* bad_input_;
  EventParser parser_;
  std::unique_ptr<io::LineReader> reader_;
  std::string current_path_;
  ReadCounters counters_;
  uint64_t finished_bytes_ = 0;
  uint64_t finished_raw_bytes_ = 0;
  ParseError error_;
};

// Reads every event of `paths` and calls `on_event` for each good one.
// Returns an error only in strict mode (see EventReader::Next).
absl::Status ReadEvents(const std::vector<std::string>& paths, const ReadOptions& options, Interners* interners,
                        BadInputLog* bad_input, ReadCounters* counters, absl::FunctionRef<void(const Event&)> on_event);

}  // namespace hydraguard::ingest

#endif  // HYDRAGUARD_INGEST_EVENT_READER_H_
