// How a run's progress looks: a one-line bar redrawn in place on a terminal, plain lines every
// few seconds otherwise (logs, CI). Both write to stderr so stdout stays for results (--json).
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>

#include "workflow/progress.h"

namespace imagemill::cli {

// A sink for stderr: the bar if stderr is a terminal, plain lines if not, nothing if quiet.
std::unique_ptr<ProgressSink> MakeProgressSink(bool quiet);

// "1h02m", "3m05s", "12s".
std::string FormatDuration(double seconds);

}  // namespace imagemill::cli
