#include "workflow/map_run.h"

#include <cmath>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <queue>
#include <thread>

#include <spdlog/spdlog.h>

#include "util/ids.h"
#include "workflow/batcher.h"
#include "workflow/item_reader.h"
#include "workflow/result_writer.h"
#include "workflow/tolerance.h"

namespace imagemill {

nlohmann::json RunSummary::ToJson() const {
  nlohmann::json j = {{"executionName", execution.name},
                      {"mapRunId", execution.map_run_id},
                      {"status", ExecutionStatusName(execution.status)},
                      {"itemCounts", counts.ToJson()},
                      {"durationSeconds", duration_seconds},
                      {"itemsPerSecond", items_per_second},
                      {"redriveCount", execution.redrive_count},
                      {"manifest", execution.manifest.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(execution.manifest)}};
  if (!execution.error.empty()) j["error"] = execution.error;
  if (!execution.cause.empty()) j["cause"] = execution.cause;
  return j;
}

int InFlightBatches(int floor, double items_per_second, size_t items_per_batch) {
  const double per_batch = static_cast<double>(std::max<size_t>(1, items_per_batch));
  const double want = std::ceil(items_per_second * kWorkInHand.count() / per_batch);
  if (!(want > floor)) return floor;  // also a NaN rate
  return static_cast<int>(std::min<double>(want, std::max(floor, kMaxAdaptiveInFlight)));
}

MapRun::MapRun(ObjectStore& source, StateStore& state, ResultsTable& results,
               const Processor& processor, RunOptions options)
    : source_(source),
      state_(state),
      results_(results),
      processor_(processor),
      options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = &Clock::Real();
}

// One execution's scheduling: lives for one Run() call, on Run's thread.
class MapRun::Scheduler {
 public:
  Scheduler(MapRun& run, const ExecutionSpec& spec, ExecutionRecord exec)
      : run_(run),
        spec_(spec),
        exec_(std::move(exec)),
        clock_(*run.options_.clock),
        owner_(NewOwnerId()),
        tolerance_(spec.tolerated_failure_percentage, spec.tolerated_failure_count),
        pipeline_(run.source_, run.processor_, run.options_.retry, clock_,
                  run.options_.pipeline) {
    const PipelineOptions& p = run.options_.pipeline;
    max_concurrency_ = run.options_.max_concurrency;
    if (max_concurrency_ <= 0) {
      // Enough batches in flight that every fetcher, queue slot and worker has items, twice over.
      size_t want_items = 2 * (static_cast<size_t>(p.fetchers + p.workers) + p.prefetch);
      size_t per_batch = static_cast<size_t>(spec.max_items_per_batch);
      max_concurrency_ = std::max<int>(4, static_cast<int>((want_items + per_batch - 1) / per_batch));
    }
    floor_concurrency_ = max_concurrency_;
  }

  ~Scheduler() { Shutdown(); }

  RunSummary Run();

 private:
  struct DueRetry {
    std::chrono::steady_clock::time_point due;
    WorkItem work;
    bool operator>(const DueRetry& o) const { return due > o.due; }
  };
  enum class Stop { kNone, kTolerance, kListing, kInterrupt };

  void StartThreads();
  void Shutdown();
  void AdaptConcurrency();
  void ClaimMore();
  void HandleEvent(PipelineEvent ev);
  void DispatchDueRetries();
  void CheckTolerance();
  void BeginStopping(Stop why);
  bool OthersStillRunning();
  ProgressSnapshot Snapshot(bool final);
  void MaybeReport();
  void WriterLoop();
  void RethrowBackgroundFailure();

  MapRun& run_;
  const ExecutionSpec& spec_;
  ExecutionRecord exec_;
  Clock& clock_;
  const std::string owner_;
  const Tolerance tolerance_;
  ItemPipeline pipeline_;
  int max_concurrency_ = 4;
  // With no --max-concurrency, the limit follows the rate (InFlightBatches) from this floor.
  int floor_concurrency_ = 4;
  std::chrono::steady_clock::time_point rate_since_{};
  int64_t rate_since_finished_ = 0;

  // Scheduler-thread state.
  std::map<int64_t, std::shared_ptr<BatchSlots>> in_flight_;
  std::priority_queue<DueRetry, std::vector<DueRetry>, std::greater<>> retries_;
  bool claim_may_find_ = true;
  std::chrono::steady_clock::time_point last_claim_{};
  std::chrono::steady_clock::time_point last_renew_{};
  std::chrono::steady_clock::time_point last_report_{};
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

