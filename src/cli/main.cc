// imagemill: label every image in a bucket, in parallel, and record the results in a table.
#include <iostream>

#include "cli/command.h"

namespace imagemill::cli {
// Each defined in its own file beside this one.
void RegisterModelCommand(CLI::App& app, CommandContext& ctx);
}  // namespace imagemill::cli

int main(int argc, char** argv) {
  using namespace imagemill::cli;  // NOLINT: the command list reads better unqualified
  CLI::App app{"imagemill: label every image in a bucket and record the results in a table"};
  app.set_version_flag("--version", std::string("imagemill ") + IMAGEMILL_VERSION);
  app.require_subcommand(1);
  CommandContext ctx;
  RegisterModelCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return ctx.exit_code;
}
