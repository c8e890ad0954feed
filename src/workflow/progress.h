// Progress: how a map run tells the outside world how far it is. The engine never prints; the
// command line renders a progress bar or plain lines from these snapshots.
#pragma once

#include <string>

#include "db/state_store.h"

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
};

}  // namespace imagemill
