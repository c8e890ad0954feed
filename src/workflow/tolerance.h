// Tolerance: Distributed Map's ToleratedFailurePercentage and ToleratedFailureCount. Exceeding
// either fails the map run with States.ExceedToleratedFailureThreshold. With neither set, any
// failure fails the run (as Step Functions does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace imagemill {

class Tolerance {
 public:
  Tolerance(std::optional<double> percentage, std::optional<int64_t> count)
      : percentage_(percentage), count_(count) {}

  // `total` is the number of items listed so far; `total_is_final` once listing is done. A
  // percentage is of the map run's total, so before it is known only a zero percentage (any
  // failure) and the count can be exceeded; a bucket whose broken images sort first must not
  // fail a run whose listing has not reached the rest.
  bool Exceeded(int64_t failed, int64_t total, bool total_is_final) const;
  // The Cause of the failure, with the figures.
  std::string Cause(int64_t failed, int64_t total) const;

 private:
  std::optional<double> percentage_;
  std::optional<int64_t> count_;
};

inline constexpr const char* kExceedToleratedFailureThreshold =
    "States.ExceedToleratedFailureThreshold";

}  // namespace imagemill
