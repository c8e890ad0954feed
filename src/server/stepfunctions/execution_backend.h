// ExecutionBackend: what the Step Functions API needs from the executions underneath — start
// one from the seed's input, describe, list, stop, redrive, change a running map run's limits —
// as plain values, so that the API is tested against a fake and served over the execution
// service (execution_service_backend.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace imagemill::server::stepfunctions {

// One execution as Step Functions shows it (its one map run included).
struct ExecutionInfo {
  std::string name;
  std::string status;  // RUNNING, SUCCEEDED, FAILED, ABORTED
  int64_t start_ms = 0;
  int64_t stop_ms = 0;  // 0 while running
  std::string input;    // the input it was started with (JSON text)
  std::string output;   // when SUCCEEDED: JSON text ({"manifest": ...} and the counts)
  std::string error, cause;
  std::string map_run_id;
  std::string map_run_status;   // RUNNING, SUCCEEDED, FAILED, ABORTED
  int64_t max_concurrency = 0;  // 0: adaptive
  double tolerated_failure_percentage = 0;
  int64_t tolerated_failure_count = 0;
  // Item counts of the map run: pending, running, succeeded, failed, timedOut, aborted, total,
  // resultsWritten.
  int64_t pending = 0, running = 0, succeeded = 0, failed = 0, timed_out = 0, aborted = 0,
          total = 0, results_written = 0;
  int redrive_count = 0;
};

struct ListFilter {
  std::string status;  // "" for any
  int limit = 100;
  std::string after;  // names after this one in the backend's order ("" from the first)
};

class ExecutionBackend {
 public:
  virtual ~ExecutionBackend() = default;

  // Starts an execution named `name` with `input` (the seed's {"myStateInput": {"Bucket",
  // "Prefix"}}) and returns once it is RUNNING. InvalidArgument naming what is wrong with the
  // input; AlreadyExists semantics are the caller's (it describes first).
  virtual Status Start(const std::string& name, const std::string& input) = 0;
  virtual std::optional<ExecutionInfo> Describe(const std::string& name) = 0;
  // Newest first.
  virtual std::vector<ExecutionInfo> List(const ListFilter& filter) = 0;
  // InvalidArgument when it is not running.
  virtual Status Stop(const std::string& name, const std::string& error,
                      const std::string& cause) = 0;
  // Runs again what failed or never ran. InvalidArgument when it cannot be redriven.
  virtual Status Redrive(const std::string& name) = 0;
  // Changes a running map run's limits; InvalidArgument when it is not running.
  virtual Status UpdateMapRun(const std::string& name, std::optional<int64_t> max_concurrency,
                              std::optional<double> tolerated_failure_percentage,
                              std::optional<int64_t> tolerated_failure_count) = 0;
};

}  // namespace imagemill::server::stepfunctions
