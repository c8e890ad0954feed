// imagemill: label every image in a bucket, in parallel, and record the results in a table.
#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"imagemill: label every image in a bucket and record the results in a table"};
  app.set_version_flag("--version", std::string("imagemill ") + IMAGEMILL_VERSION);
  app.require_subcommand(0);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  std::cout << app.help();
  return 0;
}
