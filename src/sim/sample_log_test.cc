#include "sim/sample_log.h"

#include <gtest/gtest.h>

#include "ingest/event_reader.h"
#include "testing/test_files.h"

namespace hydraguard::sim {
namespace {

struct ReadBack {
  ingest::ReadCounters counters;
  uint64_t bad_lines = 0;
  uint64_t kinds_seen = 0;
  uint64_t with_prompt = 0;
  size_t accounts = 0;
};

ReadBack Read(const std::string& path) {
  ReadBack out;
  ingest::Interners interners;
  ingest::BadInputLog bad_input(nullptr);
  EXPECT_TRUE(ingest::ReadEvents({path}, {}, &interners, &bad_input, &out.counters, [&](const ingest::Event& event) {
                out.with_prompt += event.has(ingest::Field::kPrompt);
              }).ok());
  out.bad_lines = bad_input.bad_lines();
  for (int kind = 0; kind < ingest::kErrorKindCount; ++kind) {
    out.kinds_seen += bad_input.count(static_cast<ingest::ErrorKind>(kind)) > 0;
  }
  out.accounts = interners.account.size();
  return out;
}

TEST(SampleLogTest, WritesExactlyTheRequestedGoodAndBadLines) {
  SampleLogOptions options;
  options.events = 2000;
  options.bad_lines = 7;
  std::string path = testing::TempPath(".jsonl.zst");
  ASSERT_TRUE(WriteSampleLog(options, path).ok());
  ReadBack back = Read(path);
  EXPECT_EQ(back.counters.events, 2000u);
  EXPECT_EQ(back.bad_lines, 7u);
  EXPECT_EQ(back.kinds_seen, 5u);  // malformed, utf8, missing, wrong type, invalid value
  EXPECT_EQ(back.with_prompt, 2000u);
  EXPECT_LE(back.accounts, 100u);
}

TEST(SampleLogTest, MetadataOnlyHasNoText) {
  SampleLogOptions options;
  options.events = 100;
  options.prompt_bytes = 0;
  std::string path = testing::TempPath(".jsonl");
  ASSERT_TRUE(WriteSampleLog(options, path).ok());
  EXPECT_EQ(Read(path).with_prompt, 0u);
}

TEST(SampleLogTest, DeterministicBySeed) {
  SampleLogOptions options;
  options.events = 500;
  options.bad_lines = 3;
  std::string a = testing::TempPath(".jsonl"), b = testing::TempPath(".jsonl"), c = testing::TempPath(".jsonl");
  ASSERT_TRUE(WriteSampleLog(options, a).ok());
  ASSERT_TRUE(WriteSampleLog(options, b).ok());
  options.seed = 2;
  ASSERT_TRUE(WriteSampleLog(options, c).ok());
  EXPECT_EQ(testing::ReadWholeFile(a), testing::ReadWholeFile(b));
  EXPECT_NE(testing::ReadWholeFile(a), testing::ReadWholeFile(c));
}

TEST(SampleLogTest, PromptSizeFollowsTheOption) {
  SampleLogOptions options;
  options.events = 1000;
  options.prompt_bytes = 1000;
  std::string path = testing::TempPath(".jsonl");
  ASSERT_TRUE(WriteSampleLog(options, path).ok());
  double bytes_per_event = static_cast<double>(testing::ReadWholeFile(path).size()) / 1000.0;
  EXPECT_GT(bytes_per_event, 1300);
  EXPECT_LT(bytes_per_event, 2200);
}

}  // namespace
}  // namespace hydraguard::sim
