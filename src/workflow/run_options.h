// RunOptions: how the engine runs a map run — threads, limits, retries, leases, where progress
// goes. None of it changes what an execution is, so a resumed run may change any of it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

#include "objectstore/object_store.h"
#include "util/clock.h"
#include "workflow/item_pipeline.h"
#include "workflow/progress.h"
#include "workflow/state_machine_arns.h"
#include "util/retry.h"

namespace imagemill {

struct RunOptions {
  // Batches in flight at once. 0: enough to keep every thread busy twice over, raised while items
  // finish fast so the work in hand lasts kWorkInHand (see InFlightBatches).
  int max_concurrency = 0;
  PipelineOptions pipeline;
  RetryPolicy retry;
  Clock* clock = nullptr;               // null: the real clock
  ProgressSink* progress = nullptr;     // may be null
  // When it turns true the run stops claiming, lets the items in hand finish, commits what
  // finished and gives the rest back: the execution is ABORTED and resumable.
  const std::atomic<bool>* interrupt = nullptr;
  std::chrono::milliseconds lease{60000};
  // A batch's finished items are committed at least this often while the batch runs, so a crash
  // loses at most this much work whatever the batch size.
  std::chrono::milliseconds commit_every{2000};
  // How often the run reads its execution's status, to notice a stop asked by another process.
  std::chrono::milliseconds status_every{1000};
  // False (run --no-work): this process claims no batch; it lists the source, recovers the
  // batches of dead processes, reports the fleet's progress from the database's counts and
  // finishes the execution when the processes working on it (imagemill worker) have run it all.
  bool work = true;
  // True (imagemill worker): this process is one of several running the execution. Interrupted,
  // or cut off from the database, it hands back what it holds and leaves the execution RUNNING for
  // the others; it finishes the execution only when it sees its map run end. Its progress is the
  // fleet's, from the database's counts.
  bool shared = false;
  // Where the ResultWriter writes, when the spec names a destination; must outlive the run.
  ObjectStore* result_store = nullptr;
  std::string result_prefix;
  // The ARNs the result files name (the manifest's MapRunArn, each child's): a server's own, so
  // that they are those its Step Functions API shows.
  StateMachineArns arns;
};

// The default number of batches in flight when items finish at `items_per_second`: enough for
// kWorkInHand of work, never fewer than `floor` nor (above the floor) more than
// kMaxAdaptiveInFlight. Fast items (thousands a second) need many batches in hand, because the
// scheduler cannot claim more while the writer thread holds the database for a commit; slow items
// (images) keep the floor, so that processes sharing an execution also share its last batches.
inline constexpr std::chrono::duration<double> kWorkInHand{0.1};
inline constexpr int kMaxAdaptiveInFlight = 256;
int InFlightBatches(int floor, double items_per_second, size_t items_per_batch);

}  // namespace imagemill
