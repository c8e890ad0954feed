#include "workflow/scheduler.h"

#include <algorithm>
#include <cmath>

#include "db/database_error.h"
#include "util/ids.h"
#include "workflow/item_reader.h"

namespace imagemill {
namespace {

// The limits UpdateMapRun changed, as a stored spec holds them (ExecutionSpec::updates).
nlohmann::json LimitsOf(const nlohmann::json& spec) {
  nlohmann::json limits = nlohmann::json::object();
  for (const char* k : {"mapRunUpdates", "maxConcurrency"}) {
    limits[k] = spec.is_object() && spec.contains(k) ? spec[k] : nlohmann::json();
  }
  return limits;
}

}  // namespace


int InFlightBatches(int floor, double items_per_second, size_t items_per_batch) {
  const double per_batch = static_cast<double>(std::max<size_t>(1, items_per_batch));
  const double want = std::ceil(items_per_second * kWorkInHand.count() / per_batch);
  if (!(want > floor)) return floor;  // also a NaN rate
  return static_cast<int>(std::min<double>(want, std::max(floor, kMaxAdaptiveInFlight)));
}

Scheduler::Scheduler(ObjectStore& source, StateStore& state, ResultsTable& results,
                     const Processor& processor, const RunOptions& options,
                     const ExecutionSpec& spec, ExecutionRecord exec)
    : source_(source),
      state_(state),
      results_(results),
      options_(options),
      spec_(spec),
      exec_(std::move(exec)),
      clock_(*options.clock),
      owner_(NewOwnerId()),
      tolerance_(spec.Effective().tolerated_failure_percentage,
                 spec.Effective().tolerated_failure_count),
      pipeline_(source, processor, options.retry, clock_, options.pipeline) {
  const PipelineOptions& p = options.pipeline;
  user_concurrency_ = spec.updates.max_concurrency.value_or(options.max_concurrency);
  max_concurrency_ = user_concurrency_;
  if (max_concurrency_ <= 0) {
    // Enough batches in flight that every fetcher, queue slot and worker has items, twice over.
    size_t want_items = 2 * (static_cast<size_t>(p.fetchers + p.workers) + p.prefetch);
    size_t per_batch = static_cast<size_t>(spec.max_items_per_batch);
    max_concurrency_ = std::max<int>(4, static_cast<int>((want_items + per_batch - 1) / per_batch));
  }
  floor_concurrency_ = max_concurrency_;
  limits_seen_ = LimitsOf(spec.ToJson());
}

Scheduler::~Scheduler() { Shutdown(); }

void Scheduler::StartListing() {
  if (listing_done_) {
    listing_finished_ = true;
    return;
  }
  listing_thread_ = std::thread([this] {
    try {
      ItemReader reader(source_, state_, results_, spec_, exec_.name, options_.retry, clock_);
      Status s = reader.Run(exec_.cursor, listing_stop_, [this](const ListingStep& step) {
        listed_ += step.listed;
        for (const BatchRecord& b : step.answered) unchanged_ += static_cast<int64_t>(b.items.size());
        if (step.done) listing_done_ = true;
        new_batches_ = true;
      });
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(failure_mu_);
        listing_error_ = s;
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mu_);
      listing_exception_ = std::current_exception();
    }
    listing_finished_ = true;
  });
}

void Scheduler::Shutdown() {
  listing_stop_ = true;
  pipeline_.Stop();
  if (writer_) writer_->Close();
  if (listing_thread_.joinable()) listing_thread_.join();
}

void Scheduler::RethrowBackgroundFailure() {
  std::exception_ptr e = writer_ ? writer_->failure() : nullptr;
  if (!e) {
    std::lock_guard<std::mutex> lock(failure_mu_);
    e = listing_exception_;
  }
  if (e) std::rethrow_exception(e);
}

int Scheduler::Held() const {
  return static_cast<int>(in_flight_.size() + writer_->slots_pending());
}

