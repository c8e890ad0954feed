// RetryPolicy: Step Functions' Retrier (IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds)
// with jitter, for transient errors (I/O, throttling). Permanent errors are never retried.
#pragma once

#include <chrono>

#include "util/clock.h"
#include "util/status.h"

namespace imagemill {

struct RetryPolicy {
  double interval_seconds = 2.0;  // the seed's IntervalSeconds
  int max_attempts = 6;           // retries after the first try (Step Functions' MaxAttempts)
  double backoff_rate = 2.0;      // the seed's BackoffRate
  double max_delay_seconds = 300.0;
  bool jitter = true;             // spread each delay over [delay/2, delay]

  // Whether a failure on try number `tries_so_far` (1 = the first try) is tried again.
  bool ShouldRetry(const Status& s, int tries_so_far) const {
    return s.retryable() && tries_so_far <= max_attempts;
  }
  // How long to wait before retry number `retry` (1-based). Uses `clock` for the jitter.
  Clock::Duration Delay(int retry, Clock& clock) const;
};

}  // namespace imagemill
