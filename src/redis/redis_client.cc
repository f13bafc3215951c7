#include "redis/redis_client.h"

#include <hiredis/hiredis.h>

#include <chrono>
#include <csignal>
#include <mutex>

#include "fmt/format.h"

namespace hydraguard::redis {

namespace {

timeval ToTimeval(int ms) {
  timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = static_cast<suseconds_t>(ms % 1000) * 1000;
  return tv;
}

void IgnoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) std::signal(SIGPIPE, SIG_IGN);
  });
}

std::string_view CommandName(const std::vector<std::string_view>& argv) { return argv.empty() ? "" : argv[0]; }

}  // namespace

// ---- ReplyView / Reply ----

int ReplyView::type() const { return reply_ == nullptr ? 0 : reply_->type; }
bool ReplyView::is_error() const { return type() == REDIS_REPLY_ERROR; }
bool ReplyView::is_nil() const { return type() == REDIS_REPLY_NIL; }
bool ReplyView::is_string() const { return type() == REDIS_REPLY_STRING; }
bool ReplyView::is_status() const { return type() == REDIS_REPLY_STATUS; }
bool ReplyView::is_integer() const { return type() == REDIS_REPLY_INTEGER; }
bool ReplyView::is_array() const { return type() == REDIS_REPLY_ARRAY; }

std::string_view ReplyView::str() const {
  if (!is_string() && !is_status() && !is_error()) return {};
  return std::string_view(reply_->str, reply_->len);
}

long long ReplyView::integer() const { return is_integer() ? reply_->integer : 0; }

size_t ReplyView::size() const { return is_array() ? reply_->elements : 0; }

ReplyView ReplyView::element(size_t i) const { return ReplyView(reply_->element[i]); }

Reply::Reply(redisReply* reply) : ReplyView(reply) {}

Reply::Reply(Reply&& other) noexcept : ReplyView(other.reply_) { other.reply_ = nullptr; }

Reply& Reply::operator=(Reply&& other) noexcept {
  if (this != &other) {
    if (reply_ != nullptr) freeReplyObject(const_cast<redisReply*>(reply_));
    reply_ = other.reply_;
    other.reply_ = nullptr;
  }
  return *this;
}

Reply::~Reply() {
  if (reply_ != nullptr) freeReplyObject(const_cast<redisReply*>(reply_));
}

// ---- RedisClient ----

void RedisClient::ContextDeleter::operator()(redisContext* context) const { redisFree(context); }

int64_t RedisClient::SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RedisClient::RedisClient(RedisOptions options, Clock now_ms)
    : options_(std::move(options)),
      now_ms_(std::move(now_ms)),
      endpoint_(fmt::format("{}:{}", options_.host, options_.port)) {
  IgnoreSigpipeOnce();
}

RedisClient::~RedisClient() = default;

absl::StatusOr<RedisClient::Connection> RedisClient::Checkout() {
  mutex_.Lock();
  while (true) {
    if (down_) {
      if (probing_ || now_ms_() < retry_at_ms_) {
        absl::Status status = absl::UnavailableError(
            fmt::format("redis {} unavailable (failing fast after: {})", endpoint_, last_error_));
        mutex_.Unlock();
        return status;
      }
      probing_ = true;  // this caller tries again; the others keep failing fast
      break;
    }
    if (!idle_.empty()) {
      Connection connection = std::move(idle_.back());
      idle_.pop_back();
      mutex_.Unlock();
      return connection;
    }
    if (open_ < options_.pool_size) break;
    mutex_.Await(absl::Condition(this, &RedisClient::CanCheckout));
  }
  ++open_;
  mutex_.Unlock();
  return Connect();
}

bool RedisClient::CanCheckout() const { return down_ || !idle_.empty() || open_ < options_.pool_size; }

