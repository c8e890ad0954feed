// Scheduler: one run of one execution's map run on this process. It lists the source into batches
// (ItemReader, its own thread), claims batches under a lease, feeds their items through the
// ItemPipeline (fetchers and workers), takes each item's outcome from its batch's slots, hands
// finished batches — and, while a batch runs long, its finished items — to the BatchWriter, checks
// the failure tolerance after every failure, renews leases and reports progress. Scheduling is
// single-threaded: only Run's thread touches batch state.
//
// Stopping: when the tolerance is exceeded no batch is claimed any more and the batches in flight
// finish. When interrupted (RunOptions::interrupt, or the execution stopped by another process)
// the work no thread has started is dropped, the items in hand finish, what finished is committed
// and every batch in flight is given back, its finished items kept.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "db/results_table.h"
#include "db/state_store.h"
#include "objectstore/object_store.h"
#include "workflow/batch_writer.h"
#include "workflow/execution_spec.h"
#include "workflow/item_pipeline.h"
#include "workflow/processor.h"
#include "workflow/run_options.h"
#include "workflow/tolerance.h"

namespace imagemill {

class Scheduler {
 public:
  enum class Stop {
    kNone,       // ran to the end
    kTolerance,  // the failure tolerance was exceeded
    kListing,    // the listing failed for good
    kInterrupt,  // RunOptions::interrupt
    kStopped,    // the execution left RUNNING (stopped by another process)
    kDatabase,   // the database failed: the run cannot go on, and stays resumable
  };
  struct Outcome {
    Stop stop = Stop::kNone;
    std::string cause;  // kListing, kDatabase: what failed
    ProgressSnapshot last;
    int64_t refused = 0;  // parts refused because another claim held their batch
  };

  // All references must outlive the scheduler.
  Scheduler(ObjectStore& source, StateStore& state, ResultsTable& results,
            const Processor& processor, const RunOptions& options, const ExecutionSpec& spec,
            ExecutionRecord exec);
  ~Scheduler();

  // Runs until the map run has nothing left for this process, or it stops. Throws only when the
  // processor cannot start (no item could be processed).
  Outcome Run();

 private:
  struct DueRetry {
    std::chrono::steady_clock::time_point due;
    WorkItem work;
    bool operator>(const DueRetry& o) const { return due > o.due; }
  };
  // A claimed batch: its slots, which of them were handed to the writer already, and how many of
  // its items a stopping run took back before any thread started them.
  struct InFlight {
    std::shared_ptr<BatchSlots> slots;
    std::vector<bool> taken;
    size_t dropped = 0;
  };

  void StartListing();
  void Shutdown();
  void Loop();
  void AdaptConcurrency();
  void ClaimMore();
  void HandleEvent(PipelineEvent ev);
  void DispatchDueRetries();
  void CheckTolerance();
  void BeginStopping(Stop why);
  void CommitParts();
  // Hands `f`'s filled, untaken outcomes to the writer.
  void WritePart(InFlight& f, bool last, bool release, bool holds_slot);
  void PollStatus();
  // Applies the limits of the stored spec (UpdateMapRun) when they changed.
  void ApplyLimits(const nlohmann::json& spec);
  bool OthersStillRunning();
  void RethrowBackgroundFailure();
  ProgressSnapshot Snapshot(bool final);
  void MaybeReport();
  int Held() const;

  ObjectStore& source_;
  StateStore& state_;
  ResultsTable& results_;
  const RunOptions& options_;
  const ExecutionSpec& spec_;
  ExecutionRecord exec_;
  Clock& clock_;
  const std::string owner_;
  Tolerance tolerance_;  // the spec's, then UpdateMapRun's (PollStatus)
  ItemPipeline pipeline_;
  std::unique_ptr<BatchWriter> writer_;
  int max_concurrency_ = 4;
  // The limit the user set (--max-concurrency, or UpdateMapRun's maxConcurrency); 0: adaptive.
  int user_concurrency_ = 0;
  nlohmann::json limits_seen_;  // the stored spec's limits PollStatus applied last
  // With no --max-concurrency, the limit follows the rate (InFlightBatches) from this floor.
  int floor_concurrency_ = 4;
  std::chrono::steady_clock::time_point rate_since_{};
  int64_t rate_since_finished_ = 0;

  // Scheduler-thread state.
  std::map<int64_t, InFlight> in_flight_;
  std::priority_queue<DueRetry, std::vector<DueRetry>, std::greater<>> retries_;
  bool claim_may_find_ = true;
  std::chrono::steady_clock::time_point last_claim_{};
  std::chrono::steady_clock::time_point last_renew_{};
  std::chrono::steady_clock::time_point last_report_{};
  std::chrono::steady_clock::time_point last_parts_{};
  std::chrono::steady_clock::time_point last_status_{};
  std::chrono::steady_clock::time_point started_{};
  std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>> rate_samples_;
  Stop stop_ = Stop::kNone;
  std::string stop_cause_;
  int64_t base_succeeded_ = 0, base_failed_ = 0, base_skipped_ = 0;  // before this run

  // Shared with the listing thread.
  std::atomic<int64_t> listed_{0};
  std::atomic<int64_t> unchanged_{0};
  std::atomic<bool> listing_done_{false};
  std::atomic<bool> listing_finished_{false};
  std::atomic<bool> new_batches_{false};
  std::atomic<bool> listing_stop_{false};
  std::thread listing_thread_;
  std::mutex failure_mu_;
  Status listing_error_;                      // guarded by failure_mu_
  std::exception_ptr listing_exception_;      // guarded by failure_mu_
};

}  // namespace imagemill
