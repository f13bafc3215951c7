#include "io/byte_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/test_files.h"

namespace hydraguard::io {
namespace {

using testing::ReadWholeFile;
using testing::TempPath;
using testing::WriteTempFile;
using testing::ZstdCompress;

using ::testing::HasSubstr;

// Reads everything, or returns the error.
absl::StatusOr<std::string> Drain(ByteSource& source, size_t chunk = 7) {
  std::string out;
  std::string buffer(chunk, '\0');
  while (true) {
    absl::StatusOr<size_t> n = source.Read(buffer.data(), buffer.size());
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    out.append(buffer.data(), *n);
  }
}

TEST(ByteSourceTest, ReadsPlainFile) {
  std::string path = WriteTempFile("hello\nworld\n");
  auto source = OpenByteSource(path);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_FALSE((*source)->compressed());
  EXPECT_EQ(*Drain(**source), "hello\nworld\n");
  EXPECT_EQ((*source)->raw_bytes_read(), 12u);
}

TEST(ByteSourceTest, ShortFileShorterThanMagic) {
  auto source = MemoryByteSource("ab");
  EXPECT_EQ(*Drain(*source), "ab");
}

TEST(ByteSourceTest, EmptyFile) {
  auto source = OpenByteSource(WriteTempFile(""));
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(*Drain(**source), "");
}

TEST(ByteSourceTest, DetectsZstdByMagicWhateverTheName) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); i += 13) data[i] = '\n';
  std::string path = WriteTempFile(ZstdCompress(data), ".log");
  auto source = OpenByteSource(path);
  ASSERT_TRUE(source.ok());
  EXPECT_TRUE((*source)->compressed());
  EXPECT_EQ(*Drain(**source, 4096), data);
}

TEST(ByteSourceTest, ConcatenatedZstdFrames) {
  std::string frames = ZstdCompress("first\n") + ZstdCompress("second\n");
  auto source = MemoryByteSource(frames);
  EXPECT_EQ(*Drain(*source), "first\nsecond\n");
}

TEST(ByteSourceTest, CorruptZstdIsDataLoss) {
  std::string compressed = ZstdCompress(std::string(5000, 'a') + "\n");
  for (size_t i = 6; i < compressed.size(); ++i) compressed[i] = static_cast<char>(compressed[i] ^ 0x5a);
  auto source = MemoryByteSource(compressed);
  absl::StatusOr<std::string> result = Drain(*source);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("zstd: corrupt"));
}

TEST(ByteSourceTest, TruncatedZstdIsDataLoss) {
  std::string compressed = ZstdCompress("some text that is long enough\n");
  auto source = MemoryByteSource(std::string_view(compressed).substr(0, compressed.size() - 5));
  absl::StatusOr<std::string> result = Drain(*source);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("truncated"));
}

TEST(ByteSourceTest, MissingFileIsNotFoundWithPath) {
  auto source = OpenByteSource("/nonexistent/dir/events.jsonl");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(source.status().message()),
              HasSubstr("/nonexistent/dir/events.jsonl: cannot open: No such file"));
}

TEST(ByteSourceTest, DirectoryFailsOnRead) {
  auto source = OpenByteSource("/");
  ASSERT_FALSE(source.ok());
  EXPECT_THAT(std::string(source.status().message()), HasSubstr("Is a directory"));
}

}  // namespace
}  // namespace hydraguard::io
