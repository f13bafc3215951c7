// OutputFile writes a stream of bytes to a file or standard output ("-"),
// zstd-compressed when the path ends in ".zst". Output is buffered; memory
// use is constant whatever the amount written.
//
//   absl::StatusOr<std::unique_ptr<OutputFile>> out = OutputFile::Open("e.jsonl.zst");
//   (*out)->Write("{...}\n");
//   absl::Status done = (*out)->Close();   // flushes; reports any write error
//
// Errors from Write() are remembered and returned by Close(), so callers can
// write in a loop and check once. Thread-safety: one thread at a time.
#ifndef HYDRAGUARD_IO_OUTPUT_FILE_H_
#define HYDRAGUARD_IO_OUTPUT_FILE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hydraguard::io {

class OutputFile {
 public:
  struct Options {
    int zstd_level = 3;
    // nullopt: compress when the path ends in ".zst".
    std::optional<bool> compress;
  };

  static absl::StatusOr<std::unique_ptr<OutputFile>> Open(const std::string& path, Options options);
  static absl::StatusOr<std::unique_ptr<OutputFile>> Open(const std::string& path) { return Open(path, Options()); }
  virtual ~OutputFile() = default;

  virtual void Write(std::string_view bytes) = 0;
  // Flushes and closes. Returns the first error seen by any Write or Close.
  virtual absl::Status Close() = 0;
  // Uncompressed bytes written so far.
  virtual uint64_t bytes_written() const = 0;
};

// Writes `contents` to `path` as one file (zstd when it ends in ".zst"; "-" is
// stdout); returns the first error.
absl::Status WriteFile(const std::string& path, std::string_view contents);

}  // namespace hydraguard::io

#endif  // HYDRAGUARD_IO_OUTPUT_FILE_H_
