#include "io/byte_source.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "io/display_text.h"

namespace hydraguard::io {
namespace {

constexpr uint32_t kZstdMagic = 0xFD2FB528;           // little-endian on disk
constexpr uint32_t kZstdSkippableMagic = 0x184D2A50;  // low 4 bits vary (pzstd writes one first)
constexpr uint32_t kZstdSkippableMask = 0xFFFFFFF0;
// Decode frames made with `zstd --long` (windows up to 2 GiB), not only the
// 128 MiB default: a large window is valid data, not corruption.
constexpr int kMaxWindowLog = 31;

absl::Status ErrnoStatus(const std::string& path, const char* what, int err) {
  std::string message = fmt::format("{}{}{}{}{}", path, ": ", what, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    default:
      return absl::UnavailableError(message);
  }
}

// Reads a file descriptor. Owns it unless it is standard input.
class FdSource final : public ByteSource {
 public:
  FdSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FdSource() override {
    if (fd_ > 0) ::close(fd_);
  }

  absl::StatusOr<size_t> Read(char* buffer, size_t size) override {
    while (true) {
      ssize_t n = ::read(fd_, buffer, size);
      if (n >= 0) {
        raw_bytes_read_ += static_cast<uint64_t>(n);
        return static_cast<size_t>(n);
      }
      if (errno == EINTR) continue;
      return ErrnoStatus(path_, "read", errno);
    }
  }
  uint64_t raw_bytes_read() const override { return raw_bytes_read_; }

 private:
  int fd_;
  std::string path_;
  uint64_t raw_bytes_read_ = 0;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  absl::StatusOr<size_t> Read(char* buffer, size_t size) override {
    size_t n = std::min(size, data_.size() - offset_);
    std::memcpy(buffer, data_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  uint64_t raw_bytes_read() const override { return offset_; }

 private:
  std::string_view data_;
  size_t offset_ = 0;
};

// Replays bytes already read (the sniffed magic number) before the rest.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<ByteSource> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  absl::StatusOr<size_t> Read(char* buffer, size_t size) override {
    if (offset_ < prefix_.size()) {
      size_t n = std::min(size, prefix_.size() - offset_);
      std::memcpy(buffer, prefix_.data() + offset_, n);
      offset_ += n;
      return n;
    }
    return rest_->Read(buffer, size);
  }
  uint64_t raw_bytes_read() const override { return rest_->raw_bytes_read(); }

 private:
  std::string prefix_;
  size_t offset_ = 0;
  std::unique_ptr<ByteSource> rest_;
};

class ZstdSource final : public ByteSource {
 public:
  ZstdSource(std::unique_ptr<ByteSource> compressed, std::string name)
      : compressed_(std::move(compressed)),
        name_(std::move(name)),
        stream_(ZSTD_createDStream()),
        input_buffer_(ZSTD_DStreamInSize()) {
    ZSTD_initDStream(stream_);
    ZSTD_DCtx_setParameter(stream_, ZSTD_d_windowLogMax, kMaxWindowLog);
  }
  ~ZstdSource() override { ZSTD_freeDStream(stream_); }

  absl::StatusOr<size_t> Read(char* buffer, size_t size) override {
    ZSTD_outBuffer out = {buffer, size, 0};
    while (out.pos == 0 && size > 0) {
      if (input_.pos == input_.size) {
        if (at_end_) {
          if (frame_open_) {
            return absl::DataLossError(
                fmt::format("{}{}", name_, ": zstd: truncated compressed data (the file ends inside a frame)"));
          }
          return size_t{0};
        }
        absl::StatusOr<size_t> n = compressed_->Read(input_buffer_.data(), input_buffer_.size());
        if (!n.ok()) return n.status();
        input_ = {input_buffer_.data(), *n, 0};
        if (*n == 0) {
          at_end_ = true;
          continue;
        }
      }
      size_t hint = ZSTD_decompressStream(stream_, &out, &input_);
      if (ZSTD_isError(hint)) {
        return absl::DataLossError(
            fmt::format("{}{}{}", name_, ": zstd: corrupt compressed data: ", ZSTD_getErrorName(hint)));
      }
      // hint == 0 means a frame just ended; anything else means mid-frame.
      frame_open_ = hint != 0;
    }
    return out.pos;
  }
  uint64_t raw_bytes_read() const override { return compressed_->raw_bytes_read(); }
  bool compressed() const override { return true; }

 private:
  std::unique_ptr<ByteSource> compressed_;
  std::string name_;
  ZSTD_DStream* stream_;
  std::vector<char> input_buffer_;
  ZSTD_inBuffer input_ = {nullptr, 0, 0};
  bool at_end_ = false;
  bool frame_open_ = false;
};

// Reads up to 4 bytes to detect the zstd magic number, then wraps `raw`.
absl::StatusOr<std::unique_ptr<ByteSource>> Sniff(std::unique_ptr<ByteSource> raw, const std::string& name) {
  std::string prefix(4, '\0');
  size_t have = 0;
  while (have < prefix.size()) {
    absl::StatusOr<size_t> n = raw->Read(prefix.data() + have, prefix.size() - have);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    have += *n;
  }
  prefix.resize(have);
  uint32_t magic = 0;
  for (size_t index = 0; index < have; ++index)
    magic |= uint32_t{static_cast<unsigned char>(prefix[index])} << (8 * index);
  bool is_zstd = have == 4 && (magic == kZstdMagic || (magic & kZstdSkippableMask) == kZstdSkippableMagic);
  auto source = std::make_unique<PrefixedSource>(std::move(prefix), std::move(raw));
  if (is_zstd) return std::make_unique<ZstdSource>(std::move(source), name);
  return source;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path) {
  if (path == "-") return Sniff(std::make_unique<FdSource>(0, "<stdin>"), "<stdin>");
  std::string display = EscapeForDisplay(path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(display, "cannot open", errno);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return Sniff(std::make_unique<FdSource>(fd, display), display);
}

std::unique_ptr<ByteSource> MemoryByteSource(std::string_view data) {
  absl::StatusOr<std::unique_ptr<ByteSource>> source = Sniff(std::make_unique<MemorySource>(data), "<memory>");
  return *std::move(source);  // Memory reads cannot fail.
}

}  // namespace hydraguard::io
