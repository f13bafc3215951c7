// The hydraguard subcommands. Each Register* function adds one subcommand to
// `app`; when the user picks it, its callback runs and stores the process
// exit status in *exit_code. Adding a command means one file and one line in
// hydraguard_main.cc.
//
// Exit status convention for every command:
//   0  success (bad lines, if any, were reported and skipped)
//   1  an input file could not be read, or an output could not be written
//   2  --strict and the input had a bad line (or unreadable file)
#ifndef HYDRAGUARD_CLI_COMMANDS_H_
#define HYDRAGUARD_CLI_COMMANDS_H_

#include "CLI/CLI.hpp"

namespace hydraguard::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitIoError = 1;
inline constexpr int kExitStrictStop = 2;

void RegisterStatsCommand(CLI::App& app, int* exit_code);
void RegisterGenSampleCommand(CLI::App& app, int* exit_code);
void RegisterSimulateCommand(CLI::App& app, int* exit_code);
void RegisterEvalCommand(CLI::App& app, int* exit_code);
void RegisterDetectCommand(CLI::App& app, int* exit_code);
void RegisterReplayCommand(CLI::App& app, int* exit_code);
void RegisterServeCommand(CLI::App& app, int* exit_code);
void RegisterQualityCommand(CLI::App& app, int* exit_code);
void RegisterTrainTextModelCommand(CLI::App& app, int* exit_code);

}  // namespace hydraguard::cli

#endif  // HYDRAGUARD_CLI_COMMANDS_H_
