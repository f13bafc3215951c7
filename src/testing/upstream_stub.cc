#include "testing/upstream_stub.h"

// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without it
// clang-format on

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <cerrno>

// Beast 1.74's parser trips GCC 12's -Wmaybe-uninitialized under ASan at -O3
// (a boost::optional in basic_parser.hpp): a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include "fmt/format.h"
#include "io/json_writer.h"
#include "simdjson.h"

namespace hydraguard::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr auto kHoldPoll = std::chrono::milliseconds(2);

std::string Quoted(std::string_view text) {
  std::string out;
  io::AppendJsonString(&out, text);
  return out;
}

// `text` cut into `parts` pieces (at least one) that concatenate back to it.
std::vector<std::string_view> Split(std::string_view text, int parts) {
  std::vector<std::string_view> pieces;
  size_t count = parts < 1 ? 1 : static_cast<size_t>(parts);
  size_t base = text.size() / count;
  size_t begin = 0;
  for (size_t i = 0; i < count; ++i) {
    size_t size = i + 1 == count ? text.size() - begin : base;
    pieces.push_back(text.substr(begin, size));
    begin += size;
  }
  return pieces;
}

std::string AnthropicEvent(std::string_view type, std::string_view data) {
  return fmt::format("event: {}\ndata: {}\n\n", type, data);
}

bool WantsStream(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root)) return false;
  bool stream = false;
  if (root["stream"].get_bool().get(stream)) return false;
  return stream;
}

// Whether the peer closed its end (readable with nothing to read).
bool PeerClosed(tcp::socket& socket) {
  char byte;
  ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

std::string ToString(beast::string_view text) { return std::string(text.data(), text.size()); }

// The stub's answer on the endpoints besides Messages and Chat Completions
// ("" for a target it does not know).
std::string OtherEndpointBody(boost::beast::string_view method, std::string_view target, std::string_view body,
                              const UpstreamStubOptions& options) {
  if (target == "/v1/responses") {
    std::string usage =
        fmt::format(R"({{"input_tokens":{},"output_tokens":{},"total_tokens":{}}})", options.input_tokens,
                    options.output_tokens, options.input_tokens + options.output_tokens);
    std::string response = fmt::format(
        R"({{"id":"resp_stub","object":"response","status":"completed","output":[{{"type":"message","role":"assistant","content":[{{"type":"output_text","text":"{}"}}]}}],"usage":{}}})",
        options.text, usage);
    if (body.find(R"("stream":true)") == std::string_view::npos) return response;
    return fmt::format(
        "event: response.created\ndata: {{\"type\":\"response.created\",\"response\":{{\"id\":\"resp_stub\"}}}}\n\n"
        "event: response.output_text.delta\ndata: {{\"type\":\"response.output_text.delta\",\"delta\":\"{}\"}}\n\n"
        "event: response.completed\ndata: {{\"type\":\"response.completed\",\"response\":{}}}\n\n",
        options.text, response);
  }
  if (target == "/v1/embeddings") {
    return fmt::format(
        R"({{"object":"list","data":[{{"object":"embedding","index":0,"embedding":[0.1,0.2]}}],"model":"e","usage":{{"prompt_tokens":{},"total_tokens":{}}}}})",
        options.input_tokens, options.input_tokens);
  }
  if (target == "/v1/messages/count_tokens") return fmt::format(R"({{"input_tokens":{}}})", options.input_tokens);
  if (target == "/v1/models" || target.starts_with("/v1/models/")) {
    return R"({"data":[{"id":"stub-model","type":"model","object":"model"}],"object":"list","has_more":false})";
  }
  if (target == "/v1/messages/batches" && method == "POST") {
    return R"({"id":"msgbatch_stub","type":"message_batch","processing_status":"in_progress"})";
  }
  if (target.starts_with("/v1/messages/batches")) {
    return R"({"id":"msgbatch_stub","type":"message_batch","processing_status":"ended"})";
  }
  return "";
}

}  // namespace

std::string StubRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(beast::string_view(key), beast::string_view(name.data(), name.size()))) return value;
  }
  return "";
}

bool StubRequest::HasHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(beast::string_view(key), beast::string_view(name.data(), name.size()))) return true;
  }
  return false;
}

