#include "ingest/event_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "testing/test_files.h"

namespace hydraguard::ingest {
namespace {

using hydraguard::testing::TempPath;
using hydraguard::testing::WriteTempFile;
using hydraguard::testing::ZstdCompress;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Captures what BadInputLog writes.
class CapturedReport {
 public:
  CapturedReport() { stream_ = open_memstream(&buffer_, &size_); }
  ~CapturedReport() {
    if (stream_ != nullptr) std::fclose(stream_);
    std::free(buffer_);
  }
  std::FILE* stream() { return stream_; }
  std::string text() {
    std::fflush(stream_);
    return std::string(buffer_, size_);
  }

 private:
  char* buffer_ = nullptr;
  size_t size_ = 0;
  std::FILE* stream_;
};

struct RunResult {
  absl::Status status;
  ReadCounters counters;
  std::vector<std::string> accounts;
  std::string report;
  uint64_t bad_lines = 0, unreadable = 0, empty = 0;
};

RunResult ReadAll(const std::vector<std::string>& paths, ReadOptions options = {}) {
  CapturedReport report;
  Interners interners;
  BadInputLog bad_input(report.stream());
  RunResult result;
  result.status = ReadEvents(paths, options, &interners, &bad_input, &result.counters, [&](const Event& event) {
    result.accounts.emplace_back(interners.account.Name(event.account));
  });
  result.report = report.text();
  result.bad_lines = bad_input.bad_lines();
  result.unreadable = bad_input.unreadable_files();
  result.empty = bad_input.empty_files();
  return result;
}

// Data-driven cases: tests/ingest_cases/NAME.jsonl is read; NAME.expected
// holds "events: N" and then the exact report, with {file} for the path.
TEST(EventReaderCasesTest, EveryCaseMatchesItsExpectedReport) {
  std::filesystem::path dir = std::filesystem::path(HG_SOURCE_DIR) / "tests" / "ingest_cases";
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".jsonl") continue;
    ++cases;
    std::string path = entry.path().string();
    std::filesystem::path expected_path = entry.path();
    expected_path.replace_extension(".expected");
    std::ifstream expected_file(expected_path);
    ASSERT_TRUE(expected_file) << "missing " << expected_path;
    std::string first_line;
    std::getline(expected_file, first_line);
    std::stringstream rest;
    rest << expected_file.rdbuf();
    std::string expected_report = rest.str();
    for (size_t at; (at = expected_report.find("{file}")) != std::string::npos;) expected_report.replace(at, 6, path);

    RunResult result = ReadAll({path});
    SCOPED_TRACE(path);
    EXPECT_TRUE(result.status.ok());
    EXPECT_EQ("events: " + std::to_string(result.counters.events), first_line);
    EXPECT_EQ(result.report, expected_report);
  }
  EXPECT_GE(cases, 10);
}

TEST(EventReaderTest, CountsLinesEventsAndBytes) {
  std::string contents =
      "{\"ts\":1776816000000,\"account\":\"a\",\"ip\":\"10.0.0.1\"}\n\n"
      "{\"ts\":1776816000000,\"account\":\"b\",\"ip\":\"10.0.0.2\"}\nbad\n";
  std::string path = WriteTempFile(contents);
  RunResult result = ReadAll({path});
  EXPECT_EQ(result.counters.files, 1u);
  EXPECT_EQ(result.counters.lines, 4u);
  EXPECT_EQ(result.counters.blank_lines, 1u);
  EXPECT_EQ(result.counters.events, 2u);
  EXPECT_EQ(result.bad_lines, 1u);
  EXPECT_EQ(result.counters.bytes, contents.size());
  EXPECT_EQ(result.accounts, (std::vector<std::string>{"a", "b"}));
}