  // Shared with the writer thread.
  BlockingQueue<FinishedBatch> to_write_;
  std::atomic<int64_t> results_written_{0};
  std::atomic<int64_t> writes_pending_{0};  // batches handed to the writer, not yet committed
  std::thread writer_thread_;

  std::mutex failure_mu_;
  Status listing_error_;                      // guarded by failure_mu_
  std::exception_ptr background_exception_;  // guarded by failure_mu_
  std::atomic<bool> background_failed_{false};
};

void MapRun::Scheduler::StartThreads() {
  writer_thread_ = std::thread([this] { WriterLoop(); });
  if (listing_done_) {
    listing_finished_ = true;
    return;
  }
  listing_thread_ = std::thread([this] {
    try {
      ItemReader reader(run_.source_, run_.state_, run_.results_, spec_, exec_.name,
                        run_.options_.retry, clock_);
      Status s = reader.Run(exec_.cursor, listing_stop_, [this](const ListingStep& step) {
        listed_ += step.listed;
        unchanged_ += step.unchanged;
        if (step.done) listing_done_ = true;
        new_batches_ = true;
      });
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(failure_mu_);
        listing_error_ = s;
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mu_);
      background_exception_ = std::current_exception();
      background_failed_ = true;
    }
    listing_finished_ = true;
  });
}

void MapRun::Scheduler::Shutdown() {
  listing_stop_ = true;
  pipeline_.Stop();
  to_write_.Close();
  if (writer_thread_.joinable()) writer_thread_.join();
  if (listing_thread_.joinable()) listing_thread_.join();
}

void MapRun::Scheduler::WriterLoop() {
  while (std::optional<FinishedBatch> first = to_write_.Pop()) {
    // Everything that finished while the last commit ran goes into the same transaction: one
    // commit per group, not per batch. No waiting for more: a batch holds its slot until it is
    // written, so with few slots (--max-concurrency 4) nothing more may come until this commit.
    std::vector<FinishedBatch> group;
    size_t items = first->outcomes.size();
    group.push_back(std::move(*first));
    while (items < 5000) {
      std::optional<FinishedBatch> more = to_write_.PopFor(std::chrono::steady_clock::duration::zero());
      if (!more) break;
      items += more->outcomes.size();
      group.push_back(std::move(*more));
    }
    try {
      std::vector<int64_t> done = run_.state_.CompleteBatches(
          exec_.name, owner_, run_.source_.Bucket(), spec_.processor, group);
      int64_t written = 0;
      for (const FinishedBatch& b : group) {
        if (std::find(done.begin(), done.end(), b.seq) == done.end()) {
          spdlog::warn("batch {} of {} was taken over by another worker; its results were not "
                       "written by this one", b.seq, exec_.name);
          continue;
        }
        for (const ItemOutcome& o : b.outcomes) written += o.status == ItemStatus::kSucceeded;
      }
      results_written_ += written;
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mu_);
      background_exception_ = std::current_exception();
      background_failed_ = true;
    }
    writes_pending_ -= static_cast<int64_t>(group.size());
    pipeline_.Wake();
  }
}

void MapRun::Scheduler::RethrowBackgroundFailure() {
  if (!background_failed_) return;
  std::exception_ptr e;
  {
    std::lock_guard<std::mutex> lock(failure_mu_);
    e = background_exception_;
  }
  Shutdown();
  std::rethrow_exception(e);
}

void MapRun::Scheduler::AdaptConcurrency() {
  if (run_.options_.max_concurrency > 0) return;  // the user's limit
  auto now = clock_.Steady();
  const PipelineCounters& c = pipeline_.counters();
  const int64_t finished = c.succeeded + c.failed + c.skipped;
  const double secs = std::chrono::duration<double>(now - rate_since_).count();
  if (secs < 0.1) return;
  if (rate_since_finished_ > 0 || finished > 0) {
    const double rate = static_cast<double>(finished - rate_since_finished_) / secs;
    max_concurrency_ = InFlightBatches(floor_concurrency_, rate,
                                       static_cast<size_t>(spec_.max_items_per_batch));
  }
  rate_since_ = now;
  rate_since_finished_ = finished;
}

