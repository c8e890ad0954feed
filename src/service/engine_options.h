// EngineOptions: how the engine runs an execution on this process — threads, limits, retries,
// the object-store settings. None of it changes what an execution is, so a resumed run may change
// any of it. Every number has a range; 0 means "automatic" for a count and "no limit" for a limit,
// wherever 0 is allowed.
#pragma once

#include <cstdint>
#include <string>

#include "objectstore/object_store.h"
#include "util/status.h"
#include "workflow/execution_spec.h"
#include "util/retry.h"
#include "workflow/run_options.h"

namespace imagemill::service {

struct EngineOptions {
  int max_concurrency = 0;  // batches in flight; 0: automatic (RunOptions::max_concurrency)
  int workers = 0;          // processing threads; 0: one per core
  int fetchers = 0;         // fetching threads; 0: 4, or 16 for s3://
  int dnn_threads = 1;      // OpenCV's threads, process-wide; 0: 1
  uint64_t max_pixels = 100'000'000;  // images over this are TooLarge; 0: no limit
  RetryPolicy retry;
  // How long a claimed batch stays this process's without a heartbeat (RunOptions::lease); the
  // heartbeat renews it every third of it. 1 to 86400 seconds.
  double lease_seconds = 60;
  StoreOptions store;  // endpoint, credentials, timeouts, max_object_bytes (0: no limit)
  StateMachineArns arns;  // the ARNs result files name (a server's state machine, region, account)
  // False (run --no-work): process no item here; list, follow and finish what workers run
  // (RunOptions::work).
  bool work = true;

  EngineOptions();
  // InvalidArgument naming the flag and its range for a value out of it (NaN included).
  Status Validate() const;
  // The engine's options for a run of `spec` (its source decides the fetchers' default).
  RunOptions ToRunOptions(const ExecutionSpec& spec) const;
};

// The ranges Validate() checks, for help texts.
inline constexpr int kMaxThreads = 256;
inline constexpr int kMaxConcurrency = 10000;
inline constexpr double kMinLeaseSeconds = 1;
inline constexpr double kMaxLeaseSeconds = 86400;

}  // namespace imagemill::service