TEST(EventReaderTest, LineOverOneMebibyteIsReportedAndSkipped) {
  std::string huge = "{\"ts\":1776816000000,\"account\":\"a\",\"ip\":\"10.0.0.1\",\"prompt\":\"" +
                     std::string(io::kDefaultMaxLineBytes, 'p') + "\"}";
  std::string path = WriteTempFile(huge + "\n{\"ts\":1776816000000,\"account\":\"b\",\"ip\":\"10.0.0.1\"}\n");
  RunResult result = ReadAll({path});
  EXPECT_EQ(result.accounts, (std::vector<std::string>{"b"}));
  EXPECT_EQ(result.report,
            path + ":1: line: line is " + std::to_string(huge.size()) + " bytes, longer than the limit of 1048576\n");
}

TEST(EventReaderTest, LineJustUnderTheLimitIsRead) {
  std::string head = "{\"ts\":1776816000000,\"account\":\"a\",\"ip\":\"10.0.0.1\",\"prompt\":\"";
  std::string line = head + std::string(io::kDefaultMaxLineBytes - head.size() - 2, 'p') + "\"}";
  ASSERT_EQ(line.size(), io::kDefaultMaxLineBytes);
  RunResult result = ReadAll({WriteTempFile(line + "\n")});
  EXPECT_EQ(result.counters.events, 1u);
  EXPECT_EQ(result.report, "");
}

TEST(EventReaderTest, MissingFileIsReportedAndOthersAreStillRead) {
  std::string good = WriteTempFile("{\"ts\":1776816000000,\"account\":\"a\",\"ip\":\"10.0.0.1\"}\n");
  RunResult result = ReadAll({"/nonexistent/events.jsonl", good});
  EXPECT_TRUE(result.status.ok());
  EXPECT_EQ(result.unreadable, 1u);
  EXPECT_EQ(result.counters.events, 1u);
  EXPECT_EQ(result.report, "/nonexistent/events.jsonl: cannot open: No such file or directory\n");
}

TEST(EventReaderTest, MissingFileStopsStrictMode) {
  RunResult result = ReadAll({"/nonexistent/events.jsonl"}, {.strict = true});
  EXPECT_EQ(result.status.code(), absl::StatusCode::kNotFound);
}

TEST(EventReaderTest, ReadsZstdFiles) {
  std::string data;
  for (int i = 0; i < 1000; ++i) {
    data += "{\"ts\":1776816000000,\"account\":\"a" + std::to_string(i) + "\",\"ip\":\"10.0.0.1\"}\n";
  }
  RunResult result = ReadAll({WriteTempFile(ZstdCompress(data), ".jsonl.zst")});
  EXPECT_EQ(result.counters.events, 1000u);
  EXPECT_EQ(result.counters.bytes, data.size());
  EXPECT_LT(result.counters.raw_bytes, data.size());
}

std::string ManyEvents(int count) {
  std::string data;
  for (int i = 0; i < count; ++i) {
    data += "{\"ts\":1776816000000,\"account\":\"a" + std::to_string(i) + "\",\"ip\":\"10.0.0.1\"}\n";
  }
  return data;
}

TEST(EventReaderTest, CorruptZstdHeaderMakesTheFileUnreadable) {
  std::string compressed = ZstdCompress(ManyEvents(100));
  compressed[4] = static_cast<char>(0xff);  // Frame header descriptor: reserved bit set.
  std::string path = WriteTempFile(compressed, ".zst");
  RunResult result = ReadAll({path});
  EXPECT_TRUE(result.status.ok());
  EXPECT_EQ(result.unreadable, 1u);
  EXPECT_EQ(result.counters.events, 0u);
  EXPECT_THAT(result.report, StartsWith(path + ": zstd: corrupt compressed data"));
  EXPECT_THAT(result.report, HasSubstr("(after line 0)"));
  EXPECT_THAT(result.report, ::testing::Not(HasSubstr("empty input")));  // Said once, as unreadable.

  RunResult strict = ReadAll({path}, {.strict = true});
  EXPECT_EQ(strict.status.code(), absl::StatusCode::kDataLoss);
}

