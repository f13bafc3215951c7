#include "ingest/event_reader.h"

#include "fmt/format.h"
#include "io/display_text.h"

namespace hydraguard::ingest {
namespace {
constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";
}  // namespace

EventReader::EventReader(std::vector<std::string> paths, ReadOptions options, Interners* interners,
                         BadInputLog* bad_input)
    : paths_(std::move(paths)), options_(options), bad_input_(bad_input), parser_(interners, options.not_interned) {}

EventReader::~EventReader() = default;

absl::Status EventReader::FileFailed(absl::Status status) {
  bad_input_->AddUnreadableFile(status);
  FinishFile(/*failed=*/true);
  return options_.strict ? status : absl::OkStatus();
}

void EventReader::FinishFile(bool failed) {
  if (reader_ != nullptr) {
    finished_bytes_ += reader_->bytes_read();
    finished_raw_bytes_ += reader_->source().raw_bytes_read();
    if (reader_->bytes_read() == 0 && !failed) bad_input_->AddEmptyFile(current_path_);
  }
  counters_.bytes = finished_bytes_;
  counters_.raw_bytes = finished_raw_bytes_;
  reader_.reset();
  current_path_.clear();
}

absl::Status EventReader::OpenNextFile() {
  while (next_path_ < paths_.size()) {
    const std::string& path = paths_[next_path_++];
    absl::StatusOr<std::unique_ptr<io::ByteSource>> source = io::OpenByteSource(path);
    if (!source.ok()) {
      bad_input_->AddUnreadableFile(source.status());
      if (options_.strict) return source.status();
      continue;
    }
    ++counters_.files;
    current_path_ = path == "-" ? "<stdin>" : io::EscapeForDisplay(path);
    reader_ = std::make_unique<io::LineReader>(*std::move(source), options_.max_line_bytes);
    return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> EventReader::Next(Event* event) {
  io::Line line;
  while (true) {
    if (reader_ == nullptr) {
      if (absl::Status opened = OpenNextFile(); !opened.ok()) return opened;
      if (reader_ == nullptr) return false;
    }
    absl::StatusOr<bool> more = reader_->Next(&line);
    if (!more.ok()) {
      absl::Status status(more.status().code(), fmt::format("{} (after line {})", std::string(more.status().message()),
                                                            reader_->line_number()));
      if (absl::Status failed = FileFailed(status); !failed.ok()) return failed;
      continue;
    }
    if (!*more) {
      FinishFile(/*failed=*/false);
      continue;
    }
    ++counters_.lines;
    if (line.number == 1 && line.text.starts_with(kUtf8ByteOrderMark)) {
      line.text.remove_prefix(kUtf8ByteOrderMark.size());  // Written by some Windows tools.
    }
    if (line.too_long) {
      error_ = {ErrorKind::kLineTooLong, "line",
                fmt::format("{}{}{}{}", "line is ", line.length, " bytes, longer than the limit of ",
                            options_.max_line_bytes)};
    } else if (line.text.find_first_not_of(" \t\r") == std::string_view::npos) {
      ++counters_.blank_lines;
      continue;
    } else if (parser_.Parse(line.text, event, &error_)) {
      ++counters_.events;
      return true;
    } else if (!line.terminated) {
      error_.reason = fmt::format("{}{}{}{}", "truncated last line (no newline at end of input): ", error_.field, ": ",
                                  error_.reason);
      error_.kind = ErrorKind::kTruncatedLine;
      error_.field = "line";
    }
    bad_input_->AddBadLine(current_path_, line.number, error_);
    if (options_.strict) {
      return absl::InvalidArgumentError(BadInputLog::FormatBadLine(current_path_, line.number, error_));
    }
  }
}

absl::Status ReadEvents(const std::vector<std::string>& paths, const ReadOptions& options, Interners* interners,
                        BadInputLog* bad_input, ReadCounters* counters,
                        absl::FunctionRef<void(const Event&)> on_event) {
  EventReader reader(paths, options, interners, bad_input);
  Event event;
  absl::Status status;
  while (true) {
    absl::StatusOr<bool> more = reader.Next(&event);
    if (!more.ok()) {
      status = more.status();
      break;
    }
    if (!*more) break;
    on_event(event);
  }
  if (counters != nullptr) *counters = reader.counters();
  return status;
}

}  // namespace hydraguard::ingest
