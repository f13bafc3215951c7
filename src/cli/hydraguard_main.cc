// hydraguard: find and stop distillation campaigns against LLM APIs.
#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"hydraguard: find and stop distillation campaigns against LLM APIs"};
  app.require_subcommand(1);
  int exit_code = hydraguard::cli::kExitOk;
  hydraguard::cli::RegisterStatsCommand(app, &exit_code);
  hydraguard::cli::RegisterGenSampleCommand(app, &exit_code);
  hydraguard::cli::RegisterSimulateCommand(app, &exit_code);
  hydraguard::cli::RegisterDetectCommand(app, &exit_code);
  hydraguard::cli::RegisterEvalCommand(app, &exit_code);
  hydraguard::cli::RegisterReplayCommand(app, &exit_code);
  hydraguard::cli::RegisterServeCommand(app, &exit_code);
  hydraguard::cli::RegisterQualityCommand(app, &exit_code);
  hydraguard::cli::RegisterTrainTextModelCommand(app, &exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
