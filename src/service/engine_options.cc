#include "service/engine_options.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <thread>

namespace imagemill::service {
namespace {

Status OutOfRange(const std::string& flag, const std::string& range, const std::string& value) {
  return Status::InvalidArgument(flag + " " + value + " is out of range: " + range);
}

}  // namespace

EngineOptions::EngineOptions() {
  // Larger than Rekognition's 15 MB: images are decoded here, and max_pixels guards the decoder
  // against decompression bombs.
  store.max_object_bytes = 50ull << 20;
}

Status EngineOptions::Validate() const {
  auto count = [](const char* flag, int v, int max) -> Status {
    if (v < 0 || v > max) {
      return OutOfRange(flag, "0 (automatic) to " + std::to_string(max), std::to_string(v));
    }
    return Status::Ok();
  };
  if (Status s = count("--workers", workers, kMaxThreads); !s.ok()) return s;
  if (Status s = count("--fetchers", fetchers, kMaxThreads); !s.ok()) return s;
  if (Status s = count("--dnn-threads", dnn_threads, kMaxThreads); !s.ok()) return s;
  if (Status s = count("--max-concurrency", max_concurrency, kMaxConcurrency); !s.ok()) return s;
  if (!(retry.interval_seconds > 0 && retry.interval_seconds <= 3600)) {
    return OutOfRange("--retry-interval", "more than 0 and at most 3600 seconds",
                      std::to_string(retry.interval_seconds));
  }
  if (retry.max_attempts < 0 || retry.max_attempts > 100) {
    return OutOfRange("--retry-max-attempts", "0 (no retries) to 100",
                      std::to_string(retry.max_attempts));
  }
  if (!(retry.backoff_rate >= 1.0 && retry.backoff_rate <= 10.0)) {
    return OutOfRange("--retry-backoff-rate", "1.0 to 10.0 (Step Functions' BackoffRate)",
                      std::to_string(retry.backoff_rate));
  }
  if (!(lease_seconds >= kMinLeaseSeconds && lease_seconds <= kMaxLeaseSeconds)) {
    std::ostringstream v;
    v << lease_seconds;
    return OutOfRange("--lease", "1 to 86400 seconds", v.str());
  }
  if (store.connect_timeout_ms < 1 || store.request_timeout_ms < 1) {
    return Status::InvalidArgument(
        "--store-connect-timeout-ms and --store-request-timeout-ms must be at least 1");
  }
  return Status::Ok();
}

RunOptions EngineOptions::ToRunOptions(const ExecutionSpec& spec) const {
  RunOptions o;
  o.max_concurrency = max_concurrency;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.pipeline.workers = workers > 0 ? workers : cores;
  o.pipeline.fetchers = fetchers > 0 ? fetchers : spec.source.starts_with("s3://") ? 16 : 4;
  o.pipeline.prefetch = static_cast<size_t>(2 * o.pipeline.workers + 2);
  o.pipeline.max_object_bytes = store.max_object_bytes > 0 ? store.max_object_bytes
                                                           : std::numeric_limits<uint64_t>::max();
  o.retry = retry;
  o.lease = std::chrono::milliseconds(std::llround(lease_seconds * 1000));
  o.work = work;
  o.arns = arns;
  return o;
}

}  // namespace imagemill::service
