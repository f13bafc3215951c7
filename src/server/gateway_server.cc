#include "server/gateway_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>  // before Boost (asio/awaitable.hpp needs std::exchange)
#include <vector>

#include "fmt/format.h"
#include "gateway/event_line.h"
#include "gateway/internal/json_lines.h"
#include "gateway/rate_headers.h"
#include "gateway/request.h"
#include "redis/async_limiter.h"
#include "server/handlers.h"
#include "server/log.h"
#include "server/request_reader.h"
#include "server/upstream.h"

namespace hydraguard::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {

ingest::IpAddress PeerOf(const tcp::socket& socket) {
  boost::system::error_code error;
  tcp::endpoint endpoint = socket.remote_endpoint(error);
  if (error) return {};
  return ingest::IpAddress::Parse(endpoint.address().to_string()).value_or(ingest::IpAddress{});
}

}  // namespace

struct GatewayServer::Impl {
  std::unique_ptr<GatewayState> state;
  std::optional<UpstreamTarget> upstream;
  // One event loop per thread, each with its own listening socket on the
  // same port (SO_REUSEPORT): the kernel spreads connections, and a
  // connection never wakes another thread.
  struct Loop {
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    // Redis mode: this loop's pipelined connection for the limiters; null in
    // memory mode. Declared after io: destroyed before it.
    std::unique_ptr<redis::AsyncLimiter> redis_limiter;
    // The store this loop admits on: redis_limiter, or the state's shared
    // MemoryLimiter.
    gateway::LimiterStore* limiter = nullptr;
    // This loop's kept-alive upstream connections; null in check-only mode.
    std::unique_ptr<UpstreamPool> upstream_pool;
  };
  std::vector<std::unique_ptr<Loop>> loops;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::condition_variable stopped_cv;
  bool started = false, stopped = false;

  // The loops' connections are gone before the state stops watching them.
  ~Impl() {
    if (state) state->ForgetRedisConnections();
  }

  awaitable<void> Listen(Loop& loop);
  awaitable<void> Session(beast::tcp_stream stream, Loop& loop);
  awaitable<bool> ServeApi(beast::tcp_stream& stream, Request request, gateway::Route route,
                           const ingest::IpAddress& peer, Loop& loop);
  awaitable<bool> ServeBatch(beast::tcp_stream& stream, Request request, const ingest::IpAddress& peer, Loop& loop);
  awaitable<bool> ServePassThrough(beast::tcp_stream& stream, Request request, gateway::Route route,
                                   const ingest::IpAddress& peer, Loop& loop);
  // Answers `decision` (a refusal) in the API's shape; false: close.
  awaitable<bool> Refuse(beast::tcp_stream& stream, const Request& request, gateway::ApiKind api,
                         const gateway::Decision& decision);
  // The request as the upstream gets it: the judged credential only, no
  // x-hydraguard-*, the client's address.
  void PrepareUpstream(const Caller& caller, Request* request, ProxyOptions* options) const;
  // What every proxied exchange counts when it ends.
  void CountProxyResult(const ProxyResult& result) const {
    if (result.upstream_failed) state->metrics().CountUpstreamError();
    if (result.client_gone) state->metrics().CountClientGone();
    if (result.stripped_blocks > 0) state->metrics().CountStripped();
  }
};

awaitable<void> GatewayServer::Impl::Listen(Loop& loop) {
  for (;;) {
    boost::system::error_code error;
    tcp::socket socket = co_await loop.acceptor.async_accept(asio::redirect_error(use_awaitable, error));
    if (error) {
      if (error == asio::error::operation_aborted || !loop.acceptor.is_open()) co_return;
      Log(LogLevel::kWarn, "accept failed", {{"error", error.message()}});
      // Out of descriptors (EMFILE) fails again at once: pause, don't spin.
      asio::steady_timer pause(loop.io, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(use_awaitable, error));
      continue;
    }
    socket.set_option(tcp::no_delay(true), error);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(beast::tcp_stream(std::move(socket)), loop), asio::detached);
  }
}

