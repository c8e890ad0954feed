// imagemill: label every image in a bucket, in parallel, and record the results in a table.
#include <iostream>

#include <spdlog/spdlog.h>

#include "db/sqlite.h"

#include "cli/command.h"

int main(int argc, char** argv) {
  using namespace imagemill::cli;  // NOLINT: the command list reads better unqualified
  CLI::App app{"imagemill: label every image in a bucket and record the results in a table"};
  app.set_version_flag("--version", std::string("imagemill ") + IMAGEMILL_VERSION);
  app.require_subcommand(1);
  CommandContext ctx;
  RegisterRunCommand(app, ctx);
  RegisterRedriveCommand(app, ctx);
  RegisterExecutionsCommand(app, ctx);
  RegisterResultsCommands(app, ctx);
  RegisterModelCommand(app, ctx);
  RegisterDetectLabelsCommand(app, ctx);
  spdlog::set_pattern("imagemill: %l: %v");
  if (const char* level = std::getenv("IMAGEMILL_LOG")) {
    spdlog::set_level(spdlog::level::from_str(level));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const imagemill::sqlite::DatabaseError& e) {
    std::cerr << "imagemill: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "imagemill: the run stopped: " << e.what() << "\n";
    return kExitRunFailed;
  }
  return ctx.exit_code;
}
