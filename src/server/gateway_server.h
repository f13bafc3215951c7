// GatewayServer: `hydraguard serve`. A multi-threaded Boost.Beast HTTP/1.1
// server (C++20 coroutines; one event loop per thread, each accepting on the
// same port with SO_REUSEPORT) with these routes:
//
//   POST /v1/messages, /v1/chat/completions   decide, then proxy to the upstream (SSE passed
//                                             through as it arrives); refusals shaped like the API's
//   GET|POST /check                           nginx auth_request: 204 allow, 401/403 deny, the real
//                                             status in x-hydraguard-status
//   POST /check.json                          the same decision as JSON, for other callers
//   GET /metrics                              Prometheus text format
//   GET /healthz                              liveness
//   /admin/...                                verdicts (bearer token), see admin.cc
//
//   absl::StatusOr<std::unique_ptr<GatewayServer>> server = GatewayServer::Create(config);
//   (*server)->Start();              // config.threads threads
//   uint16_t port = (*server)->port();
//   ...
//   (*server)->Stop();
//
// Thread-safety: Start, Stop and the accessors may be called from any thread.
#ifndef HYDRAGUARD_SERVER_GATEWAY_SERVER_H_
#define HYDRAGUARD_SERVER_GATEWAY_SERVER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "gateway/config.h"
#include "server/gateway_state.h"

namespace hydraguard::server {

class GatewayServer {
 public:
  // Loads keys and verdicts, sets up Redis (if configured) and binds the
  // listening socket (port 0: a free port). `now_ms` is the clock of every
  // decision (tests inject one); null means the system clock.
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Create(const gateway::GatewayConfig& config,
                                                               Clock now_ms = nullptr);
  ~GatewayServer();  // Stop()

  void Start();
  // Stops accepting, closes connections and joins the threads. Idempotent.
  void Stop();
  // Blocks until Stop() is called (e.g. from a signal handler thread).
  void Wait();

  uint16_t port() const;
  GatewayState& state();

 private:
  struct Impl;
  explicit GatewayServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_GATEWAY_SERVER_H_
