// ItemPipeline: the threads that do the per-item work of a map run.
//
//   Submit(work) ─▶ fetch queue ─▶ fetchers ×K ─▶ bounded byte queue ─▶ workers ×N ─▶ outcomes
//
// Fetchers read objects (I/O); workers run the processor (each owns its ProcessorWorker). Every
// submitted item comes back exactly once from NextEvent: done (an outcome), or to be retried after
// a delay (a transient error). The pipeline holds no batch state; the scheduler does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "storage/object_store.h"
#include "store/state_store.h"
#include "util/blocking_queue.h"
#include "util/clock.h"
#include "workflow/processor.h"
#include "workflow/retry_policy.h"

namespace imagemill {

struct WorkItem {
  int64_t batch = 0;  // the batch's seq
  size_t index = 0;   // the item's index in its batch
  ObjectInfo item;
  int tries = 0;         // tries so far
  int64_t first_start_ms = 0;
};

struct PipelineEvent {
  WorkItem work;
  // Set when the item is finished; unset when it should be retried after `retry_after`.
  std::optional<ItemOutcome> outcome;
  Clock::Duration retry_after{};
};

struct PipelineOptions {
  int fetchers = 4;
  int workers = 2;
  size_t prefetch = 8;                    // fetched objects waiting for a worker, at most
  uint64_t max_object_bytes = 50u << 20;  // larger objects fail as TooLarge without a fetch
};

class ItemPipeline {
 public:
  // `source`, `processor`, `retry` and `clock` must outlive the pipeline. Creating the workers'
  // processor state may fail (e.g. a model that does not load): Start reports it.
  ItemPipeline(ObjectStore& source, const Processor& processor, const RetryPolicy& retry,
               Clock& clock, PipelineOptions options);
  ~ItemPipeline();

  Status Start();
  void Submit(WorkItem work);
  // The next event, waiting at most `timeout`.
  std::optional<PipelineEvent> NextEvent(Clock::Duration timeout);
  // Takes back work not yet picked up by a fetcher (for a run that stops early).
  std::vector<WorkItem> TakeQueued();
  // Stops all threads after the work they hold; queued work is dropped.
  void Stop();

 private:
  struct Fetched {
    WorkItem work;
    std::string bytes;
  };
  void FetchLoop();
  void WorkLoop(ProcessorWorker& worker);
  void Emit(WorkItem work, Status failure);

  ObjectStore& source_;
  const Processor& processor_;
  const RetryPolicy& retry_;
  Clock& clock_;
  const PipelineOptions options_;

  BlockingQueue<WorkItem> to_fetch_;
  BlockingQueue<Fetched> to_process_;
  BlockingQueue<PipelineEvent> events_;
  std::vector<std::unique_ptr<ProcessorWorker>> workers_;
  std::vector<std::thread> fetch_threads_;
  std::vector<std::thread> work_threads_;
  bool stopped_ = false;
};

// The label index entries of a DetectLabels answer: each label and each of its parents, with the
// label's confidence.
std::vector<LabelEntry> LabelIndexEntries(const nlohmann::json& response);

}  // namespace imagemill