TEST(EventReaderTest, CorruptZstdMidStreamIsCaughtAndEarlierEventsKept) {
  std::string compressed = ZstdCompress(ManyEvents(200000), 1);
  for (size_t i = compressed.size() / 2; i < compressed.size() / 2 + 64; ++i) compressed[i] = 'X';
  std::string path = WriteTempFile(compressed, ".zst");
  RunResult result = ReadAll({path});
  EXPECT_TRUE(result.status.ok());
  EXPECT_EQ(result.unreadable, 1u);  // At the latest, the checksum catches it.
  EXPECT_GT(result.counters.events, 0u);
  EXPECT_LT(result.counters.events, 200000u);
  EXPECT_THAT(result.report, HasSubstr(path + ": zstd: corrupt compressed data"));
}

TEST(EventReaderTest, TruncatedZstdIsReported) {
  std::string compressed = ZstdCompress("{\"ts\":1776816000000,\"account\":\"a\",\"ip\":\"10.0.0.1\"}\n");
  std::string path = WriteTempFile(compressed.substr(0, compressed.size() - 4), ".zst");
  RunResult result = ReadAll({path});
  EXPECT_EQ(result.unreadable, 1u);
  EXPECT_THAT(result.report, HasSubstr("truncated compressed data"));
}

TEST(EventReaderTest, StrictStopsAtFirstBadLineWithItsLocation) {
  std::string path = WriteTempFile(
      "{\"ts\":1776816000000,\"account\":\"a\",\"ip\":\"10.0.0.1\"}\n"
      "{\"ts\":1776816000000,\"account\":\"a\",\"ip\":\"nope\"}\n"
      "{\"ts\":1776816000000,\"account\":\"b\",\"ip\":\"10.0.0.1\"}\n");
  RunResult result = ReadAll({path}, {.strict = true});
  EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(result.status.message()), path + ":2: ip: not an IPv4 or IPv6 address: \"nope\"");
  EXPECT_EQ(result.accounts, (std::vector<std::string>{"a"}));
}

TEST(EventReaderTest, Utf8ByteOrderMarkIsIgnored) {
  RunResult result =
      ReadAll({WriteTempFile("\xEF\xBB\xBF{\"ts\":1776816000000,\"account\":\"a\",\"ip\":\"10.0.0.1\"}\n")});
  EXPECT_EQ(result.counters.events, 1u);
  EXPECT_EQ(result.report, "");
}

TEST(EventReaderTest, ReportsStayOneLinePerProblemWhateverTheFileName) {
  std::string path = TempPath("with\nnewline.jsonl");
  std::ofstream(path) << "bad\n";
  RunResult result = ReadAll({path});
  EXPECT_EQ(result.bad_lines, 1u);
  EXPECT_EQ(std::count(result.report.begin(), result.report.end(), '\n'), 1);
  EXPECT_THAT(result.report, HasSubstr("with\\x0anewline.jsonl:1: json: "));
}

TEST(EventReaderTest, EmptyFileIsReportedNotAnError) {
  std::string path = WriteTempFile("");
  RunResult result = ReadAll({path});
  EXPECT_TRUE(result.status.ok());
  EXPECT_EQ(result.empty, 1u);
  EXPECT_EQ(result.report, path + ": empty input (no events)\n");
}

TEST(EventReaderTest, PullInterfaceReadsFilesInOrder) {
  std::string first = WriteTempFile("{\"ts\":1776816000000,\"account\":\"x\",\"ip\":\"10.0.0.1\"}\n");
  std::string second = WriteTempFile("{\"ts\":1776816000001,\"account\":\"y\",\"ip\":\"10.0.0.1\"}\n");
  Interners interners;
  BadInputLog bad_input(nullptr);
  EventReader reader({first, second}, {}, &interners, &bad_input);
  Event event;
  ASSERT_TRUE(*reader.Next(&event));
  EXPECT_EQ(reader.current_path(), first);
  ASSERT_TRUE(*reader.Next(&event));
  EXPECT_EQ(event.ts_ms, 1776816000001);
  EXPECT_FALSE(*reader.Next(&event));
  EXPECT_FALSE(*reader.Next(&event));
}

}  // namespace
}  // namespace hydraguard::ingest
