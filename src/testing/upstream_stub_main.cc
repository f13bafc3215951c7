// hg_upstream_stub: the test upstream (src/testing/upstream_stub.h) as a
// process, for the gateway benchmark (scripts/bench_gateway.sh) and the client
// library test (tests/sdk). Answers
// POST /v1/messages and /v1/chat/completions like the APIs until SIGINT or
// SIGTERM; records nothing (memory stays flat under load).
//
//   hg_upstream_stub [PORT]     PORT 0 or absent: a free port
//
// Prints "hg_upstream_stub: listening on 127.0.0.1:PORT" when ready.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "testing/upstream_stub.h"

int main(int argc, char** argv) {
  int port = 0;
  if (argc > 2 || (argc == 2 && (std::sscanf(argv[1], "%d", &port) != 1 || port < 0 || port > 65535))) {
    std::fprintf(stderr, "usage: %s [PORT]   (0 or absent: a free port)\n", argv[0]);
    return 2;
  }
  // Block the stop signals in every thread (the stub's included); wait here.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  try {
    hydraguard::testing::UpstreamStub stub({.record_requests = false}, static_cast<uint16_t>(port));
    std::printf("hg_upstream_stub: listening on 127.0.0.1:%u\n", stub.port());
    std::fflush(stdout);
    int received = 0;
    sigwait(&signals, &received);
    stub.Stop();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "hg_upstream_stub: %s\n", error.what());
    return 1;
  }
  return 0;
}
