// Ctrl-C and SIGTERM while an execution runs: the first asks the run to stop (it lets the images
// in hand finish, commits what finished and gives the rest back, resumable), and says so; the
// second leaves at once, saying so.
#pragma once

#include <atomic>

namespace imagemill::cli {

class InterruptScope {
 public:
  // Installs the handlers; the destructor puts the defaults back. One scope at a time.
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  // Turns true at the first signal.
  const std::atomic<bool>* flag() const;
};

}  // namespace imagemill::cli
