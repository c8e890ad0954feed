#include "objectstore/s3_retry.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace imagemill {

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
