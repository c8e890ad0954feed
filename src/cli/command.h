// The command line: one file per command under src/cli/, each exposing a Register* function that
// adds its subcommand to the app. main.cc lists them.
#pragma once

#include <CLI/CLI.hpp>

namespace imagemill::cli {

// Exit codes, the same for every command.
inline constexpr int kExitOk = 0;          // succeeded (within tolerance)
inline constexpr int kExitRunFailed = 1;   // the run (or the command's work) failed
inline constexpr int kExitUsage = 2;       // usage or configuration error

// Shared by every command: the exit code the command's callback chose.
struct CommandContext {
  int exit_code = kExitOk;
};

// Each adds its subcommand(s) to `app`; defined in the file named after it.
void RegisterRunCommand(CLI::App& app, CommandContext& ctx);
void RegisterRedriveCommand(CLI::App& app, CommandContext& ctx);
void RegisterResumeCommand(CLI::App& app, CommandContext& ctx);
void RegisterExecutionsCommand(CLI::App& app, CommandContext& ctx);
void RegisterResultsCommands(CLI::App& app, CommandContext& ctx);
void RegisterModelCommand(CLI::App& app, CommandContext& ctx);
void RegisterDetectLabelsCommand(CLI::App& app, CommandContext& ctx);
void RegisterWorkerCommand(CLI::App& app, CommandContext& ctx);
void RegisterDetectFacesCommand(CLI::App& app, CommandContext& ctx);
void RegisterDetectTextCommand(CLI::App& app, CommandContext& ctx);
void RegisterServeCommand(CLI::App& app, CommandContext& ctx);

}  // namespace imagemill::cli
