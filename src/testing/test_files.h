// Test helpers shared by every layer's tests: temporary files, zstd fixtures.
// Linked only into test binaries (TEST_DEPS hg_testing).
#ifndef HYDRAGUARD_TESTING_TEST_FILES_H_
#define HYDRAGUARD_TESTING_TEST_FILES_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "io/byte_source.h"

namespace hydraguard::testing {

// A fresh path under the test temp dir, unique per call within a process.
std::string TempPath(std::string_view suffix);
// Writes `contents` to a fresh temp file and returns its path.
std::string WriteTempFile(std::string_view contents, std::string_view suffix = ".jsonl");
// One zstd frame holding `data`, with a content checksum.
std::string ZstdCompress(std::string_view data, int level = 3);
// Everything a source yields, read `chunk` bytes at a time, or its error.
absl::StatusOr<std::string> ReadAllFrom(io::ByteSource& source, size_t chunk = 65536);
// The whole contents of a file ("" if it cannot be read).
std::string ReadWholeFile(const std::string& path);

}  // namespace hydraguard::testing

#endif  // HYDRAGUARD_TESTING_TEST_FILES_H_
