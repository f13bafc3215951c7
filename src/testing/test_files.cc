#include "testing/test_files.h"

#include <unistd.h>
#include <zstd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "fmt/format.h"

namespace hydraguard::testing {

std::string TempPath(std::string_view suffix) {
  static std::atomic<int> counter{0};
  // The pid alone repeats across runs, and old files stay in /tmp: a path
  // meant not to exist could (KeyTableTest.LoadFile failed that way).
  static const uint64_t run = std::random_device{}();
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string base = dir != nullptr ? dir : "/tmp";
  return fmt::format("{}/hg_test_{}_{:x}_{}{}", base, ::getpid(), run, counter++, suffix);
}

std::string WriteTempFile(std::string_view contents, std::string_view suffix) {
  std::string path = TempPath(suffix);
  std::ofstream(path, std::ios::binary).write(contents.data(), static_cast<std::streamsize>(contents.size()));
  return path;
}

std::string ZstdCompress(std::string_view data, int level) {
  // With a content checksum, as the zstd CLI and io::OutputFile write.
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t size = ZSTD_compress2(context, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(context);
  out.resize(ZSTD_isError(size) ? 0 : size);
  return out;
}

absl::StatusOr<std::string> ReadAllFrom(io::ByteSource& source, size_t chunk) {
  std::string out;
  std::string buffer(chunk, '\0');
  while (true) {
    absl::StatusOr<size_t> n = source.Read(buffer.data(), buffer.size());
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    out.append(buffer.data(), *n);
  }
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace hydraguard::testing
