// How the commands that run an execution (run, resume, redrive) report it, and the exit code.
#pragma once

#include <string>

#include "service/execution_service.h"
#include "util/status.h"

namespace imagemill::cli {

// Prints `report` on stdout (the summary, or with `json` one JSON document) and returns the exit
// code: 0 the execution succeeded, 1 it failed or stopped (resumable).
int PrintRunReport(const service::RunReport& report, bool json);

// The stderr message for a run that could not start (the options, the source, the destination,
// the processor: nothing ran), and its exit code, 2.
int PrintRunError(const std::string& command, const Status& status);

}  // namespace imagemill::cli
