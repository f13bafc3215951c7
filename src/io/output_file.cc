#include "io/output_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "fmt/format.h"
#include "io/display_text.h"

namespace hydraguard::io {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;

class FdWriter {
 public:
  FdWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  FdWriter(FdWriter&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), status_(std::move(other.status_)) {}
  FdWriter(const FdWriter&) = delete;
  FdWriter& operator=(const FdWriter&) = delete;
  ~FdWriter() {
    if (fd_ > 1) ::close(fd_);
  }
  void WriteAll(const char* data, size_t size) {
    while (size > 0 && status_.ok()) {
      ssize_t n = ::write(fd_, data, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        status_ = absl::UnavailableError(fmt::format("{}{}{}", path_, ": write: ", std::strerror(errno)));
        return;
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
  }
  absl::Status Close() {
    if (fd_ > 1) {
      if (::close(fd_) != 0 && status_.ok()) {
        status_ = absl::UnavailableError(fmt::format("{}{}{}", path_, ": close: ", std::strerror(errno)));
      }
      fd_ = -1;
    }
    return status_;
  }
  absl::Status& status() { return status_; }

 private:
  int fd_;
  std::string path_;
  absl::Status status_;
};

class PlainOutput final : public OutputFile {
 public:
  explicit PlainOutput(FdWriter writer) : writer_(std::move(writer)) { buffer_.reserve(kBufferBytes); }
  void Write(std::string_view bytes) override {
    written_ += bytes.size();
    if (buffer_.size() + bytes.size() > kBufferBytes) Flush();
    if (bytes.size() >= kBufferBytes) {
      writer_.WriteAll(bytes.data(), bytes.size());
    } else {
      buffer_.append(bytes);
    }
  }
  absl::Status Close() override {
    Flush();
    return writer_.Close();
  }
  uint64_t bytes_written() const override { return written_; }

 private:
  void Flush() {
    writer_.WriteAll(buffer_.data(), buffer_.size());
    buffer_.clear();
  }
  FdWriter writer_;
  std::string buffer_;
  uint64_t written_ = 0;
};

class ZstdOutput final : public OutputFile {
 public:
  ZstdOutput(FdWriter writer, int level) : writer_(std::move(writer)), out_(ZSTD_CStreamOutSize()) {
    stream_ = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(stream_, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(stream_, ZSTD_c_checksumFlag, 1);
  }
  ~ZstdOutput() override { ZSTD_freeCCtx(stream_); }

  void Write(std::string_view bytes) override {
    written_ += bytes.size();
    ZSTD_inBuffer in = {bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) Compress(&in, ZSTD_e_continue);
  }
  absl::Status Close() override {
    ZSTD_inBuffer in = {nullptr, 0, 0};
    while (Compress(&in, ZSTD_e_end) != 0 && writer_.status().ok()) {
    }
    return writer_.Close();
  }
  uint64_t bytes_written() const override { return written_; }

 private:
  size_t Compress(ZSTD_inBuffer* in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out = {out_.data(), out_.size(), 0};
    size_t remaining = ZSTD_compressStream2(stream_, &out, in, mode);
    if (ZSTD_isError(remaining)) {
      if (writer_.status().ok()) {
        writer_.status() = absl::InternalError(fmt::format("{}{}", "zstd: ", ZSTD_getErrorName(remaining)));
      }
      in->pos = in->size;
      return 0;
    }
    writer_.WriteAll(out_.data(), out.pos);
    return remaining;
  }
  FdWriter writer_;
  ZSTD_CCtx* stream_;
  std::vector<char> out_;
  uint64_t written_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<OutputFile>> OutputFile::Open(const std::string& path, Options options) {
  int fd = 1;
  if (path != "-") {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      return absl::UnavailableError(fmt::format("{}: cannot create: {}", EscapeForDisplay(path), std::strerror(errno)));
    }
  }
  bool compress = options.compress.value_or(path.size() >= 4 && path.compare(path.size() - 4, 4, ".zst") == 0);
  FdWriter writer(fd, path == "-" ? "<stdout>" : EscapeForDisplay(path));
  if (compress) return std::make_unique<ZstdOutput>(std::move(writer), options.zstd_level);
  return std::make_unique<PlainOutput>(std::move(writer));
}

absl::Status WriteFile(const std::string& path, std::string_view contents) {
  absl::StatusOr<std::unique_ptr<OutputFile>> out = OutputFile::Open(path);
  if (!out.ok()) return out.status();
  (*out)->Write(contents);
  return (*out)->Close();
}

}  // namespace hydraguard::io
