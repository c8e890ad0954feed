#include "workflow/item_reader.h"

#include <algorithm>

#include <spdlog/spdlog.h>

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
    clock_.SleepFor(retry_.Delay(tries, clock_));
  }
}

Status ItemReader::Run(std::string cursor, const std::atomic<bool>& stop,
                       const std::function<void(const ListingStep&)>& on_step) {
  // Steps commit at batch boundaries where possible: a step closes once it holds at least this
  // many items, flushing a partial batch only then (or at the end of the listing).
  const size_t step_items = std::max<size_t>(kPageSize, static_cast<size_t>(spec_.max_items_per_batch));
  Batcher batcher(spec_.max_items_per_batch, spec_.max_input_bytes_per_batch);
  ListingStep step;
  // Only results stored before the listing started can make an item unchanged: into an empty
  // table (a first run) nothing is looked up. Results written meanwhile (by this run or another
  // process) at worst make an image be processed twice, never skipped wrongly.
  const bool look_up = !spec_.force && !results_.Empty();
  std::string committed = cursor;  // the cursor as saved
  std::string listed_to = cursor;  // the last key listed
  size_t step_size = 0;

  auto commit = [&](bool done) -> bool {
    if (done || step_size >= step_items) {
      if (std::optional<BatchRecord> b = batcher.Flush()) step.batches.push_back(std::move(*b));
    }
    if (!batcher.empty() && !done) return true;  // wait for the batch boundary
    step.cursor = listed_to;
    step.done = done;
    if (!state_.AppendListing(execution_, committed, step)) {
      // Another lister of this execution moved the cursor: continue from where it is.
      std::optional<ExecutionRecord> e = state_.GetExecution(execution_);
      if (!e || e->listing_done) return false;
      committed = listed_to = e->cursor;
      batcher = Batcher(spec_.max_items_per_batch, spec_.max_input_bytes_per_batch);
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
    Result<ListPage> page = ListWithRetry(listed_to, stop);
    if (!page.ok()) {
      if (stop.load()) return Status::Ok();
      return Status(page.status().code(), "listing " + source_.Uri() + " under prefix '" +
                                              spec_.prefix + "' failed: " +
                                              page.status().message());
    }
    std::vector<bool> unchanged(page->objects.size(), false);
    if (look_up && !page->objects.empty()) {
      unchanged = results_.Unchanged(page->objects, spec_.processor);
    }
    for (size_t i = 0; i < page->objects.size(); ++i) {
      ObjectInfo& item = page->objects[i];
      listed_to = item.key;
      ++step.listed;
      ++step_size;
      if (unchanged[i]) {
        ++step.unchanged;
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
