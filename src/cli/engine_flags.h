// Flags shared by the commands that run an execution (run, resume, redrive): the database, how the
// engine runs (threads, retries, limits, the object store) and how the run reports. They do not
// change what an execution is, so a resumed run may change them.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "service/engine_options.h"

namespace imagemill::cli {

struct EngineFlags {
  std::string db;
  service::EngineOptions engine;
  bool json = false;
  bool quiet = false;

  void Add(CLI::App& cmd);
};

}  // namespace imagemill::cli
