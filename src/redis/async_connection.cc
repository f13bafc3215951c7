#include "redis/async_connection.h"

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <utility>

#include "fmt/format.h"

namespace hydraguard::redis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct AsyncConnection::Call {
  explicit Call(asio::io_context& io) : done(io) {}
  std::string bytes;  // the commands, in the wire format
  size_t expected = 0;
  bool auth = false;  // the AUTH a new connection starts with
  std::vector<Reply> replies;
  absl::Status status;  // set when the call failed
  bool finished = false;
  asio::steady_timer done;  // the waiter sleeps on it; cancelled to wake it
};

namespace {

struct ReaderDeleter {
  void operator()(redisReader* reader) const { redisReaderFree(reader); }
};

// Appends `command` in the Redis wire format (RESP) to `out`.
absl::Status AppendCommand(const std::vector<std::string>& command, std::string* out) {
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(command.size());
  lengths.reserve(command.size());
  for (const std::string& arg : command) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* formatted = nullptr;
  long long length = redisFormatCommandArgv(&formatted, static_cast<int>(args.size()), args.data(), lengths.data());
  if (length < 0) return absl::InvalidArgumentError("redis: cannot format an empty command");
  out->append(formatted, static_cast<size_t>(length));
  redisFreeCommand(formatted);
  return absl::OkStatus();
}

}  // namespace

AsyncConnection::AsyncConnection(asio::io_context& io, RedisOptions options, Clock now_ms)
    : io_(io),
      options_(std::move(options)),
      now_ms_(std::move(now_ms)),
      endpoint_(fmt::format("{}:{}", options_.host, options_.port)),
      writer_wake_(io) {}  // Asio sends with MSG_NOSIGNAL: no SIGPIPE to ignore

AsyncConnection::~AsyncConnection() {
  if (stream_) stream_->close();
}

std::string AsyncConnection::last_error() const {
  absl::MutexLock lock(&error_mutex_);
  return last_error_;
}

void AsyncConnection::Finish(Call& call) {
  call.finished = true;
  call.done.cancel();
}

asio::awaitable<absl::StatusOr<std::vector<Reply>>> AsyncConnection::Pipeline(
    std::vector<std::vector<std::string>> commands) {
  if (commands.empty()) co_return std::vector<Reply>{};
  if (down_ && (state_ == State::kConnecting || now_ms_() < retry_at_ms_)) {
    co_return absl::UnavailableError(
        fmt::format("redis {} unavailable (failing fast after: {})", endpoint_, last_error()));
  }
  auto call = std::make_shared<Call>(io_);
  for (const std::vector<std::string>& command : commands) {
    if (absl::Status status = AppendCommand(command, &call->bytes); !status.ok()) co_return status;
  }
  call->expected = commands.size();
  call->replies.reserve(commands.size());
  unsent_.push_back(call);
  if (state_ == State::kClosed) {
    state_ = State::kConnecting;
    asio::co_spawn(io_, Run(generation_), asio::detached);
  } else if (state_ == State::kConnected) {
    writer_wake_.cancel();
  }
  // Woken by Finish (a reply or a failure) or by the deadline. Nothing can
  // finish the call before this wait starts: the loop has one thread.
  call->done.expires_after(std::chrono::milliseconds(options_.command_timeout_ms));
  boost::system::error_code ignored;
  if (!call->finished) co_await call->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (!call->finished) {
    Fail(generation_, fmt::format("pipeline of {} commands", commands.size()),
         fmt::format("no reply within {} ms", options_.command_timeout_ms));
  }
  if (!call->status.ok()) co_return call->status;
  co_return std::move(call->replies);
}

asio::awaitable<void> AsyncConnection::Run(uint64_t generation) {
  boost::system::error_code error;
  auto token = asio::redirect_error(asio::use_awaitable, error);
  tcp::resolver resolver(io_);
  tcp::resolver::results_type endpoints =
      co_await resolver.async_resolve(options_.host, std::to_string(options_.port), token);
  if (generation != generation_) co_return;
  if (error) co_return Fail(generation, "resolve", error.message());
  stream_.emplace(io_);
  stream_->expires_after(std::chrono::milliseconds(options_.connect_timeout_ms));
  co_await stream_->async_connect(endpoints, token);
  if (generation != generation_) co_return;
  if (error) {
    co_return Fail(generation, "connect", error == boost::beast::error::timeout ? "timed out" : error.message());
  }
  stream_->expires_never();
  stream_->socket().set_option(tcp::no_delay(true), error);
  state_ = State::kConnected;
  if (!options_.password.empty()) {
    auto auth = std::make_shared<Call>(io_);
    (void)AppendCommand({"AUTH", options_.password}, &auth->bytes);
    auth->expected = 1;
    auth->auth = true;
    unsent_.push_front(std::move(auth));
  }
  asio::co_spawn(io_, ReadLoop(generation), asio::detached);
  co_await WriteLoop(generation);
}