std::string UpstreamStub::AnthropicBody(const Options& options) {
  std::string content;
  if (options.with_thinking) {
    content = fmt::format(R"({{"type":"thinking","thinking":{},"signature":"c3R1Yg=="}},)", Quoted(options.thinking));
  }
  content += fmt::format(R"({{"type":"text","text":{}}})", Quoted(options.text));
  return fmt::format(
      R"({{"id":"msg_stub","type":"message","role":"assistant","model":"claude-stub","content":[{}],)"
      R"("stop_reason":"end_turn","stop_sequence":null,"usage":{{"input_tokens":{},"output_tokens":{}}}}})",
      content, options.input_tokens, options.output_tokens);
}

std::vector<std::string> UpstreamStub::AnthropicEvents(const Options& options) {
  std::vector<std::string> events;
  events.push_back(AnthropicEvent(
      "message_start",
      fmt::format(R"({{"type":"message_start","message":{{"id":"msg_stub","type":"message","role":"assistant",)"
                  R"("model":"claude-stub","content":[],"stop_reason":null,"stop_sequence":null,)"
                  R"("usage":{{"input_tokens":{},"output_tokens":1}}}}}})",
                  options.input_tokens)));
  events.push_back(AnthropicEvent("ping", R"({"type": "ping"})"));
  int index = 0;
  if (options.with_thinking) {
    events.push_back(AnthropicEvent(
        "content_block_start",
        fmt::format(
            R"({{"type":"content_block_start","index":{},"content_block":{{"type":"thinking","thinking":""}}}})",
            index)));
    for (std::string_view piece : Split(options.thinking, options.thinking_deltas)) {
      events.push_back(AnthropicEvent(
          "content_block_delta",
          fmt::format(
              R"({{"type":"content_block_delta","index":{},"delta":{{"type":"thinking_delta","thinking":{}}}}})", index,
              Quoted(piece))));
    }
    events.push_back(AnthropicEvent(
        "content_block_delta",
        fmt::format(
            R"({{"type":"content_block_delta","index":{},"delta":{{"type":"signature_delta","signature":"c3R1Yg=="}}}})",
            index)));
    events.push_back(
        AnthropicEvent("content_block_stop", fmt::format(R"({{"type":"content_block_stop","index":{}}})", index)));
    ++index;
  }
  events.push_back(AnthropicEvent(
      "content_block_start",
      fmt::format(R"({{"type":"content_block_start","index":{},"content_block":{{"type":"text","text":""}}}})",
                  index)));
  for (std::string_view piece : Split(options.text, options.text_deltas)) {
    events.push_back(AnthropicEvent(
        "content_block_delta",
        fmt::format(R"({{"type":"content_block_delta","index":{},"delta":{{"type":"text_delta","text":{}}}}})", index,
                    Quoted(piece))));
  }
  events.push_back(
      AnthropicEvent("content_block_stop", fmt::format(R"({{"type":"content_block_stop","index":{}}})", index)));
  events.push_back(AnthropicEvent(
      "message_delta",
      fmt::format(R"({{"type":"message_delta","delta":{{"stop_reason":"end_turn","stop_sequence":null}},)"
                  R"("usage":{{"output_tokens":{}}}}})",
                  options.output_tokens)));
  events.push_back(AnthropicEvent("message_stop", R"({"type":"message_stop"})"));
  return events;
}

std::string UpstreamStub::OpenAiBody(const Options& options) {
  std::string reasoning;
  if (options.with_thinking) reasoning = fmt::format(R"(,"reasoning_content":{})", Quoted(options.thinking));
  return fmt::format(
      R"({{"id":"chatcmpl-stub","object":"chat.completion","created":1700000000,"model":"gpt-stub",)"
      R"("choices":[{{"index":0,"message":{{"role":"assistant","content":{}{}}},"finish_reason":"stop"}}],)"
      R"("usage":{{"prompt_tokens":{},"completion_tokens":{},"total_tokens":{}}}}})",
      Quoted(options.text), reasoning, options.input_tokens, options.output_tokens,
      options.input_tokens + options.output_tokens);
}

