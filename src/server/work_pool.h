// WorkPool: a fixed set of threads running tasks from a bounded queue, for work an HTTP I/O
// thread must not do itself (DetectLabels' inference, database reads that may wait). A full
// queue refuses new tasks at once instead of blocking: the caller answers "throttled" while the
// server stays responsive. Each task learns which of the pool's threads runs it, so a service
// can keep per-thread state (a network is not thread-safe).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "util/blocking_queue.h"

namespace imagemill::server {

class WorkPool {
 public:
  using Task = std::function<void(int thread_index)>;

  // `threads` >= 1 threads; at most `max_queued` tasks waiting (running ones not counted).
  WorkPool(std::string name, int threads, int64_t max_queued);
  ~WorkPool();  // Shutdown()s
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task`; false (dropping it) when max_queued tasks already wait or the pool is shut
  // down. Thread-safe.
  bool TrySubmit(Task task);

  // Runs the tasks already queued, then joins the threads. Later TrySubmit calls fail.
  void Shutdown();

  int threads() const { return static_cast<int>(threads_.size()); }
  int64_t queued() const { return queued_.load(); }
  int64_t running() const { return running_.load(); }
  int64_t rejected() const { return rejected_.load(); }
  const std::string& name() const { return name_; }

 private:
  const std::string name_;
  const int64_t max_queued_;
  BlockingQueue<Task> queue_;
  std::atomic<int64_t> queued_{0};
  std::atomic<int64_t> running_{0};
  std::atomic<int64_t> rejected_{0};
  std::atomic<bool> shut_down_{false};
  std::vector<std::thread> threads_;
};

}  // namespace imagemill::server