void Scheduler::AdaptConcurrency() {
  if (user_concurrency_ > 0) return;  // the user's limit
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

void Scheduler::ClaimMore() {
  if (stop_ != Stop::kNone) return;
  if (!options_.work) {  // run --no-work: the workers claim
    claim_may_find_ = false;
    new_batches_ = false;
    return;
  }
  AdaptConcurrency();
  // Refill once half the slots are free: one claim transaction for several batches. A batch holds
  // its slot until its outcomes are committed: the writer sets the pace, and outcomes waiting for
  // it never pile up in memory.
  if (Held() > max_concurrency_ / 2) return;
  auto now = clock_.Steady();
  if (new_batches_.exchange(false) || now - last_claim_ > std::chrono::seconds(2)) {
    claim_may_find_ = true;
  }
  while (claim_may_find_ && Held() < max_concurrency_) {
    int want = max_concurrency_ - Held();
    const int64_t now_ms = ToUnixMillis(clock_.Now());
    std::vector<BatchRecord> batches =
        state_.ClaimBatches(exec_.name, owner_, want, now_ms, now_ms + options_.lease.count());
    last_claim_ = now;
    claim_may_find_ = static_cast<int>(batches.size()) == want;
    for (BatchRecord& b : batches) {
      auto slots = std::make_shared<BatchSlots>(b.seq, b.attempt, b.items.size());
      if (b.items.empty()) {  // every item committed by an earlier claim: only the mark is left
        writer_->Push({FinishedBatch{b.seq, b.attempt, true, {}}, false, true});
        continue;
      }
      std::vector<WorkItem> work;
      work.reserve(b.items.size());
      for (size_t i = 0; i < b.items.size(); ++i) {
        work.push_back(WorkItem{slots, i, std::move(b.items[i]), 0, 0});
      }
      in_flight_.emplace(b.seq, InFlight{slots, std::vector<bool>(b.items.size(), false), 0});
      pipeline_.Submit(std::move(work));
    }
  }
}

void Scheduler::WritePart(InFlight& f, bool last, bool release, bool holds_slot) {
  FinishedBatch part{f.slots->seq, f.slots->attempt, last, {}};
  auto ready = [&](size_t i) {
    return !f.taken[i] && f.slots->filled[i].load(std::memory_order_acquire);
  };
  size_t n = 0;  // a slot filled meanwhile is taken too, past the reserve
  for (size_t i = 0; i < f.taken.size(); ++i) n += ready(i) ? 1 : 0;
  part.outcomes.reserve(n);
  for (size_t i = 0; i < f.taken.size(); ++i) {
    if (!ready(i)) continue;
    f.taken[i] = true;
    part.outcomes.push_back(std::move(f.slots->outcomes[i]));
  }
  if (part.outcomes.empty() && !last && !release) return;
  writer_->Push({std::move(part), release, holds_slot});
}

void Scheduler::CommitParts() {
  auto now = clock_.Steady();
  if (now - last_parts_ < options_.commit_every) return;
  last_parts_ = now;
  for (auto& [seq, f] : in_flight_) WritePart(f, /*last=*/false, /*release=*/false, false);
}

void Scheduler::HandleEvent(PipelineEvent ev) {
  switch (ev.kind) {
    case PipelineEvent::Kind::kRetry:
      if (stop_ == Stop::kInterrupt || stop_ == Stop::kStopped) {
        ev.kind = PipelineEvent::Kind::kGivenBack;  // no retry once the run is giving work back
        HandleEvent(std::move(ev));
      } else if (in_flight_.count(ev.work.batch->seq) > 0) {
        retries_.push({clock_.Steady() + ev.retry_after, std::move(ev.work)});
      }
      break;
    case PipelineEvent::Kind::kFailure:
      CheckTolerance();
      break;
    case PipelineEvent::Kind::kWake:  // the writer committed: its batches' slots are free
      break;
    case PipelineEvent::Kind::kGivenBack: {
      auto it = in_flight_.find(ev.work.batch->seq);
      if (it == in_flight_.end()) break;
      ++it->second.dropped;
      if (ev.work.batch->remaining.fetch_sub(1) == 1) {  // the rest of its items are done
        WritePart(it->second, /*last=*/false, /*release=*/true, /*holds_slot=*/true);
        in_flight_.erase(it);
      }
      break;
    }
    case PipelineEvent::Kind::kBatchDone: {
      auto it = in_flight_.find(ev.batch->seq);
      if (it == in_flight_.end()) return;
      const bool whole = it->second.dropped == 0;
      WritePart(it->second, /*last=*/whole, /*release=*/!whole, /*holds_slot=*/true);
      in_flight_.erase(it);
      break;
    }
  }
}

void Scheduler::CheckTolerance() {
  int64_t failed = base_failed_ + pipeline_.counters().failed.load();
  bool final = listing_done_.load();
  if (stop_ == Stop::kNone && tolerance_.Exceeded(failed, listed_.load(), final)) {
    BeginStopping(Stop::kTolerance);
  }
}

void Scheduler::DispatchDueRetries() {
  auto now = clock_.Steady();
  std::vector<WorkItem> due;
  while (!retries_.empty() && retries_.top().due <= now) {
    due.push_back(retries_.top().work);
    retries_.pop();
  }
  if (!due.empty()) pipeline_.Submit(std::move(due));
}

void Scheduler::BeginStopping(Stop why) {
  stop_ = why;
  listing_stop_ = true;
  if (why != Stop::kInterrupt && why != Stop::kStopped) return;  // let the batches finish
  // Give back the work no thread holds yet; the items in hand finish, and each batch's finished
  // items are committed before the batch goes back to PENDING.
  std::vector<WorkItem> back = pipeline_.TakeQueued();
  while (!retries_.empty()) {
    back.push_back(retries_.top().work);
    retries_.pop();
  }
  for (WorkItem& w : back) {
    PipelineEvent ev;
    ev.kind = PipelineEvent::Kind::kGivenBack;
    ev.work = std::move(w);
    HandleEvent(std::move(ev));
  }
}

void Scheduler::PollStatus() {
  auto now = clock_.Steady();
  if (now - last_status_ < options_.status_every) return;
  last_status_ = now;
  std::optional<ExecutionRecord> e = state_.GetExecution(exec_.name);
  if (stop_ != Stop::kInterrupt && stop_ != Stop::kStopped &&
      (!e || e->status != ExecutionStatus::kRunning)) {
    BeginStopping(Stop::kStopped);
  }
  if (e) ApplyLimits(e->spec);
}

void Scheduler::ApplyLimits(const nlohmann::json& spec) {
  nlohmann::json limits = LimitsOf(spec);
  if (limits == limits_seen_) return;
  limits_seen_ = limits;
  Result<ExecutionSpec> stored = ExecutionSpec::FromJson(spec);
  if (!stored.ok()) return;
  if (stored->updates.max_concurrency) {
    user_concurrency_ = *stored->updates.max_concurrency;
    max_concurrency_ = user_concurrency_ > 0 ? user_concurrency_ : floor_concurrency_;
  }
  const ExecutionSpec now = stored->Effective();
  tolerance_ = Tolerance(now.tolerated_failure_percentage, now.tolerated_failure_count);
  CheckTolerance();
}

bool Scheduler::OthersStillRunning() {
  ItemCounts c = state_.CountItems(exec_.name);
  if (c.pending + c.running == 0) return false;
  // Called with nothing in flight and nothing left to write: a batch still RUNNING under this
  // run's own owner is one whose completion the database acknowledged and then lost (a server
  // crash with asynchronous commit); it goes back to PENDING with the orphans of dead processes.
  state_.RecoverOrphans(exec_.name, ToUnixMillis(clock_.Now()), [this](const std::string& o) {
    return o == owner_ || OwnerIsDeadOnThisHost(o);
  });
  claim_may_find_ = true;
  return true;
}

ProgressSnapshot Scheduler::Snapshot(bool final) {
  ProgressSnapshot s;
  s.execution = exec_.name;
  s.listing_done = listing_done_;
  ItemCounts& c = s.counts;
  int64_t finished = 0;
  if (!options_.work || options_.shared) {
    // The fleet's progress: what every process has committed.
    c = state_.CountItems(exec_.name);
    c.total = std::max<int64_t>(c.total, listed_);
    finished = c.succeeded + c.failed + c.skipped -
               (base_succeeded_ + exec_.unchanged + base_failed_ + base_skipped_);
  } else {
    const PipelineCounters& live = pipeline_.counters();
    const int64_t succeeded = live.succeeded, failed = live.failed, skipped = live.skipped;
    c.total = listed_;
    c.unchanged = unchanged_;
    c.succeeded = base_succeeded_ + succeeded + unchanged_;
    c.failed = base_failed_ + failed;
    c.skipped = base_skipped_ + skipped;
    c.results_written = base_succeeded_ + (writer_ ? writer_->results_written() : 0) + unchanged_;
    for (const auto& [seq, f] : in_flight_) {
      c.running +=
          static_cast<int64_t>(f.slots->remaining.load()) - static_cast<int64_t>(f.dropped);
    }
    c.pending = std::max<int64_t>(0, c.total - c.succeeded - c.failed - c.skipped - c.running);
    finished = succeeded + failed + skipped;
  }
  auto now = clock_.Steady();
  s.elapsed_seconds = std::chrono::duration<double>(now - started_).count();
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

void Scheduler::MaybeReport() {
  if (options_.progress == nullptr) return;
  auto now = clock_.Steady();
  // Without work of its own the counts come from the database: read them less often.
  const bool fleet = !options_.work || options_.shared;
  if (now - last_report_ < std::chrono::milliseconds(fleet ? 1000 : 200)) return;
  last_report_ = now;
  options_.progress->Update(Snapshot(false));
}

void Scheduler::Loop() {
  const auto renew_every = options_.lease / 3;
  for (;;) {
    RethrowBackgroundFailure();
    if (options_.interrupt != nullptr && options_.interrupt->load() &&
        stop_ != Stop::kInterrupt && stop_ != Stop::kStopped) {
      BeginStopping(Stop::kInterrupt);
    }
    PollStatus();
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
    CommitParts();
    if (in_flight_.empty()) {
      if (stop_ != Stop::kNone) break;
      if (listing_finished_ && !claim_may_find_ && !new_batches_ && writer_->slots_pending() == 0 &&
          !OthersStillRunning()) {
        break;
      }
    }
    auto now = clock_.Steady();
    if (now - last_renew_ > renew_every) {
      state_.RenewLeases(exec_.name, owner_, ToUnixMillis(clock_.Now()) + options_.lease.count());
      last_renew_ = now;
    }
    Clock::Duration wait =
        std::chrono::milliseconds(!options_.work ? 250 : in_flight_.empty() ? 20 : 100);
    if (!retries_.empty()) {
      wait = std::min<Clock::Duration>(
          wait, std::max<Clock::Duration>(Clock::Duration::zero(), retries_.top().due - now));
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
}

Scheduler::Outcome Scheduler::Run() {
  started_ = last_parts_ = last_status_ = clock_.Steady();
  ItemCounts before = state_.CountItems(exec_.name);
  base_succeeded_ = before.succeeded - exec_.unchanged;
  base_failed_ = before.failed;
  base_skipped_ = before.skipped;
  listed_ = exec_.listed;
  unchanged_ = exec_.unchanged;
  listing_done_ = exec_.listing_done;

  if (Status s = pipeline_.Start(); !s.ok()) {
    throw std::runtime_error("cannot start the processor '" + spec_.processor +
                             "': " + s.ToString());
  }
  writer_ = std::make_unique<BatchWriter>(
      state_, exec_.name, owner_, AnswerTarget{spec_.source, spec_.kind, spec_.processor},
      [this] { pipeline_.Wake(); });
  StartListing();
  Outcome out;
  try {
    Loop();
    Shutdown();  // the writer commits what it holds
    RethrowBackgroundFailure();
  } catch (const DatabaseError& e) {
    Shutdown();
    stop_ = Stop::kDatabase;
    stop_cause_ = e.what();
  }
  out.stop = stop_;
  out.cause = stop_cause_;
  out.last = Snapshot(true);
  out.refused = writer_->refused();
  return out;
}

}  // namespace imagemill
