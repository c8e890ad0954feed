#include "cli/interrupt.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace imagemill::cli {
namespace {

std::atomic<bool> g_interrupted{false};

void Say(const char* text) {
  // write(2): the one way to print that is safe inside a signal handler.
  ssize_t unused = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)unused;
}

extern "C" void OnSignal(int) {
  if (g_interrupted.exchange(true)) {
    Say("\nimagemill: stopped at once; what was committed stays, the rest runs again on resume\n");
    std::_Exit(130);
  }
  Say("\nimagemill: stopping: finishing the images in hand and saving what finished "
      "(press Ctrl-C again to quit at once)\n");
}

}  // namespace

InterruptScope::InterruptScope() {
  g_interrupted = false;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

InterruptScope::~InterruptScope() {
  // Once interrupted, a second Ctrl-C while the command reports still quits at once with 130 and
  // says so; otherwise Ctrl-C is the default again.
  if (g_interrupted.load()) return;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

const std::atomic<bool>* InterruptScope::flag() const { return &g_interrupted; }

}  // namespace imagemill::cli
