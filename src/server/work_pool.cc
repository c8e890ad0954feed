#include "server/work_pool.h"

#include <algorithm>

namespace imagemill::server {

WorkPool::WorkPool(std::string name, int threads, int64_t max_queued)
    : name_(std::move(name)), max_queued_(max_queued) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this, i] {
      while (std::optional<Task> task = queue_.Pop()) {
        --queued_;
        ++running_;
        (*task)(i);
        --running_;
      }
    });
  }
}

WorkPool::~WorkPool() { Shutdown(); }

bool WorkPool::TrySubmit(Task task) {
  if (shut_down_.load()) return false;
  int64_t n = queued_.load();
  do {
    if (n >= max_queued_) {
      ++rejected_;
      return false;
    }
  } while (!queued_.compare_exchange_weak(n, n + 1));
  if (!queue_.Push(std::move(task))) {
    --queued_;
    return false;
  }
  return true;
}

void WorkPool::Shutdown() {
  shut_down_.store(true);
  queue_.Close();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace imagemill::server
