// BlockingQueue<T>: a thread-safe FIFO between pipeline stages. With a capacity, Push blocks
// while the queue is full (back-pressure); Close wakes everyone and makes Pop return nullopt once
// the queue is empty.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace imagemill {

template <typename T>
class BlockingQueue {
 public:
  // capacity 0: unbounded.
  explicit BlockingQueue(size_t capacity = 0) : capacity_(capacity) {}

  // Blocks while full. Returns false (dropping `v`) if the queue is closed.
  bool Push(T v) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || capacity_ == 0 || q_.size() < capacity_; });
    if (closed_) return false;
    q_.push_back(std::move(v));
    not_empty_.notify_one();
    return true;
  }

  size_t Size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return q_.size();
  }

  // Appends all of `vs` under one lock (ignoring the capacity: the caller bounds the total).
  // Returns false if the queue is closed.
  bool PushMany(std::vector<T> vs) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    for (T& v : vs) q_.push_back(std::move(v));
    if (vs.size() == 1) {
      not_empty_.notify_one();
    } else if (!vs.empty()) {
      not_empty_.notify_all();
    }
    return true;
  }

  // Blocks until an element is available (or the queue is closed and empty), then takes a fair
  // share of what is queued: 1 + size / (2 * consumers), at most `max`. Consumers that find a
  // backlog take several at once instead of waking once per element.
  std::vector<T> PopShare(size_t consumers, size_t max) {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !q_.empty(); });
    size_t n = std::min({q_.size(), max, 1 + q_.size() / (2 * std::max<size_t>(1, consumers))});
    std::vector<T> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      out.push_back(std::move(q_.front()));
      q_.pop_front();
    }
    if (n > 0) not_full_.notify_all();
    return out;
  }

  // Blocks until an element is available or the queue is closed and empty.
  std::optional<T> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !q_.empty(); });
    return TakeLocked();
  }

  // As Pop, but gives up after `timeout`.
  template <typename Rep, typename Period>
  std::optional<T> PopFor(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait_for(lock, timeout, [&] { return closed_ || !q_.empty(); });
    return TakeLocked();
  }

  // Removes and returns everything queued now, without blocking.
  std::vector<T> Drain() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<T> out;
    out.reserve(q_.size());
    for (T& v : q_) out.push_back(std::move(v));
    q_.clear();
    not_full_.notify_all();
    return out;
  }

  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mu_);
    return q_.size();
  }

 private:
  std::optional<T> TakeLocked() {
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> q_;     // guarded by mu_
  bool closed_ = false;  // guarded by mu_
};

}  // namespace imagemill
