// hydraguard serve: the gateway (src/server). Runs until SIGINT or SIGTERM.
// Prints one line with the bound address when ready (port 0 in the config
// picks a free port; tests and scripts read it from this line).
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "gateway/config.h"
#include "server/gateway_server.h"

namespace hydraguard::cli {
namespace {

struct ServeArgs {
  std::string config;
  bool print_config = false;
  bool check_config = false;
};

int RunServe(const ServeArgs& args) {
  if (args.print_config) {
    std::fputs(std::string(gateway::ExampleGatewayConfig()).c_str(), stdout);
    return kExitOk;
  }
  if (args.config.empty()) {
    std::fprintf(stderr, "hydraguard serve: --config is required (--print-config shows an example)\n");
    return kExitStrictStop;
  }
  absl::StatusOr<gateway::GatewayConfig> config = gateway::LoadGatewayConfig(args.config);
  if (!config.ok()) {
    std::fprintf(stderr, "hydraguard serve: %s\n", std::string(config.status().message()).c_str());
    return kExitStrictStop;
  }
  // Block the stop signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::StatusOr<std::unique_ptr<server::GatewayServer>> gateway = server::GatewayServer::Create(*config);
  if (!gateway.ok()) {
    std::fprintf(stderr, "hydraguard serve: %s\n", std::string(gateway.status().message()).c_str());
    return kExitIoError;
  }
  if (args.check_config) {
    std::printf("hydraguard serve: %s is valid\n", args.config.c_str());
    return kExitOk;
  }
  (*gateway)->Start();
  std::printf("hydraguard serve: listening on %s:%u (%s state, %s)\n", config->listen_host.c_str(), (*gateway)->port(),
              config->use_redis ? "redis" : "memory",
              config->upstream_url.empty() ? "check-only" : ("upstream " + config->upstream_url).c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  std::printf("hydraguard serve: signal %d, stopping\n", received);
  (*gateway)->Stop();
  return kExitOk;
}

}  // namespace

void RegisterServeCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* command = app.add_subcommand(
      "serve", "Run the gateway: proxy or authorization check enforcing tiers, shared limits and verdicts");
  command->add_option("--config", args->config, "Gateway YAML (docs/gateway.md)");
  command->add_flag("--print-config", args->print_config, "Print a commented example config and exit");
  command->add_flag("--check-config", args->check_config, "Load the config, keys and verdicts, then exit");
  command->callback([args, exit_code] { *exit_code = RunServe(*args); });
}

}  // namespace hydraguard::cli
