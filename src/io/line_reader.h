// LineReader splits a ByteSource into newline-terminated lines without
// copying them, and guarantees readable padding after each line so that
// simdjson can parse the line in place.
//
//   LineReader reader(std::move(source));
//   Line line;
//   while (true) {
//     absl::StatusOr<bool> more = reader.Next(&line);
//     if (!more.ok()) return more.status();   // I/O or decompression error
//     if (!*more) break;                      // end of input
//     if (line.too_long) { ... }              // line.text is empty
//     Use(line.text, line.number);
//   }
//
// A trailing "\r" is removed (CRLF files). Lines longer than
// `max_line_bytes` are not buffered: they are skipped up to the next newline
// and returned with `too_long` set and their length in `length`.
//
// Thread-safety: one thread at a time.
#ifndef HYDRAGUARD_IO_LINE_READER_H_
#define HYDRAGUARD_IO_LINE_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "io/byte_source.h"

namespace hydraguard::io {

// Bytes after every returned line that are readable (their contents are
// unspecified). Matches simdjson's SIMDJSON_PADDING.
inline constexpr size_t kLinePadding = 64;
inline constexpr size_t kDefaultMaxLineBytes = size_t{1} << 20;

struct Line {
  // The line without its "\n" (and "\r"). Valid until the next Next() call.
  // Followed by at least kLinePadding readable bytes.
  std::string_view text;
  uint64_t number = 0;      // 1-based line number in the input.
  uint64_t length = 0;      // Length in bytes, also when too_long.
  bool terminated = false;  // False only for a last line with no "\n".
  bool too_long = false;    // Longer than max_line_bytes; text is empty.
};

class LineReader {
 public:
  explicit LineReader(std::unique_ptr<ByteSource> source, size_t max_line_bytes = kDefaultMaxLineBytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Returns true and fills *line, false at the end of input, or the source's
  // error. After an error the reader must not be used again.
  absl::StatusOr<bool> Next(Line* line);

  // Number of lines returned so far (the last line's number).
  uint64_t line_number() const { return line_number_; }
  // Total bytes of (decompressed) input consumed so far.
  uint64_t bytes_read() const { return bytes_read_; }
  const ByteSource& source() const { return *source_; }

 private:
  // Reads more input after the data in the buffer. Returns bytes added.
  absl::StatusOr<size_t> Fill();

  std::unique_ptr<ByteSource> source_;
  size_t max_line_bytes_;
  char* buffer_;
  size_t read_chunk_;
  size_t capacity_;     // Usable bytes, excluding padding.
  size_t begin_ = 0;    // Start of unconsumed data.
  size_t end_ = 0;      // End of valid data.
  size_t scanned_ = 0;  // [begin_, scanned_) holds no newline.
  uint64_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
  bool at_eof_ = false;
};

}  // namespace hydraguard::io

#endif  // HYDRAGUARD_IO_LINE_READER_H_
