// imagemill: label every image in a bucket, in parallel, and record the results in a table.
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "cli/suggest.h"
#include "db/database_error.h"

int main(int argc, char** argv) {
  using namespace imagemill::cli;  // NOLINT: the command list reads better unqualified
  CLI::App app{"imagemill: label every image in a bucket and record the results in a table"};
  app.set_version_flag("--version", std::string("imagemill ") + IMAGEMILL_VERSION);
  app.require_subcommand(1);
  CommandContext ctx;
  RegisterRunCommand(app, ctx);
  RegisterResumeCommand(app, ctx);
  RegisterWorkerCommand(app, ctx);
  RegisterRedriveCommand(app, ctx);
  RegisterExecutionsCommand(app, ctx);
  RegisterResultsCommands(app, ctx);
  RegisterModelCommand(app, ctx);
  RegisterDetectLabelsCommand(app, ctx);
  RegisterDetectFacesCommand(app, ctx);
  RegisterDetectTextCommand(app, ctx);
  RegisterServeCommand(app, ctx);
  // Logs go to stderr: stdout carries only what a command was asked for (JSON, tables).
  spdlog::set_default_logger(spdlog::stderr_color_mt("imagemill"));
  spdlog::set_pattern("imagemill: %l: %v");
  if (const char* level = std::getenv("IMAGEMILL_LOG")) {
    spdlog::set_level(spdlog::level::from_str(level));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    if (code != 0) {
      if (std::string hint = SuggestFor(app, argc, argv); !hint.empty()) {
        std::cerr << hint << "\n";
      }
    }
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const imagemill::DatabaseError& e) {
    std::cerr << "imagemill: the database failed: " << e.what() << "\n";
    return kExitRunFailed;
  } catch (const std::exception& e) {
    std::cerr << "imagemill: the run stopped: " << e.what() << "\n";
    return kExitRunFailed;
  }
  return ctx.exit_code;
}
