// FakeClock: time that moves only when a test (or SleepFor) moves it, so retry and backoff are
// tested without waiting. Uniform() returns a fixed value.
#pragma once

#include <atomic>
#include <mutex>
#include <vector>

#include "util/clock.h"

namespace imagemill::testing {

class FakeClock final : public Clock {
 public:
  TimePoint Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(now_));
  }
  std::chrono::steady_clock::time_point Steady() override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(now_));
  }
  void SleepFor(Duration d) override {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(d);
    now_ += d;
  }
  double Uniform() override { return uniform_; }

  void Advance(Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }
  std::vector<Duration> sleeps() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }
  void set_uniform(double u) { uniform_ = u; }

 private:
  mutable std::mutex mu_;
  Duration now_ = std::chrono::hours(24 * 365 * 50);  // guarded by mu_
  std::vector<Duration> sleeps_;                       // guarded by mu_
  std::atomic<double> uniform_{0.5};
};

}  // namespace imagemill::testing