awaitable<void> GatewayServer::Impl::Session(beast::tcp_stream stream, Loop& loop) {
  gateway::LimiterStore& limiter = *loop.limiter;
  const gateway::GatewayConfig& config = state->config();
  beast::flat_buffer buffer;
  const ingest::IpAddress peer = PeerOf(stream.socket());
  const ReadLimits limits{
      .max_header_bytes = 64 * 1024, .max_body_bytes = config.max_body_bytes, .timeout_ms = config.client_timeout_ms};
  for (;;) {
    ReadResult read = co_await ReadRequest(stream, buffer, limits);
    boost::system::error_code error;
    if (read.kind == ReadResult::kClosed) break;
    if (read.kind == ReadResult::kRefused) {
      gateway::ApiKind api = gateway::ApiOfPath(read.target).value_or(gateway::ApiKind::kAnthropic);
      gateway::Decision decision;
      decision.status = read.status;
      decision.error = gateway::ErrorKind::kInvalidRequest;
      decision.code = read.code;
      decision.message = read.message;
      Reason reason = read.status == 408                                               ? Reason::kTimeout
                      : read.status == 413 || read.status == 414 || read.status == 431 ? Reason::kTooLarge
                                                                                       : Reason::kBadRequest;
      state->metrics().CountDecision(engine::Action::kAllow, reason);
      Response response = ErrorResponse(api, decision, 11, false, state->now_ms());
      stream.expires_after(std::chrono::seconds(5));
      co_await http::async_write(stream, response, asio::redirect_error(use_awaitable, error));
      break;
    }
    Request request = std::move(read.request);
    stream.expires_never();
    std::string_view path = PathOf(request);
    bool keep_alive = request.keep_alive();
    if (std::optional<gateway::Route> route = gateway::RouteOf(path)) {
      const bool post = request.method() == http::verb::post;
      if (route->endpoint == gateway::Endpoint::kPassThrough ||
          (route->endpoint == gateway::Endpoint::kMessageBatches && !post)) {
        keep_alive = co_await ServePassThrough(stream, std::move(request), *route, peer, loop);
      } else if (!post) {
        gateway::Decision decision;
        decision.status = 405;
        decision.error = gateway::ErrorKind::kInvalidRequest;
        decision.message = "Use POST.";
        Response response = ErrorResponse(route->api, decision, request.version(), keep_alive, state->now_ms());
        response.set(http::field::allow, "POST");
        co_await http::async_write(stream, response, asio::redirect_error(use_awaitable, error));
      } else if (route->endpoint == gateway::Endpoint::kMessageBatches) {
        keep_alive = co_await ServeBatch(stream, std::move(request), peer, loop);
      } else {
        keep_alive = co_await ServeApi(stream, std::move(request), *route, peer, loop);
      }
    } else {
      Response response;
      if (path == "/check") {
        response = co_await HandleCheck(*state, limiter, request, peer, false);
      } else if (path == "/check.json") {
        response = co_await HandleCheck(*state, limiter, request, peer, true);
      } else if (path == "/usage") {
        response = co_await HandleUsage(*state, *loop.limiter, request);
      } else if (path == "/metrics") {
        response = HandleMetrics(*state, request);
      } else if (path == "/healthz") {
        response = PlainResponse(request, 200, "text/plain", "ok\n");
      } else if (path.starts_with("/admin/")) {
        response = HandleAdmin(*state, request);
      } else {
        state->metrics().CountEndpoint("other");
        gateway::Decision not_found;
        not_found.status = 404;
        not_found.error = gateway::ErrorKind::kNotFound;
        not_found.message = "Not found: " + std::string(path);
        response =
            ErrorResponse(gateway::ApiKind::kAnthropic, not_found, request.version(), keep_alive, state->now_ms());
      }
      co_await http::async_write(stream, response, asio::redirect_error(use_awaitable, error));
    }
    if (error || !keep_alive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

awaitable<bool> GatewayServer::Impl::Refuse(beast::tcp_stream& stream, const Request& request, gateway::ApiKind api,
                                            const gateway::Decision& decision) {
  Response response = ErrorResponse(api, decision, request.version(), request.keep_alive(), state->now_ms());
  boost::system::error_code error;
  co_await http::async_write(stream, response, asio::redirect_error(use_awaitable, error));
  co_return !error && request.keep_alive();
}

void GatewayServer::Impl::PrepareUpstream(const Caller& caller, Request* request, ProxyOptions* options) const {
  KeepOnlyJudgedCredential(caller, request);
  // Only the gateway speaks x-hydraguard-* (and the suspect header) to the upstream.
  StripGatewayHeaders(state->config().suspect_header, request);
  options->upstream_headers.emplace_back("x-forwarded-for", caller.ip.ToString());
}

namespace {

gateway::Decision CheckOnly() {
  gateway::Decision none;
  none.status = 404;
  none.error = gateway::ErrorKind::kNotFound;
  none.message = "This gateway runs in check-only mode (no upstream configured).";
  return none;
}

}  // namespace

awaitable<bool> GatewayServer::Impl::ServePassThrough(beast::tcp_stream& stream, Request request, gateway::Route route,
                                                      const ingest::IpAddress& peer, Loop& loop) {
  state->metrics().CountEndpoint(route.name);
  Caller caller = IdentifyCaller(request, peer, state->config());
  if (route.name == "models" && caller.bearer) route.api = gateway::ApiKind::kOpenAi;  // one path, both APIs
  if (!upstream) {
    bool keep = co_await Refuse(stream, request, route.api, CheckOnly());
    co_return keep;
  }
  Judged judged = Authenticate(*state, caller, route.api);
  state->metrics().CountDecision(judged.decision.action,
                                 judged.decision.allowed ? Reason::kOk : ReasonOf(judged.decision.reason));
  if (!judged.decision.allowed) {
    bool keep = co_await Refuse(stream, request, route.api, judged.decision);
    co_return keep;
  }
  ProxyOptions options{.api = route.api};
  PrepareUpstream(caller, &request, &options);
  options.on_complete = [&](int, const gateway::Usage&, bool reused) {
    state->metrics().CountUpstreamConnection(reused);
  };
  ProxyResult result = co_await Proxy(stream, std::move(request), *upstream, options, loop.upstream_pool.get());
  CountProxyResult(result);
  co_return result.keep_alive;
}

awaitable<bool> GatewayServer::Impl::ServeBatch(beast::tcp_stream& stream, Request request,
                                                const ingest::IpAddress& peer, Loop& loop) {
  state->metrics().CountEndpoint("batches");
  Caller caller = IdentifyCaller(request, peer, state->config());
  if (!upstream) {
    bool keep = co_await Refuse(stream, request, gateway::ApiKind::kAnthropic, CheckOnly());
    co_return keep;
  }
  std::vector<gateway::RequestContext> contexts;
  Judged judged = co_await JudgeBatch(*state, *loop.limiter, caller, request.body(), &contexts);
  const gateway::Decision& decision = judged.decision;
  // Every request inside is recorded as the single request it stands for.
  auto record = [&](int status) {
    state->metrics().CountDecision(decision.action, decision.allowed ? Reason::kOk : ReasonOf(decision.reason));
    if (judged.context.identity == nullptr || !state->records_events()) return;
    for (const gateway::RequestContext& context : contexts) {
      gateway::EventOutcome outcome{
          .api_key = caller.api_key, .endpoint = "/v1/messages/batches", .country = caller.country, .status = status};
      state->RecordEvent(gateway::EventLine(context, outcome, state->config().event_prompts));
    }
  };
  if (!decision.allowed) {
    record(decision.status);
    bool keep = co_await Refuse(stream, request, gateway::ApiKind::kAnthropic, decision);
    co_return keep;
  }
  ProxyOptions options{.api = gateway::ApiKind::kAnthropic};
  PrepareUpstream(caller, &request, &options);
  if (decision.suspect) {
    options.upstream_headers.emplace_back(state->config().suspect_header,
                                          std::string(engine::ActionName(decision.action)));
  }
  options.response_headers = gateway::RateLimitHeaders(gateway::ApiKind::kAnthropic, decision, judged.context.now_ms);
  // A batch's results come later: its reservations stand (charged at max_tokens).
  bool recorded = false;
  options.on_complete = [&](int status, const gateway::Usage&, bool reused) {
    state->metrics().CountUpstreamConnection(reused);
    recorded = true;
    record(status);
  };
  ProxyResult result = co_await Proxy(stream, std::move(request), *upstream, options, loop.upstream_pool.get());
  CountProxyResult(result);
  if (!recorded) record(result.status);
  co_return result.keep_alive;
}

awaitable<bool> GatewayServer::Impl::ServeApi(beast::tcp_stream& stream, Request request, gateway::Route route,
                                              const ingest::IpAddress& peer, Loop& loop) {
  const gateway::ApiKind api = route.api;
  gateway::LimiterStore& limiter = *loop.limiter;
  state->metrics().CountEndpoint(route.name);
  Caller caller = IdentifyCaller(request, peer, state->config());
  std::string endpoint(PathOf(request));
  if (!upstream) {
    // Check-only: answer before the policy, which would charge the limits.
    bool keep = co_await Refuse(stream, request, api, CheckOnly());
    co_return keep;
  }
  Judged judged =
      co_await Judge(*state, limiter, caller, route, request.body(), true, static_cast<int64_t>(request.body().size()));
  const gateway::Decision& decision = judged.decision;
  if (!decision.allowed) {
    Account(*state, judged, caller, endpoint, decision.status, -1, -1);
    bool keep = co_await Refuse(stream, request, api, decision);
    co_return keep;
  }
  ProxyOptions options{.api = api, .strip_thinking = decision.strip_thinking};
  if (route.endpoint == gateway::Endpoint::kChatCompletions && judged.context.request.stream) {
    // Without the usage chunk a stream's reservation could never settle.
    if (std::optional<std::string> body = gateway::WithStreamUsage(request.body())) {
      request.body() = *std::move(body);
      options.hide_usage_chunk = true;
    }
  }
  PrepareUpstream(caller, &request, &options);
  if (decision.suspect) {
    std::string value(engine::ActionName(decision.action));
    if (!decision.campaign.empty()) value += "; campaign=" + decision.campaign;
    options.upstream_headers.emplace_back(state->config().suspect_header, value);
  }
  options.response_headers = gateway::RateLimitHeaders(api, decision, judged.context.now_ms);
  // Settle and account before the client has the whole response: its next
  // request must see the real usage, not the reservation, and whoever reads
  // /metrics or the event stream after a response sees it counted. Exactly
  // once per request: from on_complete, or after Proxy if it never came.
  bool settled = false;
  auto finish = [&](int status, bool reused_connection, int64_t input, int64_t settle_output, int64_t event_output) {
    settled = true;
    state->metrics().CountUpstreamConnection(reused_connection);
    Settle(*state, limiter, stream.get_executor(), decision, input, settle_output);
    Account(*state, judged, caller, endpoint, status, input, event_output);
  };
  options.on_complete = [&](int status, const gateway::Usage& usage, bool reused_connection) {
    int64_t input = usage.known ? usage.input_tokens : -1, output = usage.known ? usage.output_tokens : -1;
    int64_t settle_output = !usage.known && status >= 400 ? 0 : output;  // an error answer generated nothing
    finish(status, reused_connection, input, settle_output, output);
  };
  ProxyResult result = co_await Proxy(stream, std::move(request), *upstream, options, loop.upstream_pool.get());
  CountProxyResult(result);
  if (!settled) {
    // The response did not complete. Nothing was generated when the upstream
    // never answered; otherwise (a stream cut short, a client that left) the
    // output reservation stands: usage seen so far (message_start says 1
    // output token) must not refund a stream the client walked out of.
    int64_t input = result.usage.known ? result.usage.input_tokens : -1;
    int64_t output = result.upstream_failed && (result.status == 502 || result.status == 504) ? 0 : -1;
    finish(result.status, result.reused_connection, input, output, output);
  }
  co_return result.keep_alive;
}

GatewayServer::GatewayServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Create(const gateway::GatewayConfig& config,
                                                                     Clock now_ms) {
  auto impl = std::make_unique<Impl>();
  absl::StatusOr<std::unique_ptr<GatewayState>> state = GatewayState::Create(config, std::move(now_ms));
  if (!state.ok()) return state.status();
  impl->state = *std::move(state);
  if (!config.upstream_url.empty()) {
    absl::StatusOr<UpstreamTarget> target = ParseUpstream(UpstreamConfig{
        .url = config.upstream_url,
        .connect_timeout_ms = static_cast<int>(config.upstream_connect_timeout_ms),
        .response_timeout_ms = static_cast<int>(std::min<int64_t>(config.upstream_response_timeout_ms, INT32_MAX)),
    });
    if (!target.ok()) return target.status();
    impl->upstream = *std::move(target);
  }
  boost::system::error_code error;
  asio::ip::address address = asio::ip::make_address(config.listen_host, error);
  if (error) return absl::InvalidArgumentError(fmt::format("listen: \"{}\" is not an IP address", config.listen_host));
  tcp::endpoint endpoint(address, static_cast<uint16_t>(config.listen_port));
  for (int index = 0; index < config.threads; ++index) {
    auto loop = std::make_unique<Impl::Loop>();
    loop->acceptor.open(endpoint.protocol(), error);
    if (!error) loop->acceptor.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) loop->acceptor.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), error);
    if (!error) loop->acceptor.bind(endpoint, error);
    if (!error) loop->acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      return absl::UnavailableError(
          fmt::format("listen on {}:{}: {}", config.listen_host, endpoint.port(), error.message()));
    }
    endpoint.port(loop->acceptor.local_endpoint().port());  // port 0: the others share the one picked
    if (config.use_redis) {
      loop->redis_limiter = std::make_unique<redis::AsyncLimiter>(loop->io, impl->state->redis_options());
      impl->state->WatchRedisConnection(&loop->redis_limiter->connection());
      loop->limiter = loop->redis_limiter.get();
    } else {
      loop->limiter = impl->state->memory_limiter();
    }
    if (impl->upstream) {
      loop->upstream_pool =
          std::make_unique<UpstreamPool>(UpstreamPoolOptions{.max_idle = static_cast<size_t>(config.upstream_max_idle),
                                                             .idle_timeout_ms = config.upstream_idle_timeout_ms});
    }
    impl->loops.push_back(std::move(loop));
  }
  return std::unique_ptr<GatewayServer>(new GatewayServer(std::move(impl)));
}

