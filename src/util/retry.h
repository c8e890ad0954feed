// RetryPolicy: the one rule for trying a failed operation again — Step Functions' Retrier
// (IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds) with jitter, honouring a delay the
// failure itself asks for (an S3 Retry-After). Only transient failures (Io, Throttled) are tried
// again. A map run's items are retried by its scheduler without any thread sleeping; what must
// wait where it stands (listing a page, writing a result file, the start-up check) calls
// CallWithRetry.
#pragma once

#include <chrono>
#include <functional>

#include "util/clock.h"
#include "util/status.h"

namespace imagemill {

struct RetryPolicy {
  double interval_seconds = 2.0;  // the seed's IntervalSeconds
  int max_attempts = 6;           // retries after the first try (Step Functions' MaxAttempts)
  double backoff_rate = 2.0;      // the seed's BackoffRate
  double max_delay_seconds = 300.0;
  bool jitter = true;  // spread each delay over [delay/2, delay]
  // A server's Retry-After longer than this is cut to it: it cannot park work for an hour.
  std::chrono::seconds max_retry_after{60};

  // Whether a failure on try number `tries_so_far` (1 = the first try) is tried again.
  bool ShouldRetry(const Status& s, int tries_so_far) const {
    return s.retryable() && tries_so_far <= max_attempts;
  }
  // How long to wait before retry number `retry` (1-based) after `failure`: the backoff, or the
  // delay the failure asks for when longer. Uses `clock` for the jitter.
  Clock::Duration Delay(int retry, Clock& clock, const Status& failure = Status::Ok()) const;
};

// Calls `fn` until it succeeds, fails for good, or `policy` gives up; sleeps (on `clock`)
// between tries. The last failure is returned.
template <typename T>
Result<T> CallWithRetry(const RetryPolicy& policy, Clock& clock,
                        const std::function<Result<T>()>& fn) {
  for (int tries = 1;; ++tries) {
    Result<T> r = fn();
    if (r.ok() || !policy.ShouldRetry(r.status(), tries)) return r;
    clock.SleepFor(policy.Delay(tries, clock, r.status()));
  }
}

inline Status CallWithRetry(const RetryPolicy& policy, Clock& clock,
                            const std::function<Status()>& fn) {
  for (int tries = 1;; ++tries) {
    Status s = fn();
    if (s.ok() || !policy.ShouldRetry(s, tries)) return s;
    clock.SleepFor(policy.Delay(tries, clock, s));
  }
}

}  // namespace imagemill
