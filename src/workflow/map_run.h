// MapRun: the map-run engine — one execution of the seed's Distributed Map on this machine.
//
// Run() starts or resumes an execution: it lists the source into batches (ItemReader, its own
// thread), claims batches under a lease, feeds their items through the ItemPipeline (fetchers and
// workers), collects each item's outcome, writes finished batches in batched transactions (a
// writer thread), checks the failure tolerance after every outcome, renews leases and reports
// progress. The scheduling itself is single-threaded: only Run's thread touches batch state.
//
// Crash safety: every durable step is one transaction (listing step; batch completion). Killed at
// any moment, the same Run on the same execution resumes: orphaned batches go back to PENDING,
// DONE batches are never run again, results are upserted by id.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "objectstore/object_store.h"
#include "db/state_store.h"
#include "util/clock.h"
#include "workflow/execution_spec.h"
#include "workflow/item_pipeline.h"
#include "workflow/processor.h"
#include "workflow/progress.h"
#include "workflow/retry_policy.h"

namespace imagemill {

struct RunOptions {
  // Batches in flight at once. 0: enough to keep every thread busy twice over, raised while items
  // finish fast so the work in hand lasts kWorkInHand (see InFlightBatches).
  int max_concurrency = 0;
  PipelineOptions pipeline;
  RetryPolicy retry;
  Clock* clock = nullptr;               // null: the real clock
  ProgressSink* progress = nullptr;     // may be null
  const std::atomic<bool>* interrupt = nullptr;  // when it turns true the run stops, ABORTED
  std::chrono::milliseconds lease{60000};
  // Where the ResultWriter writes, when the spec names a destination; must outlive the run.
  ObjectStore* result_store = nullptr;
  std::string result_prefix;
};

struct RunSummary {
  ExecutionRecord execution;  // as it stands after the run
  ItemCounts counts;
  double duration_seconds = 0;
  double items_per_second = 0;  // items finished by this run, per second
  bool already_finished = false;  // the execution had finished before: nothing was run
  bool resumed = false;           // the execution existed and was continued
  nlohmann::json ToJson() const;
};

// The default number of batches in flight when items finish at `items_per_second`: enough for
// kWorkInHand of work, never fewer than `floor` nor (above the floor) more than
// kMaxAdaptiveInFlight. Fast items (thousands a second) need many batches in hand, because the
// scheduler cannot claim more while the writer thread holds the database for a commit; slow items
// (images) keep the floor, so that processes sharing an execution also share its last batches.
inline constexpr std::chrono::duration<double> kWorkInHand{0.1};
inline constexpr int kMaxAdaptiveInFlight = 256;
int InFlightBatches(int floor, double items_per_second, size_t items_per_batch);

class MapRun {
 public:
  // All references must outlive the MapRun.
  MapRun(ObjectStore& source, StateStore& state, ResultsTable& results, const Processor& processor,
         RunOptions options);

  // Starts the execution `name` for `spec`, or resumes it if it exists unfinished, or returns its
  // stored result if it has finished. InvalidArgument if `name` exists with a different spec.
  // Throws (e.g. sqlite::DatabaseError) only for what aborts the whole run.
  Result<RunSummary> Run(const ExecutionSpec& spec, const std::string& name);

 private:
  class Scheduler;

  ObjectStore& source_;
  StateStore& state_;
  ResultsTable& results_;
  const Processor& processor_;
  RunOptions options_;
};

}  // namespace imagemill