GatewayServer::~GatewayServer() { Stop(); }

void GatewayServer::Start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->started) return;
  impl_->started = true;
  for (const std::unique_ptr<Impl::Loop>& loop : impl_->loops) {
    asio::co_spawn(loop->io, impl_->Listen(*loop), asio::detached);
    impl_->threads.emplace_back([this, io = &loop->io] {
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& error) {
          Log(LogLevel::kError, "uncaught exception in a connection", {{"error", error.what()}});
        }
      }
    });
  }
}

void GatewayServer::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
    for (const std::unique_ptr<Impl::Loop>& loop : impl_->loops) loop->io.stop();
    threads.swap(impl_->threads);
  }
  for (std::thread& thread : threads) thread.join();
  // No loop runs any more: closing here cannot race a handler, and nothing
  // is left listening (a client now gets "connection refused" at once).
  for (const std::unique_ptr<Impl::Loop>& loop : impl_->loops) {
    boost::system::error_code ignored;
    loop->acceptor.close(ignored);
  }
  impl_->stopped_cv.notify_all();
}

void GatewayServer::Wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->stopped_cv.wait(lock, [this] { return impl_->stopped; });
}

uint16_t GatewayServer::port() const {
  boost::system::error_code error;
  return impl_->loops.front()->acceptor.local_endpoint(error).port();
}

GatewayState& GatewayServer::state() { return *impl_->state; }

}  // namespace hydraguard::server
