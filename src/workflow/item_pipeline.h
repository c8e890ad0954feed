// ItemPipeline: the threads that do the per-item work of a map run.
//
//   Submit(batch) ─▶ fetch queue ─▶ fetchers ×K ─▶ bounded byte queue ─▶ workers ×N
//                                                                         │ outcome into its
//                                   NextEvent ◀── batch finished ◀────────┘ slot of the batch
//
// Fetchers read objects (I/O); workers run the processor (each owns its ProcessorWorker). Each
// item's outcome is written into its slot of the batch's BatchSlots by the thread that finishes
// it; the scheduler hears once per finished batch, not once per item, and reads live counts
// from counters(). A transient failure comes back as a retry event instead (the scheduler
// resubmits the item after its backoff). Fetchers take a share of any backlog at once, and hand
// small objects that come fast to the workers in groups, so a hand-off costs a wake-up per
// several items, not per item.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "objectstore/object_store.h"
#include "workflow/records.h"
#include "util/blocking_queue.h"
#include "util/clock.h"
#include "workflow/processor.h"
#include "util/retry.h"

namespace imagemill {

// One in-flight batch's outcomes. Slot i is written only by the thread that finishes item i, which
// then sets filled[i] (release); the scheduler reads a slot only once it sees it filled (acquire),
// and takes its outcome to commit it early or with the batch. `remaining` counts items without an
// outcome. Shared by the scheduler and the pipeline.
struct BatchSlots {
  BatchSlots(int64_t seq, int attempt, size_t n)
      : seq(seq), attempt(attempt), outcomes(n), filled(new std::atomic<bool>[n]), remaining(n) {
    for (size_t i = 0; i < n; ++i) filled[i].store(false, std::memory_order_relaxed);
  }
  const int64_t seq;
  const int attempt;  // the claim's fencing token
  std::vector<ItemOutcome> outcomes;
  std::unique_ptr<std::atomic<bool>[]> filled;
  std::atomic<size_t> remaining;
};

struct WorkItem {
  std::shared_ptr<BatchSlots> batch;
  size_t index = 0;  // the item's slot in its batch
  ObjectInfo item;
  int tries = 0;  // tries so far
  int64_t first_start_ms = 0;
};

struct PipelineEvent {
  enum class Kind {
    kBatchDone,  // every item of `batch` has its outcome
    kFailure,    // an item failed (a nudge: check the tolerance now)
    kRetry,      // `work` failed transiently: submit it again after `retry_after`
    kWake,       // from outside the pipeline (Wake): something the scheduler waits for changed
    kGivenBack,  // `work` was not started: the pipeline is stopping (TakeQueued)
  };
  Kind kind = Kind::kBatchDone;
  std::shared_ptr<BatchSlots> batch;
  WorkItem work;
  Clock::Duration retry_after{};
};

// Outcomes so far, by status; read from any thread.
struct PipelineCounters {
  std::atomic<int64_t> succeeded{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> skipped{0};
};

struct PipelineOptions {
  int fetchers = 4;
  int workers = 2;
  // Fetched objects waiting for a worker, at most; small objects that come fast travel in
  // groups (up to 256 KiB together), and a group counts as one.
  size_t prefetch = 8;
  uint64_t max_object_bytes = 50u << 20;  // larger objects fail as TooLarge without a fetch
};

class ItemPipeline {
 public:
  // `source`, `processor`, `retry` and `clock` must outlive the pipeline.
  ItemPipeline(ObjectStore& source, const Processor& processor, const RetryPolicy& retry,
               Clock& clock, PipelineOptions options);
  ~ItemPipeline();

  // Creates the workers' processor state (which may fail, e.g. a model that does not load) and
  // starts the threads.
  Status Start();
  void Submit(std::vector<WorkItem> work);
  // The next event, waiting at most `timeout`.
  std::optional<PipelineEvent> NextEvent(Clock::Duration timeout);
  // Queues a kWake event, so that a NextEvent waiting now returns.
  void Wake();
  // Takes back work no fetcher has picked up (for a run that stops early). From then on, fetchers
  // give back the items of their share they have not started, each as a kGivenBack event.
  std::vector<WorkItem> TakeQueued();
  // Stops all threads after the work they hold; queued work is dropped.
  void Stop();

  const PipelineCounters& counters() const { return counters_; }

 private:
  struct Fetched {
    WorkItem work;
    std::string bytes;
  };
  void FetchLoop();
  void WorkLoop(ProcessorWorker& worker);
  // Records `outcome` in its slot; announces the batch when it was the last.
  void Finish(WorkItem& work, ItemOutcome outcome);
  void Fail(WorkItem work, const Status& failure);

  ObjectStore& source_;
  const Processor& processor_;
  const RetryPolicy& retry_;
  Clock& clock_;
  const PipelineOptions options_;

  BlockingQueue<WorkItem> to_fetch_;
  // Groups of fetched objects: one object, or several small ones that came fast (FetchLoop).
  BlockingQueue<std::vector<Fetched>> to_process_;
  BlockingQueue<PipelineEvent> events_;
  PipelineCounters counters_;
  std::vector<std::unique_ptr<ProcessorWorker>> workers_;
  std::vector<std::thread> fetch_threads_;
  std::vector<std::thread> work_threads_;
  bool stopped_ = false;
  std::atomic<bool> giving_back_{false};
};

}  // namespace imagemill
