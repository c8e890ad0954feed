#include "util/retry.h"

#include <algorithm>
#include <cmath>

namespace imagemill {

Clock::Duration RetryPolicy::Delay(int retry, Clock& clock, const Status& failure) const {
  double seconds = interval_seconds * std::pow(backoff_rate, std::max(0, retry - 1));
  seconds = std::min(seconds, max_delay_seconds);
  if (jitter) seconds = seconds / 2 + clock.Uniform() * seconds / 2;
  auto delay = std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(seconds));
  if (std::optional<std::chrono::milliseconds> asked = failure.retry_after()) {
    delay = std::max<Clock::Duration>(delay, std::min<Clock::Duration>(*asked, max_retry_after));
  }
  return delay;
}

}  // namespace imagemill