void MapRun::Scheduler::ClaimMore() {
  if (stop_ != Stop::kNone) return;
  AdaptConcurrency();
  // Refill once half the slots are free: one claim transaction for several batches.
  // A batch holds its slot until its outcomes are committed: the writer sets the pace, and
  // outcomes waiting for it never pile up in memory.
  auto held = [this] { return static_cast<int>(in_flight_.size() + writes_pending_.load()); };
  if (held() > max_concurrency_ / 2) return;
  auto now = clock_.Steady();
  if (new_batches_.exchange(false) || now - last_claim_ > std::chrono::seconds(2)) {
    claim_may_find_ = true;
  }
  while (claim_may_find_ && held() < max_concurrency_) {
    int want = max_concurrency_ - held();
    int64_t lease_until = ToUnixMillis(clock_.Now()) + run_.options_.lease.count();
    std::vector<BatchRecord> batches =
        run_.state_.ClaimBatches(exec_.name, owner_, want, lease_until);
    last_claim_ = now;
    claim_may_find_ = static_cast<int>(batches.size()) == want;
    for (BatchRecord& b : batches) {
      auto slots = std::make_shared<BatchSlots>(b.seq, b.items.size());
      std::vector<WorkItem> work;
      work.reserve(b.items.size());
      for (size_t i = 0; i < b.items.size(); ++i) {
        work.push_back(WorkItem{slots, i, std::move(b.items[i]), 0, 0});
      }
      in_flight_.emplace(b.seq, slots);
      pipeline_.Submit(std::move(work));
    }
  }
}

void MapRun::Scheduler::HandleEvent(PipelineEvent ev) {
  switch (ev.kind) {
    case PipelineEvent::Kind::kRetry:
      if (in_flight_.count(ev.work.batch->seq) > 0) {
        retries_.push({clock_.Steady() + ev.retry_after, std::move(ev.work)});
      }
      break;
    case PipelineEvent::Kind::kFailure:
      CheckTolerance();
      break;
    case PipelineEvent::Kind::kWake:  // the writer committed: its batches' slots are free
      break;
    case PipelineEvent::Kind::kBatchDone: {
      auto it = in_flight_.find(ev.batch->seq);
      if (it == in_flight_.end()) return;  // given back when the run was interrupted
      ++writes_pending_;
      to_write_.Push(FinishedBatch{ev.batch->seq, std::move(ev.batch->outcomes)});
      in_flight_.erase(it);
      break;
    }
  }
}

void MapRun::Scheduler::CheckTolerance() {
  int64_t failed = base_failed_ + pipeline_.counters().failed.load();
  bool final = listing_done_.load();
  if (stop_ == Stop::kNone && tolerance_.Exceeded(failed, listed_.load(), final)) {
    stop_cause_ = tolerance_.Cause(failed, listed_.load());
    BeginStopping(Stop::kTolerance);
  }
}

void MapRun::Scheduler::DispatchDueRetries() {
  auto now = clock_.Steady();
  std::vector<WorkItem> due;
  while (!retries_.empty() && retries_.top().due <= now) {
    due.push_back(retries_.top().work);
    retries_.pop();
  }
  if (!due.empty()) pipeline_.Submit(std::move(due));
}

void MapRun::Scheduler::BeginStopping(Stop why) {
  stop_ = why;
  listing_stop_ = true;
  if (why != Stop::kInterrupt) return;  // failing runs let the batches in flight finish
  // Interrupted: drop the work no thread holds yet; its batches go back to PENDING.
  std::vector<int64_t> release;
  for (WorkItem& w : pipeline_.TakeQueued()) release.push_back(w.batch->seq);
  while (!retries_.empty()) {
    release.push_back(retries_.top().work.batch->seq);
    retries_.pop();
  }
  for (int64_t seq : release) in_flight_.erase(seq);
  std::sort(release.begin(), release.end());
  release.erase(std::unique(release.begin(), release.end()), release.end());
  run_.state_.ReleaseBatches(exec_.name, owner_, release);
}

bool MapRun::Scheduler::OthersStillRunning() {
  ItemCounts c = run_.state_.CountItems(exec_.name);
  if (c.pending + c.running == 0) return false;
  run_.state_.RecoverOrphans(exec_.name, ToUnixMillis(clock_.Now()), [this](const std::string& o) {
    return o != owner_ && OwnerIsDeadOnThisHost(o);
  });
  claim_may_find_ = true;
  return true;
}

