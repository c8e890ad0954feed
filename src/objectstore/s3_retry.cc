#include "objectstore/s3_retry.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace imagemill {

Clock::Duration BackoffDelay(const S3RetryOptions& options, int attempt, bool throttled,
                             std::optional<Clock::Duration> retry_after, Clock& clock) {
  const Clock::Duration base = throttled ? options.throttled_base_delay : options.base_delay;
  const int shift = std::clamp(attempt - 1, 0, 30);
  Clock::Duration cap = base;
  for (int i = 0; i < shift && cap < options.max_delay; ++i) cap *= 2;
  cap = std::min(cap, options.max_delay);
  auto jittered = std::chrono::duration_cast<Clock::Duration>(
      std::chrono::duration<double, std::nano>(static_cast<double>(cap.count()) * clock.Uniform()));
  if (retry_after) jittered = std::max(jittered, std::min(*retry_after, options.max_retry_after));
  return jittered;
}

std::optional<Clock::Duration> ParseRetryAfter(std::string_view value, Clock::TimePoint now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  auto delay = Clock::TimePoint(std::chrono::seconds(when)) - now;
  return std::max(Clock::Duration::zero(), std::chrono::duration_cast<Clock::Duration>(delay));
}

}  // namespace imagemill
