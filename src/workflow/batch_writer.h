// BatchWriter: the map run's writer thread. It commits finished batch parts to the StateStore in
// groups — everything that finished while the last commit ran goes into one transaction — and
// gives back claims that a stopping run hands it once their finished items are written.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/state_store.h"
#include "util/blocking_queue.h"
#include "workflow/records.h"

namespace imagemill {

struct WriteTask {
  FinishedBatch part;
  bool release = false;  // give the claim back once the part is written (a run that stops)
  bool holds_slot = false;  // counts against the run's batches in flight until written
};

class BatchWriter {
 public:
  // `state` must outlive the writer; `on_commit` runs on the writer thread after each commit.
  BatchWriter(StateStore& state, std::string execution, std::string owner, AnswerTarget target,
              std::function<void()> on_commit);
  ~BatchWriter();  // Close()s

  void Push(WriteTask task);
  // Writes what is queued, then stops the thread.
  void Close();

  // Tasks pushed with holds_slot whose commit has not ended yet.
  int64_t slots_pending() const { return slots_pending_.load(); }
  // Succeeded items written so far.
  int64_t results_written() const { return results_written_.load(); }
  // Parts refused because another claim holds their batch now.
  int64_t refused() const { return refused_.load(); }
  // The DatabaseError (or other exception) a commit threw, if any; later tasks are dropped.
  std::exception_ptr failure();

 private:
  void Loop();
  void Commit(std::vector<WriteTask>& group);

  StateStore& state_;
  const std::string execution_;
  const std::string owner_;
  const AnswerTarget target_;
  const std::function<void()> on_commit_;
  BlockingQueue<WriteTask> queue_;
  std::atomic<int64_t> slots_pending_{0};
  std::atomic<int64_t> results_written_{0};
  std::atomic<int64_t> refused_{0};
  std::mutex mu_;
  std::exception_ptr failure_;  // guarded by mu_
  std::atomic<bool> failed_{false};
  std::thread thread_;  // last: starts once the rest exists
};

}  // namespace imagemill
