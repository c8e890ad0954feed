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
#include "db/state_store.h"
#include "util/blocking_queue.h"
#include "util/clock.h"
#include "workflow/processor.h"
#include "workflow/retry_policy.h"

namespace imagemill {

// One in-flight batch's outcomes. Slot i is written only by the thread that finishes item i;
// `remaining` counts items without an outcome. Shared by the scheduler and the pipeline.
struct BatchSlots {
  BatchSlots(int64_t seq, size_t n) : seq(seq), outcomes(n), remaining(n) {}
  const int64_t seq;
  std::vector<ItemOutcome> outcomes;
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
  // Takes back work not yet picked up by a fetcher (for a run that stops early).
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
};

// The label index entries of a DetectLabels answer: each label and each of its parents, with the
// label's confidence.
std::vector<LabelEntry> LabelIndexEntries(const nlohmann::json& response);

}  // namespace imagemill
