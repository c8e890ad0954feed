// Progress: how a map run tells the outside world how far it is. The engine never prints; the
// command line renders a progress bar or plain lines from these snapshots.
#pragma once

#include <string>

#include "workflow/records.h"

namespace imagemill {

struct ProgressSnapshot {
  std::string execution;
  ItemCounts counts;          // as the scheduler knows them now
  bool listing_done = false;  // counts.total is final
  double elapsed_seconds = 0;
  double items_per_second = 0;  // recent rate of finished items (succeeded + failed + skipped)
  double eta_seconds = -1;      // -1 while unknown
};

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // Called from the scheduler thread a few times a second; must return quickly.
  virtual void Update(const ProgressSnapshot& s) = 0;
  // Called once, after the last Update.
  virtual void Finish(const ProgressSnapshot& s) = 0;
  // Something the user should know that is not a count ("resuming ...", "no objects under ...");
  // one line, no trailing newline. Any thread.
  virtual void Note(std::string_view message) { (void)message; }
};

}  // namespace imagemill
