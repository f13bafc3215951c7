// Byte sources: where event logs come from.
//
// OpenByteSource() opens a file path, or standard input for "-", and looks at
// the first bytes: a zstd frame magic number makes it decompress on the fly,
// whatever the file is called. Everything else is read as-is.
//
//   absl::StatusOr<std::unique_ptr<ByteSource>> source = OpenByteSource("a.jsonl.zst");
//   if (!source.ok()) return source.status();
//   char buf[4096];
//   absl::StatusOr<size_t> n = (*source)->Read(buf, sizeof buf);  // 0 at end
//
// Thread-safety: a ByteSource is used by one thread at a time.
#ifndef HYDRAGUARD_IO_BYTE_SOURCE_H_
#define HYDRAGUARD_IO_BYTE_SOURCE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace hydraguard::io {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Reads up to `size` bytes into `buffer`. Returns how many were read; 0 only
  // at the end of the input. Errors (I/O, corrupt or truncated compressed
  // data) are returned as a status whose message says what went wrong; the
  // source is unusable afterwards.
  virtual absl::StatusOr<size_t> Read(char* buffer, size_t size) = 0;

  // Bytes consumed from the underlying file or stream so far (compressed bytes
  // for a compressed source). For progress and throughput figures.
  virtual uint64_t raw_bytes_read() const = 0;

  // True when the input is zstd-compressed.
  virtual bool compressed() const { return false; }
};

// Opens `path` ("-" is standard input) and detects zstd compression by its
// magic number. Returns NotFound / PermissionDenied / ... with the path and
// the OS reason when the file cannot be opened.
absl::StatusOr<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path);

// A source over bytes held in memory (tests, fuzzers). `data` must outlive the
// source. zstd-compressed data is detected and decompressed as for files.
std::unique_ptr<ByteSource> MemoryByteSource(std::string_view data);

}  // namespace hydraguard::io

#endif  // HYDRAGUARD_IO_BYTE_SOURCE_H_
