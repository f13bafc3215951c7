#include "io/byte_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zstd.h>

#include "testing/test_files.h"

namespace hydraguard::io {
namespace {

using testing::ReadWholeFile;
using testing::TempPath;
using testing::WriteTempFile;
using testing::ZstdCompress;

using ::testing::HasSubstr;

// Small reads by default, to cross every internal boundary.
absl::StatusOr<std::string> Drain(ByteSource& source, size_t chunk = 7) { return testing::ReadAllFrom(source, chunk); }

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

TEST(ByteSourceTest, SkippableFrameFirstIsStillZstd) {
  // pzstd and some archivers write a skippable frame before the data.
  std::string skippable = {'\x50', '\x2A', '\x4D', '\x18', 3, 0, 0, 0, 'a', 'b', 'c'};
  std::string data = skippable + ZstdCompress("payload\n");
  auto source = MemoryByteSource(data);
  EXPECT_TRUE(source->compressed());
  EXPECT_EQ(*Drain(*source), "payload\n");
}

TEST(ByteSourceTest, LongWindowFramesDecode) {
  // As `zstd --long=30` writes: a 1 GiB window, above zstd's default limit.
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, 30);
  ZSTD_CCtx_setParameter(context, ZSTD_c_enableLongDistanceMatching, 1);
  std::string input(100000, 'q'), out(ZSTD_compressBound(input.size()) + 1024, '\0');
  ZSTD_inBuffer in = {input.data(), input.size() / 2, 0};
  ZSTD_outBuffer output = {out.data(), out.size(), 0};
  ZSTD_compressStream2(context, &output, &in, ZSTD_e_continue);  // Content size stays unknown.
  in = {input.data() + input.size() / 2, input.size() - input.size() / 2, 0};
  while (ZSTD_compressStream2(context, &output, &in, ZSTD_e_end) != 0) {
  }
  ZSTD_freeCCtx(context);
  out.resize(output.pos);
  auto source = MemoryByteSource(out);
  absl::StatusOr<std::string> result = Drain(*source, 65536);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, input);
}

TEST(ByteSourceTest, ControlCharactersInPathsAreEscapedInMessages) {
  auto source = OpenByteSource("/nonexistent/a\nb.jsonl");
  ASSERT_FALSE(source.ok());
  EXPECT_THAT(std::string(source.status().message()), HasSubstr("/nonexistent/a\\x0ab.jsonl: cannot open"));
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