ProgressSnapshot MapRun::Scheduler::Snapshot(bool final) {
  ProgressSnapshot s;
  s.execution = exec_.name;
  s.listing_done = listing_done_;
  ItemCounts& c = s.counts;
  const PipelineCounters& live = pipeline_.counters();
  const int64_t succeeded = live.succeeded, failed = live.failed, skipped = live.skipped;
  c.total = listed_;
  c.succeeded = base_succeeded_ + succeeded;
  c.failed = base_failed_ + failed;
  c.skipped = base_skipped_ + skipped + unchanged_;
  c.results_written = base_succeeded_ + results_written_;
  for (const auto& [seq, f] : in_flight_) c.running += static_cast<int64_t>(f->remaining.load());
  c.pending = std::max<int64_t>(0, c.total - c.succeeded - c.failed - c.skipped - c.running);
  auto now = clock_.Steady();
  s.elapsed_seconds = std::chrono::duration<double>(now - started_).count();
  int64_t finished = succeeded + failed + skipped;
  rate_samples_.emplace_back(now, finished);
  while (rate_samples_.size() > 2 && now - rate_samples_.front().first > std::chrono::seconds(10)) {
    rate_samples_.pop_front();
  }
  double window = std::chrono::duration<double>(now - rate_samples_.front().first).count();
  if (final || window < 1.0) {
    s.items_per_second = s.elapsed_seconds > 0 ? static_cast<double>(finished) / s.elapsed_seconds : 0;
  } else {
    s.items_per_second = static_cast<double>(finished - rate_samples_.front().second) / window;
  }
  if (s.listing_done && s.items_per_second > 0) {
    s.eta_seconds = static_cast<double>(c.pending + c.running) / s.items_per_second;
  }
  return s;
}

void MapRun::Scheduler::MaybeReport() {
  if (run_.options_.progress == nullptr) return;
  auto now = clock_.Steady();
  if (now - last_report_ < std::chrono::milliseconds(200)) return;
  last_report_ = now;
  run_.options_.progress->Update(Snapshot(false));
}

