#include "workflow/batch_writer.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace imagemill {

BatchWriter::BatchWriter(StateStore& state, std::string execution, std::string owner,
                         AnswerTarget target, std::function<void()> on_commit)
    : state_(state),
      execution_(std::move(execution)),
      owner_(std::move(owner)),
      target_(std::move(target)),
      on_commit_(std::move(on_commit)),
      thread_([this] { Loop(); }) {}

BatchWriter::~BatchWriter() { Close(); }

void BatchWriter::Push(WriteTask task) {
  if (task.holds_slot) ++slots_pending_;
  queue_.Push(std::move(task));
}

void BatchWriter::Close() {
  queue_.Close();
  if (thread_.joinable()) thread_.join();
}

std::exception_ptr BatchWriter::failure() {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

void BatchWriter::Loop() {
  while (std::optional<WriteTask> first = queue_.Pop()) {
    // Everything that finished while the last commit ran goes into the same transaction: one
    // commit per group, not per batch. No waiting for more: a batch holds its slot until it is
    // written, so with few slots (--max-concurrency 4) nothing more may come until this commit.
    std::vector<WriteTask> group;
    size_t items = first->part.outcomes.size();
    group.push_back(std::move(*first));
    while (items < 5000) {
      std::optional<WriteTask> more = queue_.PopFor(std::chrono::steady_clock::duration::zero());
      if (!more) break;
      items += more->part.outcomes.size();
      group.push_back(std::move(*more));
    }
    if (!failed_) {
      try {
        Commit(group);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        failure_ = std::current_exception();
        failed_ = true;
      }
    }
    for (const WriteTask& t : group) slots_pending_ -= t.holds_slot ? 1 : 0;
    if (on_commit_) on_commit_();
  }
}

void BatchWriter::Commit(std::vector<WriteTask>& group) {
  std::vector<FinishedBatch> parts;
  parts.reserve(group.size());
  for (WriteTask& t : group) parts.push_back(std::move(t.part));
  std::vector<int64_t> written = state_.CompleteBatches(execution_, owner_, target_, parts);
  int64_t succeeded = 0;
  std::vector<std::pair<int64_t, int>> release;
  for (size_t i = 0; i < parts.size(); ++i) {
    const FinishedBatch& p = parts[i];
    if (std::find(written.begin(), written.end(), p.seq) == written.end()) {
      ++refused_;
      spdlog::warn("batch {} of {} was taken over by another worker; its results were not "
                   "written by this one", p.seq, execution_);
      continue;
    }
    for (const ItemOutcome& o : p.outcomes) succeeded += o.status == ItemStatus::kSucceeded;
    if (group[i].release) release.emplace_back(p.seq, p.attempt);
  }
  if (!release.empty()) state_.ReleaseBatches(execution_, owner_, release);
  results_written_ += succeeded;
}

}  // namespace imagemill
