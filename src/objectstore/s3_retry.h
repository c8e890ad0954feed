// When an S3 request is tried again: exponential backoff with full jitter, Retry-After honoured,
// and more patience when the store asks us to slow down (503 SlowDown, 429) than for other
// transient failures (network errors, 500, 502, 504). Time and randomness come from a Clock so
// tests need not sleep.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "util/clock.h"

namespace imagemill {

struct S3RetryOptions {
  int max_attempts = 4;             // network errors, 500, 502, 504, RequestTimeout
  int max_throttled_attempts = 10;  // 503 (SlowDown) and 429
  Clock::Duration base_delay = std::chrono::milliseconds(100);
  Clock::Duration throttled_base_delay = std::chrono::milliseconds(500);
  Clock::Duration max_delay = std::chrono::seconds(20);
  // A Retry-After longer than this is cut to it, so a server cannot park a worker for an hour.
  Clock::Duration max_retry_after = std::chrono::seconds(60);
};

// How long to wait after failed attempt number `attempt` (1 for the first) before the next:
// uniform in [0, min(max_delay, base * 2^(attempt-1))), but never less than `retry_after`
// (itself capped at max_retry_after). Thread-safe when the clock is.
Clock::Duration BackoffDelay(const S3RetryOptions& options, int attempt, bool throttled,
                             std::optional<Clock::Duration> retry_after, Clock& clock);

// A Retry-After header value: delay-seconds ("5") or an HTTP date, relative to `now`;
// nullopt when malformed. A date in the past is a zero delay.
std::optional<Clock::Duration> ParseRetryAfter(std::string_view value, Clock::TimePoint now);

}  // namespace imagemill
