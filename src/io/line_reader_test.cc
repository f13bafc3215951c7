#include "io/line_reader.h"

#include <gtest/gtest.h>

#include <vector>

#include "testing/test_files.h"

namespace hydraguard::io {
namespace {

using testing::ReadWholeFile;
using testing::TempPath;
using testing::WriteTempFile;
using testing::ZstdCompress;

struct Collected {
  std::vector<Line> lines;
  std::vector<std::string> texts;
};

Collected ReadAll(std::string_view data, size_t max_line = kDefaultMaxLineBytes) {
  LineReader reader(MemoryByteSource(data), max_line);
  Collected out;
  Line line;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&line);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    // Touch the promised padding: ASan reports if it is not readable.
    volatile char sink = 0;
    if (!line.too_long) {
      for (size_t i = 0; i < kLinePadding; ++i) sink = sink ^ line.text.data()[line.text.size() + i];
    }
    out.lines.push_back(line);
    out.texts.emplace_back(line.text);
  }
  return out;
}

TEST(LineReaderTest, SplitsLinesAndNumbersThem) {
  Collected got = ReadAll("a\nbb\n\nccc\n");
  ASSERT_EQ(got.texts, (std::vector<std::string>{"a", "bb", "", "ccc"}));
  EXPECT_EQ(got.lines[3].number, 4u);
  EXPECT_TRUE(got.lines[3].terminated);
}

TEST(LineReaderTest, StripsCarriageReturn) {
  EXPECT_EQ(ReadAll("a\r\nb\r\n").texts, (std::vector<std::string>{"a", "b"}));
}

TEST(LineReaderTest, LastLineWithoutNewlineIsNotTerminated) {
  Collected got = ReadAll("a\nlast");
  ASSERT_EQ(got.texts, (std::vector<std::string>{"a", "last"}));
  EXPECT_FALSE(got.lines[1].terminated);
}

TEST(LineReaderTest, EmptyInputHasNoLines) { EXPECT_TRUE(ReadAll("").texts.empty()); }

TEST(LineReaderTest, TooLongLineIsSkippedAndCounted) {
  std::string data = "short\n" + std::string(100, 'x') + "\nafter\n";
  Collected got = ReadAll(data, 50);
  ASSERT_EQ(got.lines.size(), 3u);
  EXPECT_TRUE(got.lines[1].too_long);
  EXPECT_EQ(got.lines[1].length, 100u);
  EXPECT_EQ(got.lines[1].number, 2u);
  EXPECT_EQ(got.texts[2], "after");
  EXPECT_EQ(got.lines[2].number, 3u);
}

TEST(LineReaderTest, HugeLineAcrossManyReadsIsSkipped) {
  // Longer than the reader's whole buffer: must not be buffered.
  std::string data = std::string(3 * kDefaultMaxLineBytes + 17, 'y') + "\nnext\n";
  Collected got = ReadAll(data);
  ASSERT_EQ(got.lines.size(), 2u);
  EXPECT_TRUE(got.lines[0].too_long);
  EXPECT_EQ(got.lines[0].length, 3 * kDefaultMaxLineBytes + 17);
  EXPECT_EQ(got.texts[1], "next");
}

TEST(LineReaderTest, TooLongUnterminatedLastLine) {
  Collected got = ReadAll(std::string(80, 'z'), 50);
  ASSERT_EQ(got.lines.size(), 1u);
  EXPECT_TRUE(got.lines[0].too_long);
  EXPECT_FALSE(got.lines[0].terminated);
}

TEST(LineReaderTest, ManyLinesAcrossBufferRefills) {
  std::string data;
  for (int i = 0; i < 200000; ++i) data += "line-" + std::to_string(i) + "\n";
  Collected got = ReadAll(data);
  ASSERT_EQ(got.texts.size(), 200000u);
  EXPECT_EQ(got.texts[123456], "line-123456");
}

TEST(LineReaderTest, PropagatesSourceErrors) {
  std::string compressed = ZstdCompress("a\nb\n");
  compressed.resize(compressed.size() - 3);  // Cut into the checksum.
  LineReader reader(MemoryByteSource(compressed));
  Line line;
  absl::StatusOr<bool> more;
  int lines = 0;
  while ((more = reader.Next(&line)).ok() && *more) ++lines;
  EXPECT_FALSE(more.ok());
  EXPECT_LE(lines, 2);
}

}  // namespace
}  // namespace hydraguard::io
