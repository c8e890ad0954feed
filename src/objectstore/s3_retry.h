// The delay an S3 server asks for in Retry-After, which the failure carries to the caller's
// RetryPolicy (util/retry.h): the one place that decides when a request is tried again.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "util/clock.h"

namespace imagemill {

// A Retry-After header value: delay-seconds ("5") or an HTTP date, relative to `now`;
// nullopt when malformed. A date in the past is a zero delay.
std::optional<Clock::Duration> ParseRetryAfter(std::string_view value, Clock::TimePoint now);

}  // namespace imagemill
