#include "io/read_file.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/test_files.h"

namespace hydraguard::io {
namespace {

TEST(ReadFileTest, ReturnsTheBytesAsTheyAre) {
  std::string bytes("a\0b\nc", 5);
  absl::StatusOr<std::string> read = ReadFile(testing::WriteTempFile(bytes, ".bin"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, bytes);
  EXPECT_EQ(*ReadFile(testing::WriteTempFile("", ".bin")), "");
}

TEST(ReadFileTest, AMissingFileIsNotFoundWithItsPathAndReason) {
  absl::StatusOr<std::string> read = ReadFile("/nonexistent/dir/file.yaml");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(read.status().message()), "/nonexistent/dir/file.yaml: cannot open: No such file or directory");
}

}  // namespace
}  // namespace hydraguard::io
