#include "io/output_file.h"

#include <gtest/gtest.h>

#include "io/byte_source.h"
#include "testing/test_files.h"

namespace hydraguard::io {
namespace {

using testing::ReadWholeFile;
using testing::TempPath;
using testing::WriteTempFile;
using testing::ZstdCompress;

std::string ReadDecompressed(const std::string& path) {
  auto source = OpenByteSource(path);
  EXPECT_TRUE(source.ok());
  absl::StatusOr<std::string> contents = testing::ReadAllFrom(**source);
  EXPECT_TRUE(contents.ok());
  return contents.value_or("");
}

class OutputFileTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OutputFileTest, RoundTrips) {
  std::string path = TempPath(GetParam());
  auto out = OutputFile::Open(path);
  ASSERT_TRUE(out.ok()) << out.status();
  std::string expected;
  for (int i = 0; i < 50000; ++i) {
    std::string line = "{\"n\":" + std::to_string(i) + "}\n";
    (*out)->Write(line);
    expected += line;
  }
  std::string big(3 << 20, 'b');  // Larger than the write buffer.
  (*out)->Write(big);
  expected += big;
  EXPECT_EQ((*out)->bytes_written(), expected.size());
  ASSERT_TRUE((*out)->Close().ok());
  EXPECT_EQ(ReadDecompressed(path), expected);
  bool compressed = std::string_view(GetParam()) == ".zst";
  EXPECT_EQ(ReadWholeFile(path).size() < expected.size(), compressed);
}

INSTANTIATE_TEST_SUITE_P(PlainAndZstd, OutputFileTest, ::testing::Values(".jsonl", ".zst"));

TEST(OutputFileTest, UncreatablePathFails) {
  auto out = OutputFile::Open("/nonexistent/dir/out.jsonl");
  EXPECT_FALSE(out.ok());
}

// WriteFile: one call, the same file as Open + Write + Close; errors returned.
TEST(OutputFileTest, WriteFileWritesAndReportsErrors) {
  std::string path = TempPath(".json");
  ASSERT_TRUE(WriteFile(path, "{\"a\":1}\n").ok());
  EXPECT_EQ(ReadWholeFile(path), "{\"a\":1}\n");
  EXPECT_FALSE(WriteFile("/nonexistent-dir/x.json", "x").ok());
}

}  // namespace
}  // namespace hydraguard::io