RunSummary MapRun::Scheduler::Run() {
  started_ = clock_.Steady();
  ItemCounts before = run_.state_.CountItems(exec_.name);
  base_succeeded_ = before.succeeded;
  base_failed_ = before.failed;
  base_skipped_ = before.skipped - exec_.unchanged;
  listed_ = exec_.listed;
  unchanged_ = exec_.unchanged;
  listing_done_ = exec_.listing_done;

  if (Status s = pipeline_.Start(); !s.ok()) {
    throw std::runtime_error("cannot start the processor '" + spec_.processor +
                             "': " + s.ToString());
  }
  StartThreads();

  const auto renew_every = run_.options_.lease / 3;
  for (;;) {
    RethrowBackgroundFailure();
    if (run_.options_.interrupt != nullptr && run_.options_.interrupt->load() &&
        stop_ != Stop::kInterrupt) {
      stop_cause_ = "interrupted; run the same command again to resume";
      BeginStopping(Stop::kInterrupt);
    }
    if (listing_finished_ && stop_ == Stop::kNone) {
      std::lock_guard<std::mutex> lock(failure_mu_);
      if (!listing_error_.ok()) {
        stop_cause_ = listing_error_.message();
        stop_ = Stop::kListing;
      }
    }
    CheckTolerance();  // the total may just have become final
    ClaimMore();
    DispatchDueRetries();
    if (in_flight_.empty()) {
      if (stop_ != Stop::kNone) break;
      if (listing_finished_ && !claim_may_find_ && !new_batches_ && !OthersStillRunning()) break;
    }
    auto now = clock_.Steady();
    if (now - last_renew_ > renew_every) {
      run_.state_.RenewLeases(exec_.name, owner_,
                              ToUnixMillis(clock_.Now()) + run_.options_.lease.count());
      last_renew_ = now;
    }
    Clock::Duration wait = std::chrono::milliseconds(in_flight_.empty() ? 20 : 100);
    if (!retries_.empty()) {
      wait = std::min<Clock::Duration>(wait, std::max<Clock::Duration>(
                                                 Clock::Duration::zero(), retries_.top().due - now));
    }
    if (std::optional<PipelineEvent> ev = pipeline_.NextEvent(wait)) {
      HandleEvent(std::move(*ev));
      // Take every event already waiting before the next round of bookkeeping.
      while (std::optional<PipelineEvent> more = pipeline_.NextEvent(Clock::Duration::zero())) {
        HandleEvent(std::move(*more));
      }
    }
    MaybeReport();
  }

  Shutdown();
  RethrowBackgroundFailure();

  ProgressSnapshot last = Snapshot(true);
  ExecutionStatus status = ExecutionStatus::kSucceeded;
  std::string error;
  if (stop_ == Stop::kInterrupt) {
    status = ExecutionStatus::kAborted;
  } else if (stop_ == Stop::kListing) {
    status = ExecutionStatus::kFailed;
    error = "States.ItemReaderFailed";
  } else if (stop_ == Stop::kTolerance) {
    status = ExecutionStatus::kFailed;
    error = kExceedToleratedFailureThreshold;
  }
  ItemCounts counts = run_.state_.CountItems(exec_.name);
  if (status == ExecutionStatus::kSucceeded &&
      tolerance_.Exceeded(counts.failed, counts.total, /*total_is_final=*/true)) {
    status = ExecutionStatus::kFailed;
    error = kExceedToleratedFailureThreshold;
    stop_cause_ = tolerance_.Cause(counts.failed, counts.total);
  }
  const int64_t stop_ms = ToUnixMillis(clock_.Now());
  run_.state_.FinishExecution(exec_.name, status, error, stop_cause_, stop_ms);
  if (!spec_.result_writer.empty() && run_.options_.result_store != nullptr &&
      status != ExecutionStatus::kAborted) {
    std::optional<ExecutionRecord> now = run_.state_.GetExecution(exec_.name);
    ResultWriter writer(*run_.options_.result_store, run_.options_.result_prefix);
    Result<std::string> manifest = writer.Write(run_.state_, *now);
    if (manifest.ok()) {
      run_.state_.SetManifest(exec_.name, *manifest);
    } else {
      run_.state_.FinishExecution(exec_.name, ExecutionStatus::kFailed, "States.ResultWriterFailed",
                                  manifest.status().ToString(), stop_ms);
    }
  }
  if (run_.options_.progress != nullptr) run_.options_.progress->Finish(last);

  RunSummary summary;
  summary.execution = *run_.state_.GetExecution(exec_.name);
  summary.counts = counts;
  summary.duration_seconds = last.elapsed_seconds;
  summary.items_per_second = last.items_per_second;
  return summary;
}

Result<RunSummary> MapRun::Run(const ExecutionSpec& spec, const std::string& name) {
  if (Status s = spec.Validate(); !s.ok()) return s;
  Clock& clock = *options_.clock;
  ExecutionRecord proposed;
  proposed.name = name;
  proposed.map_run_id = NewUuid();
  proposed.spec = spec.ToJson();
  proposed.start_ms = ToUnixMillis(clock.Now());
  bool created = false;
  ExecutionRecord exec = state_.CreateOrGetExecution(proposed, &created);
  if (!created && exec.spec != proposed.spec) {
    return Status::InvalidArgument(
        "execution '" + name + "' already exists for a different job (" + exec.spec.dump() +
        "); choose another --execution-name, or repeat its original options to resume it");
  }
  if (exec.status == ExecutionStatus::kSucceeded || exec.status == ExecutionStatus::kFailed) {
    RunSummary summary;
    summary.execution = exec;
    summary.counts = state_.CountItems(name);
    summary.duration_seconds = exec.stop_ms > 0 ? (exec.stop_ms - exec.start_ms) / 1000.0 : 0;
    summary.already_finished = true;
    return summary;
  }
  if (exec.status == ExecutionStatus::kAborted) {
    state_.FinishExecution(name, ExecutionStatus::kRunning, "", "", 0);
    exec.status = ExecutionStatus::kRunning;
  }
  int64_t orphans = 0;
  if (!created) {
    orphans = state_.RecoverOrphans(name, ToUnixMillis(clock.Now()), OwnerIsDeadOnThisHost);
    if (orphans > 0) spdlog::info("{}: {} unfinished batches will run again", name, orphans);
  }
  Scheduler scheduler(*this, spec, exec);
  RunSummary summary = scheduler.Run();
  summary.resumed = !created;
  return summary;
}

}  // namespace imagemill
