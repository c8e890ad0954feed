// ItemReader: Distributed Map's ItemReader (s3:listObjectsV2) streaming into the state store.
// Lists the source under the prefix page by page from the execution's cursor, drops items whose
// ETag already has a result (unless forced), cuts the rest into batches, and saves batches and
// cursor together, so a resumed run lists on from where the last one stopped and never batches an
// item twice. Lists up to two pages ahead, on a thread of its own, while it saves; holds at most
// one commit's worth of items and those pages in memory.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "objectstore/object_store.h"
#include "db/results_table.h"
#include "db/state_store.h"
#include "util/clock.h"
#include "workflow/execution_spec.h"
#include "util/retry.h"

namespace imagemill {

class ItemReader {
 public:
  // All references must outlive the reader.
  ItemReader(ObjectStore& source, StateStore& state, ResultsTable& results,
             const ExecutionSpec& spec, std::string execution, const RetryPolicy& retry,
             Clock& clock);

  // Lists from `cursor` to the end. `on_step` is called after each saved step (from this
  // thread). Returns early, OK, when `stop` becomes true. A listing that fails for good (after
  // retries) returns its Status: the run cannot know its items.
  Status Run(std::string cursor, const std::atomic<bool>& stop,
             const std::function<void(const ListingStep&)>& on_step);

  static constexpr size_t kPageSize = 1000;

 private:
  Result<ListPage> ListWithRetry(const std::string& after, const std::atomic<bool>& stop);

  ObjectStore& source_;
  StateStore& state_;
  ResultsTable& results_;
  const ExecutionSpec& spec_;
  const std::string execution_;
  const RetryPolicy& retry_;
  Clock& clock_;
};

}  // namespace imagemill
