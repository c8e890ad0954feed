// Child processes for tests: peers the tests start (servers) and tools they run (awscli,
// python3). POSIX only.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace imagemill::testing {

// A running child in its own process group. Killed (SIGTERM, then SIGKILL) with its group when
// this object is destroyed; also sent SIGTERM if the test process dies first.
class ChildProcess {
 public:
  // Starts argv[0] (searched on PATH) with the current environment changed by `env`
  // ("NAME=value" sets, "NAME" alone unsets),
  // stdout and stderr appended to `log_path` (or discarded when empty).
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::string& log_path = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True while the child has not exited.
  bool Running();
  void Stop();

 private:
  pid_t pid_ = -1;
};

struct CommandResult {
  int exit_code = -1;  // -1 when it could not be started or was killed by a signal
  std::string output;  // stdout, then (when capture_stderr) stderr mixed in
};

// Runs a command to completion, its environment changed by `env` as for ChildProcess.
// `stdin_data` is written to its standard input.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {},
                         const std::string& stdin_data = "", bool capture_stderr = true);

// The directory of the project's sources and the download cache (IMAGEMILL_CACHE, else
// <source>/.cache), as the build and ctest give them.
std::string SourceDir();

}  // namespace imagemill::testing
