#include "io/line_reader.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace hydraguard::io {
namespace {
// Bytes asked of the source per read: big enough to amortize the syscall,
// no bigger than the line limit needs (small limits keep small buffers).
size_t ReadChunkFor(size_t max_line_bytes) {
  return std::clamp<size_t>(max_line_bytes, size_t{64} << 10, size_t{1} << 20);
}
}  // namespace

LineReader::LineReader(std::unique_ptr<ByteSource> source, size_t max_line_bytes)
    : source_(std::move(source)),
      max_line_bytes_(max_line_bytes),
      read_chunk_(ReadChunkFor(max_line_bytes)),
      capacity_(max_line_bytes + read_chunk_) {
  buffer_ = static_cast<char*>(std::malloc(capacity_ + kLinePadding));
  if (buffer_ == nullptr) std::abort();
  std::memset(buffer_ + capacity_, ' ', kLinePadding);
}

LineReader::~LineReader() { std::free(buffer_); }

absl::StatusOr<size_t> LineReader::Fill() {
  if (begin_ > 0 && (capacity_ - end_ < read_chunk_ || begin_ == end_)) {
    std::memmove(buffer_, buffer_ + begin_, end_ - begin_);
    end_ -= begin_;
    scanned_ -= begin_;
    begin_ = 0;
  }
  size_t room = capacity_ - end_;
  absl::StatusOr<size_t> n = source_->Read(buffer_ + end_, room);
  if (!n.ok()) return n.status();
  end_ += *n;
  bytes_read_ += *n;
  if (*n == 0) at_eof_ = true;
  return *n;
}

absl::StatusOr<bool> LineReader::Next(Line* line) {
  uint64_t skipped = 0;  // Bytes of an over-long line already discarded.
  while (true) {
    const char* newline = static_cast<const char*>(std::memchr(buffer_ + scanned_, '\n', end_ - scanned_));
    size_t line_end = newline ? static_cast<size_t>(newline - buffer_) : end_;
    bool have_line = newline != nullptr || (at_eof_ && begin_ < end_) || (at_eof_ && skipped > 0);
    uint64_t length = skipped + (line_end - begin_);
    if (have_line) {
      ++line_number_;
      line->number = line_number_;
      line->terminated = newline != nullptr;
      line->length = length;
      line->too_long = length > max_line_bytes_;
      size_t text_end = line_end;
      if (!line->too_long && text_end > begin_ && buffer_[text_end - 1] == '\r') --text_end;
      line->text = line->too_long ? std::string_view() : std::string_view(buffer_ + begin_, text_end - begin_);
      begin_ = newline ? line_end + 1 : end_;
      scanned_ = begin_;
      return true;
    }
    if (at_eof_) return false;
    if (length > max_line_bytes_) {
      // Over-long line: drop what we have, remember how much, keep scanning.
      skipped = length;
      begin_ = scanned_ = end_;
    } else {
      scanned_ = end_;
    }
    absl::StatusOr<size_t> added = Fill();
    if (!added.ok()) return added.status();
  }
}

}  // namespace hydraguard::io