absl::StatusOr<RedisClient::Connection> RedisClient::Connect() {
  Connection connection(
      redisConnectWithTimeout(options_.host.c_str(), options_.port, ToTimeval(options_.connect_timeout_ms)));
  if (connection == nullptr) return Fail(nullptr, "connect", "out of memory");
  if (connection->err != 0) {
    std::string reason = connection->errstr;
    return Fail(std::move(connection), "connect", reason);
  }
  if (redisSetTimeout(connection.get(), ToTimeval(options_.command_timeout_ms)) != REDIS_OK) {
    return Fail(std::move(connection), "set timeout", "setsockopt failed");
  }
  if (!options_.password.empty()) {
    const char* argv[] = {"AUTH", options_.password.data()};
    const size_t lengths[] = {4, options_.password.size()};
    Reply reply(static_cast<redisReply*>(redisCommandArgv(connection.get(), 2, argv, lengths)));
    if (reply.type() == 0) {
      std::string reason = connection->errstr;
      return Fail(std::move(connection), "AUTH", reason);
    }
    if (reply.is_error()) return Fail(std::move(connection), "AUTH", reply.str());
  }
  return connection;
}

void RedisClient::Checkin(Connection connection) {
  absl::MutexLock lock(&mutex_);
  down_ = false;
  probing_ = false;
  idle_.push_back(std::move(connection));
}

absl::Status RedisClient::Fail(Connection connection, std::string_view what, std::string_view reason) {
  std::vector<Connection> dropped;
  std::string message = fmt::format("redis {} {} failed: {}", endpoint_, what, reason);
  {
    absl::MutexLock lock(&mutex_);
    --open_;
    ++errors_;
    last_error_ = message;
    down_ = true;
    probing_ = false;
    retry_at_ms_ = now_ms_() + options_.reconnect_backoff_ms;
    // Pooled connections most likely lead to the same dead server: close
    // them rather than let each fail once more after the backoff.
    open_ -= static_cast<int>(idle_.size());
    dropped.swap(idle_);
  }
  connection.reset();
  dropped.clear();
  return absl::UnavailableError(message);
}

absl::StatusOr<Reply> RedisClient::Command(const std::vector<std::string_view>& argv) {
  absl::StatusOr<Connection> connection = Checkout();
  if (!connection.ok()) return connection.status();
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (std::string_view arg : argv) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  Reply reply(static_cast<redisReply*>(
      redisCommandArgv(connection->get(), static_cast<int>(args.size()), args.data(), lengths.data())));
  if (reply.type() == 0) {
    std::string reason = (*connection)->errstr;
    return Fail(*std::move(connection), CommandName(argv), reason);
  }
  Checkin(*std::move(connection));
  return reply;
}

absl::StatusOr<std::vector<Reply>> RedisClient::Pipeline(const std::vector<std::vector<std::string>>& commands) {
  std::vector<Reply> replies;
  if (commands.empty()) return replies;
  absl::StatusOr<Connection> connection = Checkout();
  if (!connection.ok()) return connection.status();
  redisContext* context = connection->get();
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (const std::vector<std::string>& command : commands) {
    args.clear();
    lengths.clear();
    for (const std::string& arg : command) {
      args.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context, static_cast<int>(args.size()), args.data(), lengths.data()) != REDIS_OK) {
      std::string reason = context->errstr;
      return Fail(*std::move(connection), "pipeline append", reason);
    }
  }
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
      if (raw != nullptr) freeReplyObject(raw);
      std::string reason = context->errstr;
      return Fail(*std::move(connection), fmt::format("pipeline of {} commands", commands.size()), reason);
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  Checkin(*std::move(connection));
  return replies;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> RedisClient::HashGetAll(std::string_view key) {
  absl::StatusOr<Reply> reply = Command({"HGETALL", key});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) {
    return absl::FailedPreconditionError(fmt::format("redis {} HGETALL {}: {}", endpoint_, key, reply->str()));
  }
  if (!reply->is_array() || reply->size() % 2 != 0) {
    return absl::InternalError(
        fmt::format("redis {} HGETALL {}: unexpected reply type {}", endpoint_, key, reply->type()));
  }
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(reply->size() / 2);
  for (size_t i = 0; i + 1 < reply->size(); i += 2) {
    fields.emplace_back(std::string(reply->element(i).str()), std::string(reply->element(i + 1).str()));
  }
  return fields;
}

bool RedisClient::healthy() const {
  absl::MutexLock lock(&mutex_);
  return !down_;
}

uint64_t RedisClient::errors() const {
  absl::MutexLock lock(&mutex_);
  return errors_;
}

std::string RedisClient::last_error() const {
  absl::MutexLock lock(&mutex_);
  return last_error_;
}

}  // namespace hydraguard::redis
