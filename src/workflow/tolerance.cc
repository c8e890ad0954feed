#include "workflow/tolerance.h"

#include <cstdio>

namespace imagemill {

bool Tolerance::Exceeded(int64_t failed, int64_t total, bool total_is_final) const {
  if (failed == 0) return false;
  if (!percentage_ && !count_) return true;
  if (count_ && failed > *count_) return true;
  if (percentage_ && *percentage_ == 0) return true;
  if (percentage_ && total_is_final && total > 0 &&
      static_cast<double>(failed) * 100.0 > *percentage_ * static_cast<double>(total)) {
    return true;
  }
  return false;
}

std::string Tolerance::Cause(int64_t failed, int64_t total) const {
  char buf[256];
  double pct = total > 0 ? 100.0 * static_cast<double>(failed) / static_cast<double>(total) : 100;
  std::string limit;
  if (percentage_) limit += "ToleratedFailurePercentage " + std::to_string(*percentage_).substr(0, 5);
  if (count_) limit += std::string(limit.empty() ? "" : ", ") + "ToleratedFailureCount " +
                       std::to_string(*count_);
  if (limit.empty()) limit = "no failures tolerated";
  std::snprintf(buf, sizeof(buf),
                "The tolerated failure threshold was exceeded: %lld of %lld items failed "
                "(%.2f%%), over %s.",
                static_cast<long long>(failed), static_cast<long long>(total), pct, limit.c_str());
  return buf;
}

}  // namespace imagemill
