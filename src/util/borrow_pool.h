// BorrowPool<T>: at most `capacity` objects that are expensive to make and used by one thread at a
// time (a set of networks), lent to whoever asks and given back when the lease ends. An object is
// made by the factory the first time every existing one is out and fewer than `capacity` exist;
// beyond that Borrow waits for one to come back. Objects are kept until the pool goes.
//
// Thread-safe. The pool must outlive its leases.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "util/status.h"

namespace imagemill {

template <typename T>
class BorrowPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<T>>()>;

  // An object on loan: gives it back when destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), object_(std::move(other.object_)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (object_) pool_->GiveBack(std::move(object_));
    }
    T& operator*() const { return *object_; }
    T* operator->() const { return object_.get(); }

   private:
    friend class BorrowPool;
    Lease(BorrowPool* pool, std::unique_ptr<T> object) : pool_(pool), object_(std::move(object)) {}
    BorrowPool* pool_;
    std::unique_ptr<T> object_;
  };

  // REQUIRES: capacity >= 1.
  BorrowPool(int capacity, Factory factory) : capacity_(capacity), factory_(std::move(factory)) {}

  // An idle object, a new one, or (all `capacity` out) the first to come back. The factory's
  // error when making one fails (the pool may try again on the next call).
  Result<Lease> Borrow() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || made_ < capacity_; });
    if (!idle_.empty()) {
      std::unique_ptr<T> object = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(object));
    }
    ++made_;
    lock.unlock();
    Result<std::unique_ptr<T>> made = factory_();
    if (!made.ok()) {
      std::lock_guard<std::mutex> relock(mu_);
      --made_;
      cv_.notify_one();
      return made.status();
    }
    return Lease(this, std::move(made).value());
  }

  // Objects made so far (at most capacity()).
  int made() const {
    std::lock_guard<std::mutex> lock(mu_);
    return made_;
  }
  int capacity() const { return capacity_; }

 private:
  void GiveBack(std::unique_ptr<T> object) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      idle_.push_back(std::move(object));
    }
    cv_.notify_one();
  }

  const int capacity_;
  const Factory factory_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int made_ = 0;                          // guarded by mu_
  std::vector<std::unique_ptr<T>> idle_;  // guarded by mu_
};

}  // namespace imagemill