asio::awaitable<void> AsyncConnection::WriteLoop(uint64_t generation) {
  boost::system::error_code error;
  auto token = asio::redirect_error(asio::use_awaitable, error);
  std::string batch;
  while (generation == generation_) {
    if (unsent_.empty()) {
      writer_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await writer_wake_.async_wait(token);
      continue;
    }
    // In flight before the write completes: the replies may be read before
    // this coroutine resumes.
    batch.clear();
    for (CallPtr& call : unsent_) {
      batch += call->bytes;
      in_flight_.push_back(std::move(call));
    }
    unsent_.clear();
    co_await asio::async_write(stream_->socket(), asio::buffer(batch), token);
    if (generation != generation_) co_return;
    if (error) co_return Fail(generation, "write", error.message());
  }
}

asio::awaitable<void> AsyncConnection::ReadLoop(uint64_t generation) {
  boost::system::error_code error;
  auto token = asio::redirect_error(asio::use_awaitable, error);
  std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
  std::vector<char> buffer(16 * 1024);
  for (;;) {
    size_t read = co_await stream_->socket().async_read_some(asio::buffer(buffer), token);
    if (generation != generation_) co_return;
    if (error) {
      co_return Fail(generation, "read",
                     error == asio::error::eof ? "connection closed by the server" : error.message());
    }
    if (redisReaderFeed(reader.get(), buffer.data(), read) != REDIS_OK) {
      co_return Fail(generation, "read", reader->errstr);
    }
    for (;;) {
      void* raw = nullptr;
      if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) co_return Fail(generation, "read", reader->errstr);
      if (raw == nullptr) break;
      if (!Deliver(generation, Reply(static_cast<redisReply*>(raw)))) co_return;
    }
  }
}

bool AsyncConnection::Deliver(uint64_t generation, Reply reply) {
  if (in_flight_.empty()) {
    Fail(generation, "read", "a reply to no command");
    return false;
  }
  Call& call = *in_flight_.front();
  if (call.auth && reply.is_error()) {
    Fail(generation, "AUTH", reply.str());
    return false;
  }
  call.replies.push_back(std::move(reply));
  if (call.replies.size() < call.expected) return true;
  CallPtr done = std::move(in_flight_.front());
  in_flight_.pop_front();
  Finish(*done);
  if (down_) {
    down_ = false;
    healthy_.store(true, std::memory_order_relaxed);
  }
  return true;
}

asio::awaitable<void> AsyncConnection::Probe() {
  asio::steady_timer backoff(io_);
  std::vector<std::vector<std::string>> ping = {{"PING"}};
  while (down_) {
    backoff.expires_after(std::chrono::milliseconds(options_.reconnect_backoff_ms));
    boost::system::error_code ignored;
    co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    // A call may be connecting already, or be about to.
    if (down_ && state_ == State::kClosed && now_ms_() >= retry_at_ms_) {
      absl::StatusOr<std::vector<Reply>> probe = co_await Pipeline(ping);  // its outcome lands in down_
      (void)probe;
    }
  }
  probing_ = false;
}

void AsyncConnection::Fail(uint64_t generation, std::string_view what, std::string_view reason) {
  if (generation != generation_) return;
  ++generation_;
  state_ = State::kClosed;
  if (stream_) stream_->close();
  writer_wake_.cancel();
  std::string message = fmt::format("redis {} {} failed: {}", endpoint_, what, reason);
  down_ = true;
  retry_at_ms_ = now_ms_() + options_.reconnect_backoff_ms;
  healthy_.store(false, std::memory_order_relaxed);
  errors_.fetch_add(1, std::memory_order_relaxed);
  {
    absl::MutexLock lock(&error_mutex_);
    last_error_ = message;
  }
  if (!probing_) {
    probing_ = true;
    asio::co_spawn(io_, Probe(), asio::detached);
  }
  absl::Status status = absl::UnavailableError(message);
  for (std::deque<CallPtr>* calls : {&in_flight_, &unsent_}) {
    for (CallPtr& call : *calls) {
      call->status = status;
      Finish(*call);
    }
    calls->clear();
  }
}

}  // namespace hydraguard::redis