std::vector<std::string> UpstreamStub::OpenAiEvents(const Options& options) {
  constexpr std::string_view kHead =
      R"({"id":"chatcmpl-stub","object":"chat.completion.chunk","created":1700000000,"model":"gpt-stub",)";
  auto chunk = [&](std::string_view delta, std::string_view finish) {
    return fmt::format(R"(data: {}"choices":[{{"index":0,"delta":{},"finish_reason":{}}}]}})"
                       "\n\n",
                       kHead, delta, finish);
  };
  std::vector<std::string> events;
  events.push_back(chunk(R"({"role":"assistant","content":""})", "null"));
  if (options.with_thinking) {
    for (std::string_view piece : Split(options.thinking, options.thinking_deltas)) {
      events.push_back(chunk(fmt::format(R"({{"reasoning_content":{}}})", Quoted(piece)), "null"));
    }
  }
  for (std::string_view piece : Split(options.text, options.text_deltas)) {
    events.push_back(chunk(fmt::format(R"({{"content":{}}})", Quoted(piece)), "null"));
  }
  events.push_back(chunk("{}", R"("stop")"));
  events.push_back(
      fmt::format(R"(data: {}"choices":[],"usage":{{"prompt_tokens":{},"completion_tokens":{},"total_tokens":{}}}}})"
                  "\n\n",
                  kHead, options.input_tokens, options.output_tokens, options.input_tokens + options.output_tokens));
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::string UpstreamStub::ErrorBodyFor(bool anthropic, int status) {
  std::string_view type = status == 529 ? "overloaded_error" : status == 429 ? "rate_limit_error" : "api_error";
  std::string message = fmt::format("stub error {}", status);
  if (anthropic) {
    return fmt::format(R"({{"type":"error","error":{{"type":"{}","message":{}}}}})", type, Quoted(message));
  }
  return fmt::format(R"({{"error":{{"message":{},"type":"server_error","param":null,"code":null}}}})", Quoted(message));
}

UpstreamStub::UpstreamStub(Options options, uint16_t port) : acceptor_(io_), options_(std::move(options)) {
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  net::co_spawn(io_, Accept(), net::detached);
  thread_ = std::thread([this] { io_.run(); });
}

UpstreamStub::~UpstreamStub() { Stop(); }

std::string UpstreamStub::url() const { return fmt::format("http://127.0.0.1:{}", port_); }

void UpstreamStub::SetOptions(Options options) {
  std::lock_guard lock(mutex_);
  options_ = std::move(options);
}

UpstreamStub::Options UpstreamStub::options() const {
  std::lock_guard lock(mutex_);
  return options_;
}

void UpstreamStub::Release() { released_ = true; }

namespace {

template <typename Predicate>
bool PollUntil(Predicate done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace

bool UpstreamStub::WaitUntilHolding(int count, std::chrono::milliseconds timeout) const {
  return PollUntil([&] { return holding_.load() >= count; }, timeout);
}

bool UpstreamStub::WaitForPeerDisconnects(int count, std::chrono::milliseconds timeout) const {
  return PollUntil([&] { return peer_disconnects_.load() >= count; }, timeout);
}

std::vector<StubRequest> UpstreamStub::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool UpstreamStub::WaitForRequests(size_t count, std::chrono::milliseconds timeout) const {
  return PollUntil(
      [&] {
        std::lock_guard lock(mutex_);
        return requests_.size() >= count;
      },
      timeout);
}

void UpstreamStub::Stop() {
  if (stopped_.exchange(true)) return;
  net::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    io_.stop();
  });
  if (thread_.joinable()) thread_.join();
  // Connections still open are closed with their coroutines, when io_ is
  // destroyed; the listener is closed already.
}

net::awaitable<void> UpstreamStub::Accept() {
  while (!stopped_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;
    ++connections_;
    net::co_spawn(io_, Serve(std::move(socket)), net::detached);
  }
}

net::awaitable<bool> UpstreamStub::WaitWhileHeld(tcp::socket& socket) {
  net::steady_timer timer(io_);
  ++holding_;
  bool ok = true;
  while (!released_ && !stopped_) {
    if (PeerClosed(socket)) {
      ++peer_disconnects_;
      ok = false;
      break;
    }
    timer.expires_after(kHoldPoll);
    boost::system::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
  --holding_;
  co_return ok && !stopped_;
}

net::awaitable<void> UpstreamStub::Serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  auto token = net::redirect_error(net::use_awaitable, ec);
  net::steady_timer delay(io_);
  while (!stopped_) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    co_await http::async_read(stream, buffer, parser, token);
    if (ec) break;
    http::request<http::string_body> request = parser.release();
    Options options;
    uint64_t number = 0;  // of this request, from 1
    {
      std::lock_guard lock(mutex_);
      options = options_;
      number = ++request_count_;
    }
    if (options.record_requests) {
      StubRequest record{
          .method = ToString(request.method_string()), .target = ToString(request.target()), .body = request.body()};
      for (const auto& field : request) {
        record.headers.emplace_back(ToString(field.name_string()), ToString(field.value()));
      }
      std::lock_guard lock(mutex_);
      requests_.push_back(std::move(record));
    }
    const bool keep_alive = request.keep_alive();
    std::string_view target(request.target().data(), request.target().size());
    target = target.substr(0, target.find('?'));
    const bool anthropic = target == "/v1/messages";
    const bool openai = target == "/v1/chat/completions";
    if (options.hold == Hold::kBeforeResponse && !released_) {
      bool go_on = co_await WaitWhileHeld(stream.socket());
      if (!go_on) break;
    }
    // The other endpoints: one fixed answer each, usage where the API has it.
    std::string other = OtherEndpointBody(request.method_string(), target, request.body(), options);
    if (!anthropic && !openai && !other.empty()) {
      const bool responses_stream = target == "/v1/responses" && WantsStream(request.body());
      http::response<http::string_body> response{http::status::ok, request.version()};
      response.set(http::field::content_type, responses_stream ? "text/event-stream" : "application/json");
      response.set("request-id", fmt::format("req_stub_{}", number));
      response.body() = std::move(other);
      response.keep_alive(keep_alive);
      response.prepare_payload();
      co_await http::async_write(stream, response, token);
      if (ec || !keep_alive) break;
      continue;
    }
    if (!anthropic && !openai) {
      http::response<http::string_body> response{http::status::not_found, request.version()};
      response.set(http::field::content_type, "application/json");
      response.body() = R"({"error":"not found"})";
      response.keep_alive(keep_alive);
      response.prepare_payload();
      co_await http::async_write(stream, response, token);
      if (ec || !keep_alive) break;
      continue;
    }
    const bool stream_requested = options.status == 200 && WantsStream(request.body());
    if (!stream_requested) {
      http::response<http::string_body> response{static_cast<http::status>(options.status), request.version()};
      response.set(http::field::content_type, "application/json");
      response.set("request-id", fmt::format("req_stub_{}", number));
      for (const auto& [name, value] : options.response_headers) response.insert(name, value);
      if (options.status != 200) {
        response.body() = ErrorBodyFor(anthropic, options.status);
      } else {
        response.body() = anthropic ? AnthropicBody(options) : OpenAiBody(options);
      }
      response.keep_alive(keep_alive);
      response.prepare_payload();
      co_await http::async_write(stream, response, token);
      if (ec || !keep_alive) break;
      continue;
    }
    std::vector<std::string> events = anthropic ? AnthropicEvents(options) : OpenAiEvents(options);
    if (!anthropic && options.openai_usage_only_when_asked &&
        request.body().find(R"("include_usage":true)") == std::string::npos) {
      events.erase(events.end() - 2);  // the usage chunk, before [DONE]
    }
    http::response<http::empty_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/event-stream; charset=utf-8");
    response.set(http::field::cache_control, "no-cache");
    response.set("request-id", fmt::format("req_stub_{}", number));
    for (const auto& [name, value] : options.response_headers) response.insert(name, value);
    const bool chunked = options.chunked && request.version() >= 11;
    if (chunked) {
      response.chunked(true);
      response.keep_alive(keep_alive);
    } else {
      response.keep_alive(false);
    }
    http::response_serializer<http::empty_body> serializer{response};
    co_await http::async_write_header(stream, serializer, token);
    if (ec) break;
    bool failed = false;
    for (size_t i = 0; i < events.size() && !failed; ++i) {
      if (i == 1 && options.hold == Hold::kAfterFirstEvent && !released_) {
        bool go_on = co_await WaitWhileHeld(stream.socket());
        if (!go_on) {
          failed = true;
          break;
        }
      }
      if (i > 0 && options.event_delay_ms > 0) {
        delay.expires_after(std::chrono::milliseconds(options.event_delay_ms));
        co_await delay.async_wait(token);
      }
      if (chunked) {
        co_await net::async_write(stream, http::make_chunk(net::buffer(events[i])), token);
      } else {
        co_await net::async_write(stream, net::buffer(events[i]), token);
      }
      failed = static_cast<bool>(ec);
    }
    if (failed || stopped_) break;
    if (!chunked) break;  // the body ends when the connection closes
    co_await net::async_write(stream, http::make_chunk_last(), token);
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

}  // namespace hydraguard::testing
