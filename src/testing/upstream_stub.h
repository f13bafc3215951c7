// A stand-in for the LLM APIs the gateway fronts, for hermetic tests of the
// proxy: a Beast HTTP/1.1 server on 127.0.0.1 (a port the kernel picks),
// running on its own thread, that answers
//   POST /v1/messages          like Anthropic's Messages API
//   POST /v1/chat/completions  like OpenAI's Chat Completions API
// with a reasoning part and an answer part, whole or, when the request's JSON
// body has "stream": true, as server-sent events shaped like the real ones.
// and, with fixed answers (usage where the API reports it), POST
// /v1/responses (whole or streamed), /v1/embeddings,
// /v1/messages/count_tokens, /v1/messages/batches, and GET /v1/models[/..]
// and /v1/messages/batches/... Any other target gets 404.
//
//   UpstreamStub stub({.output_tokens = 7, .hold = UpstreamStub::Hold::kAfterFirstEvent});
//   ... point the proxy at stub.url() and send a streamed request ...
//   ASSERT_TRUE(stub.WaitUntilHolding(1, std::chrono::seconds(10)));  // first event sent, rest held
//   stub.Release();
//   EXPECT_EQ(stub.requests()[0].Header("x-api-key"), "k1");
//
// Thread-safety: every public method may be called from any thread while
// the server runs. The static body builders are pure.
#ifndef HYDRAGUARD_TESTING_UPSTREAM_STUB_H_
#define HYDRAGUARD_TESTING_UPSTREAM_STUB_H_

// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without it
// clang-format on

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hydraguard::testing {

// One request as the stub received it.
struct StubRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // in order received
  std::string body;

  // The first header named `name` (case-insensitive), or "" if none.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

enum class StubHold {
  kNone,
  kAfterFirstEvent,  // a stream stops after its first event until Release()
  kBeforeResponse,   // nothing is sent until Release() (streamed or not)
};

// How an UpstreamStub answers.
struct UpstreamStubOptions {
  int status = 200;  // other than 200: an error body in the API's shape
  int64_t input_tokens = 25;
  int64_t output_tokens = 42;
  bool with_thinking = true;  // a thinking block / reasoning_content
  std::string thinking = "Let me think about this step by step.";
  std::string text = "Hello from the stub.";
  int thinking_deltas = 2;  // streamed: the thinking is split into this many deltas
  int text_deltas = 2;      // and the text into this many
  int event_delay_ms = 0;   // streamed: pause before each event after the first
  StubHold hold = StubHold::kNone;
  bool chunked = true;  // streamed: chunked; false: HTTP/1.0 style, the body ends at close
  // Inserted into every response (after the stub's own headers).
  std::vector<std::pair<std::string, std::string>> response_headers;
  // OpenAI streams: the usage chunk only when the request asks for it
  // ("include_usage":true), as the real API; false: always.
  bool openai_usage_only_when_asked = false;
  // false: requests() stays empty (benchmarks: memory stays flat under load).
  bool record_requests = true;
};

class UpstreamStub {
 public:
  using Hold = StubHold;
  using Options = UpstreamStubOptions;

  // Listens on 127.0.0.1:`port` (0: a free port the kernel picks).
  explicit UpstreamStub(Options options = {}, uint16_t port = 0);
  ~UpstreamStub();  // Stop()
  UpstreamStub(const UpstreamStub&) = delete;
  UpstreamStub& operator=(const UpstreamStub&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT"

  // Applies to requests received from now on.
  void SetOptions(Options options);
  Options options() const;

  // Lets every held response go on; later ones are not held either.
  void Release();
  // Whether `count` responses are held (their first event written) before
  // `timeout`.
  bool WaitUntilHolding(int count, std::chrono::milliseconds timeout) const;
  // Held responses whose client (the proxy) closed the connection meanwhile.
  bool WaitForPeerDisconnects(int count, std::chrono::milliseconds timeout) const;

  // Connections accepted so far (the proxy's kept-alive ones count once).
  int connections() const { return connections_.load(); }

  std::vector<StubRequest> requests() const;
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout) const;

  // Closes the listener and every connection; idempotent.
  void Stop();

  // The stub's response bodies, exactly as sent (events with their "\n\n").
  static std::string AnthropicBody(const Options& options);
  static std::vector<std::string> AnthropicEvents(const Options& options);
  static std::string OpenAiBody(const Options& options);
  static std::vector<std::string> OpenAiEvents(const Options& options);
  // The error body for a status: {"type":"error",...} / {"error":{...}}.
  static std::string ErrorBodyFor(bool anthropic, int status);

 private:
  boost::asio::awaitable<void> Accept();
  boost::asio::awaitable<void> Serve(boost::asio::ip::tcp::socket socket);
  // Waits while held; false if the stub stops or the peer leaves meanwhile.
  boost::asio::awaitable<bool> WaitWhileHeld(boost::asio::ip::tcp::socket& socket);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> released_{false};
  std::atomic<int> holding_{0};
  std::atomic<int> peer_disconnects_{0};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  Options options_;                    // guarded by mutex_
  std::vector<StubRequest> requests_;  // guarded by mutex_
  uint64_t request_count_ = 0;         // guarded by mutex_; recorded or not
};

}  // namespace hydraguard::testing

#endif  // HYDRAGUARD_TESTING_UPSTREAM_STUB_H_
