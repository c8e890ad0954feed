// Clock: time, sleeping and randomness behind one small interface, so retry, backoff, leases
// and rates are tested without real sleeping (see tests/support/fake_clock.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace imagemill {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  using Duration = std::chrono::nanoseconds;

  virtual ~Clock() = default;

  // Wall-clock time (for records and leases). Thread-safe.
  virtual TimePoint Now() = 0;
  // A monotonic reading for durations and rates. Thread-safe.
  virtual std::chrono::steady_clock::time_point Steady() = 0;
  // Blocks the calling thread for `d`. Thread-safe.
  virtual void SleepFor(Duration d) = 0;
  // A uniformly distributed number in [0, 1), for jitter. Thread-safe.
  virtual double Uniform() = 0;

  // The process-wide real clock. Never null; lives for the whole program.
  static Clock& Real();
};

// "2026-11-26T23:45:49.123Z" (ISO 8601, UTC, milliseconds), as Step Functions prints dates.
std::string FormatIso8601(Clock::TimePoint t);

// Milliseconds since the Unix epoch, the form dates take in the state store.
int64_t ToUnixMillis(Clock::TimePoint t);
Clock::TimePoint FromUnixMillis(int64_t ms);

}  // namespace imagemill
