#include "workflow/item_reader.h"

#include <algorithm>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "util/blocking_queue.h"
#include "workflow/batcher.h"

namespace imagemill {

ItemReader::ItemReader(ObjectStore& source, StateStore& state, ResultsTable& results,
                       const ExecutionSpec& spec, std::string execution, const RetryPolicy& retry,
                       Clock& clock)
    : source_(source),
      state_(state),
      results_(results),
      spec_(spec),
      execution_(std::move(execution)),
      retry_(retry),
      clock_(clock) {}

Result<ListPage> ItemReader::ListWithRetry(const std::string& after,
                                           const std::atomic<bool>& stop) {
  for (int tries = 1;; ++tries) {
    Result<ListPage> page = source_.List(spec_.prefix, after, kPageSize);
    if (page.ok() || !retry_.ShouldRetry(page.status(), tries) || stop.load()) return page;
    spdlog::warn("listing {} after '{}' failed, retrying: {}", source_.Uri(), after,
                 page.status().ToString());
    clock_.SleepFor(retry_.Delay(tries, clock_, page.status()));
  }
}

namespace {

// Lists the pages after a key on a thread of its own, up to kAhead pages ahead of the reader: the
// next page is read (a folder's stat calls, an S3 round trip) while the reader saves this one,
// which waits for the database whenever the writer holds it for a commit. Over a folder of a
// million files the two took about as long as each other, one after the other.
class PagesAhead {
 public:
  static constexpr size_t kAhead = 2;

  PagesAhead(std::function<Result<ListPage>(const std::string&)> list, std::string after,
             const std::atomic<bool>& stop)
      : thread_([this, list = std::move(list), after = std::move(after), &stop]() mutable {
          while (!stop.load()) {
            Result<ListPage> page = list(after);
            const bool last = !page.ok() || !page->truncated;
            if (page.ok() && !page->objects.empty()) after = page->objects.back().key;
            if (!pages_.Push(std::move(page)) || last) break;
          }
          pages_.Close();  // Next() returns nullopt once the pages pushed are taken
        }) {}
  ~PagesAhead() {
    pages_.Close();
    thread_.join();
  }
  PagesAhead(const PagesAhead&) = delete;
  PagesAhead& operator=(const PagesAhead&) = delete;

  // The next page in key order; nullopt once the listing stopped.
  std::optional<Result<ListPage>> Next() { return pages_.Pop(); }

 private:
  BlockingQueue<Result<ListPage>> pages_{kAhead};
  std::thread thread_;  // last: starts once the queue exists
};

}  // namespace

Status ItemReader::Run(std::string cursor, const std::atomic<bool>& stop,
                       const std::function<void(const ListingStep&)>& on_step) {
  // Steps commit at batch boundaries where possible: a step closes once it holds at least this
  // many items, flushing a partial batch only then (or at the end of the listing).
  const size_t step_items = std::max<size_t>(kPageSize, static_cast<size_t>(spec_.max_items_per_batch));
  Batcher batcher(spec_.max_items_per_batch, spec_.max_input_bytes_per_batch);
  // Items whose stored answer has their ETag: batches of their own, done at once.
  Batcher answered(spec_.max_items_per_batch, spec_.max_input_bytes_per_batch);
  ListingStep step;
  const AnswerTarget target{spec_.source, spec_.kind, spec_.processor};
  // Only answers stored before the listing started can make an item unchanged: for a source with
  // none of this kind (a first run) nothing is looked up. Answers written meanwhile (by this run
  // or another process) at worst make an image be processed twice, never skipped wrongly.
  bool answered_before = false;
  if (!spec_.force) {
    results_.ForEachResult({spec_.source, spec_.kind, "", "", 1},
                           [&](const StoredResult&) { answered_before = true; });
  }
  std::string committed = cursor;  // the cursor as saved
  std::string listed_to = cursor;  // the last key listed
  size_t step_size = 0;
  auto list = [this, &stop](const std::string& after) { return ListWithRetry(after, stop); };
  std::optional<PagesAhead> ahead;
  ahead.emplace(list, listed_to, stop);

  auto commit = [&](bool done) -> bool {
    if (done || step_size >= step_items) {
      if (std::optional<BatchRecord> b = batcher.Flush()) step.batches.push_back(std::move(*b));
    }
    if (!batcher.empty() && !done) return true;  // wait for the batch boundary
    if (std::optional<BatchRecord> b = answered.Flush()) step.answered.push_back(std::move(*b));
    step.cursor = listed_to;
    step.done = done;
    step.answered_at_ms = ToUnixMillis(clock_.Now());
    if (!state_.AppendListing(execution_, committed, step)) {
      // Another lister of this execution moved the cursor: continue from where it is.
      std::optional<ExecutionRecord> e = state_.GetExecution(execution_);
      if (!e || e->listing_done) return false;
      committed = listed_to = e->cursor;
      ahead.reset();
      ahead.emplace(list, listed_to, stop);
      batcher = Batcher(spec_.max_items_per_batch, spec_.max_input_bytes_per_batch);
      answered = Batcher(spec_.max_items_per_batch, spec_.max_input_bytes_per_batch);
      step = ListingStep();
      step_size = 0;
      return true;
    }
    on_step(step);
    committed = listed_to;
    step = ListingStep();
    step_size = 0;
    return !done;
  };

  while (!stop.load()) {
    std::optional<Result<ListPage>> next = ahead->Next();
    if (!next) return Status::Ok();  // stopped
    Result<ListPage>& page = *next;
    if (!page.ok()) {
      if (stop.load()) return Status::Ok();
      return Status(page.status().code(), "listing " + source_.Uri() + " under prefix '" +
                                              spec_.prefix + "' failed: " +
                                              page.status().message());
    }
    std::vector<bool> unchanged(page->objects.size(), false);
    if (answered_before && !page->objects.empty()) {
      unchanged = results_.Unchanged(target, page->objects);
    }
    for (size_t i = 0; i < page->objects.size(); ++i) {
      ObjectInfo& item = page->objects[i];
      listed_to = item.key;
      ++step.listed;
      ++step_size;
      if (unchanged[i]) {
        if (std::optional<BatchRecord> b = answered.Add(std::move(item))) {
          step.answered.push_back(std::move(*b));
        }
      } else if (std::optional<BatchRecord> b = batcher.Add(std::move(item))) {
        step.batches.push_back(std::move(*b));
      }
    }
    bool done = !page->truncated;
    if (!commit(done)) return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace imagemill
