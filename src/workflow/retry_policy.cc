#include "workflow/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace imagemill {

Clock::Duration RetryPolicy::Delay(int retry, Clock& clock) const {
  double seconds = interval_seconds * std::pow(backoff_rate, std::max(0, retry - 1));
  seconds = std::min(seconds, max_delay_seconds);
  if (jitter) seconds = seconds / 2 + clock.Uniform() * seconds / 2;
  return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace imagemill
