#include "workflow/item_pipeline.h"

#include <chrono>

namespace imagemill {

ItemPipeline::ItemPipeline(ObjectStore& source, const Processor& processor,
                           const RetryPolicy& retry, Clock& clock, PipelineOptions options)
    : source_(source),
      processor_(processor),
      retry_(retry),
      clock_(clock),
      options_(options),
      to_process_(std::max<size_t>(1, options.prefetch)) {}

ItemPipeline::~ItemPipeline() { Stop(); }

Status ItemPipeline::Start() {
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    Result<std::unique_ptr<ProcessorWorker>> w = processor_.NewWorker();
    if (!w.ok()) return w.status();
    workers_.push_back(std::move(w).value());
  }
  for (auto& w : workers_) work_threads_.emplace_back([this, &w] { WorkLoop(*w); });
  for (int i = 0; i < std::max(1, options_.fetchers); ++i) {
    fetch_threads_.emplace_back([this] { FetchLoop(); });
  }
  return Status::Ok();
}

void ItemPipeline::Submit(std::vector<WorkItem> work) { to_fetch_.PushMany(std::move(work)); }

std::optional<PipelineEvent> ItemPipeline::NextEvent(Clock::Duration timeout) {
  return events_.PopFor(timeout);
}

void ItemPipeline::Wake() { events_.Push(PipelineEvent{PipelineEvent::Kind::kWake, nullptr, {}, {}}); }

std::vector<WorkItem> ItemPipeline::TakeQueued() {
  giving_back_ = true;
  return to_fetch_.Drain();
}

void ItemPipeline::Stop() {
  if (stopped_) return;
  stopped_ = true;
  to_fetch_.Close();
  for (std::thread& t : fetch_threads_) t.join();
  to_process_.Close();
  for (std::thread& t : work_threads_) t.join();
  events_.Close();
}

void ItemPipeline::Finish(WorkItem& work, ItemOutcome outcome) {
  std::shared_ptr<BatchSlots>& batch = work.batch;
  batch->outcomes[work.index] = std::move(outcome);
  batch->filled[work.index].store(true, std::memory_order_release);
  if (batch->remaining.fetch_sub(1) == 1) {
    PipelineEvent ev;
    ev.kind = PipelineEvent::Kind::kBatchDone;
    ev.batch = std::move(batch);
    events_.Push(std::move(ev));
  }
}

void ItemPipeline::Fail(WorkItem work, const Status& failure) {
  if (retry_.ShouldRetry(failure, work.tries)) {
    PipelineEvent ev;
    ev.kind = PipelineEvent::Kind::kRetry;
    ev.retry_after = retry_.Delay(work.tries, clock_, failure);
    ev.work = std::move(work);
    events_.Push(std::move(ev));
    return;
  }
  ItemOutcome o;
  o.item = work.item;
  o.status = failure.code() == Code::kNotAnImage ? ItemStatus::kSkipped : ItemStatus::kFailed;
  o.error = std::string(CodeName(failure.code()));
  o.cause = failure.message();
  o.start_ms = work.first_start_ms;
  o.stop_ms = ToUnixMillis(clock_.Now());
  o.attempts = work.tries;
  const bool failed = o.status == ItemStatus::kFailed;
  (failed ? counters_.failed : counters_.skipped).fetch_add(1);
  Finish(work, std::move(o));
  if (failed) events_.Push(PipelineEvent{PipelineEvent::Kind::kFailure, nullptr, {}, {}});
}

void ItemPipeline::FetchLoop() {
  constexpr size_t kGroupBytes = 256 << 10;
  constexpr size_t kGroupItems = 64;
  constexpr auto kSlowFetch = std::chrono::microseconds(200);
  constexpr auto kGroupAge = std::chrono::milliseconds(1);
  const auto fetchers = static_cast<size_t>(std::max(1, options_.fetchers));
  const bool reads = processor_.ReadsObjects();
  for (;;) {
    std::vector<WorkItem> share = to_fetch_.PopShare(fetchers, 64);
    if (share.empty()) return;  // closed
    // Objects that come fast and small go to the workers in groups, one hand-off for many. A
    // group is sent when it holds kGroupItems or kGroupBytes (a photo of a few megabytes goes
    // alone), when it is kGroupAge old, or as soon as a fetch is slow (a network store): then a
    // hand-off costs nothing beside the fetch, and the workers never wait on a fetcher's group.
    std::vector<Fetched> group;
    size_t group_bytes = 0;
    auto group_start = std::chrono::steady_clock::now();
    auto send = [&] {
      if (!group.empty()) to_process_.Push(std::move(group));
      group.clear();
      group_bytes = 0;
    };
    for (WorkItem& work : share) {
      if (giving_back_.load(std::memory_order_relaxed)) {
        PipelineEvent ev;
        ev.kind = PipelineEvent::Kind::kGivenBack;
        ev.work = std::move(work);
        events_.Push(std::move(ev));
        continue;
      }
      ++work.tries;
      if (work.first_start_ms == 0) work.first_start_ms = ToUnixMillis(clock_.Now());
      if (reads && work.item.size > options_.max_object_bytes) {
        Status too_large = Status::TooLarge(
            work.item.key + ": " + std::to_string(work.item.size) +
            " bytes, over the limit of " + std::to_string(options_.max_object_bytes) +
            " (raise --max-object-bytes to process it)");
        Fail(std::move(work), too_large);
        continue;
      }
      const auto fetch_start = std::chrono::steady_clock::now();
      Result<std::string> bytes = reads ? source_.Get(work.item.key) : std::string();
      const auto fetched = std::chrono::steady_clock::now();
      if (!bytes.ok()) {
        Fail(std::move(work), bytes.status());
        continue;
      }
      if (group.empty()) group_start = fetch_start;
      group_bytes += bytes->size();
      group.push_back(Fetched{std::move(work), std::move(bytes).value()});
      if (group_bytes >= kGroupBytes || group.size() >= kGroupItems ||
          fetched - fetch_start > kSlowFetch || fetched - group_start > kGroupAge) {
        send();
      }
    }
    send();
  }
}

void ItemPipeline::WorkLoop(ProcessorWorker& worker) {
  for (;;) {
    std::optional<std::vector<Fetched>> group = to_process_.Pop();
    if (!group) return;  // closed
    for (Fetched& f : *group) {
      WorkItem& work = f.work;
      Result<std::unique_ptr<PreparedItem>> prepared =
          processor_.Prepare(work.item, std::move(f.bytes));
      if (!prepared.ok()) {
        Fail(std::move(work), prepared.status());
        continue;
      }
      Result<Answer> answer = worker.Process(work.item, **prepared);
      if (!answer.ok()) {
        Fail(std::move(work), answer.status());
        continue;
      }
      ItemOutcome o;
      o.item = std::move(work.item);  // Finish needs only the slot
      o.status = ItemStatus::kSucceeded;
      o.start_ms = work.first_start_ms;
      o.stop_ms = ToUnixMillis(clock_.Now());
      o.attempts = work.tries;
      o.index = std::move(answer->index);
      if (!answer->listing) {
        o.response =
            answer->response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
      counters_.succeeded.fetch_add(1);
      Finish(work, std::move(o));
    }
  }
}

}  // namespace imagemill
