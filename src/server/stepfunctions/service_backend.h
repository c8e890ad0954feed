// ServiceBackend: the Step Functions API's executions, run by the execution service on threads of
// the server's own (the service runs an execution on its caller's thread until it ends).
//
// The seed's input {"myStateInput": {"Bucket": B, "Prefix": P}} becomes a run over the objects of
// B under P: B is a bucket of the server's S3 endpoint ("s3://B"), or, written as a path ("/srv/
// photos", "file:///srv/photos"), a folder. {"myStateInput": {"Bucket": B, "Key": K}} (what an S3
// "Object Created" event leads to) runs over K alone — as a prefix, so keys that begin with K too.
// The processor, batch size and result writer are the server's (SeedDefaults).
//
// Start returns once the execution exists (RUNNING), not when it ends. At most `max_running`
// executions run at once in this process; more are refused (ExecutionLimitExceeded's meaning).
// Destroying the backend stops the executions it runs (resumable) and waits for them.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/metrics.h"
#include "server/stepfunctions/execution_backend.h"
#include "service/execution_service.h"

namespace imagemill::server::stepfunctions {

struct SeedDefaults {
  service::ProcessorSettings processor;  // the labels processor with its default settings
  int max_items_per_batch = 100;         // the seed's MAX_ITEMS
  std::string result_writer;             // the seed's output bucket and prefix ("" for none)
  int max_running = 4;
};

// The run the seed's input asks for: source, prefix and the defaults. InvalidArgument naming what
// is missing or wrong in the input.
Result<service::StartRequest> SeedStartRequest(const std::string& input,
                                               const SeedDefaults& defaults);

class ServiceBackend : public ExecutionBackend {
 public:
  // `service` (and `metrics`, which may be null) must outlive the backend.
  ServiceBackend(service::ExecutionService& service, SeedDefaults defaults, Metrics* metrics);
  ~ServiceBackend() override;

  Status Start(const std::string& name, const std::string& input) override;
  std::optional<ExecutionInfo> Describe(const std::string& name) override;
  std::vector<ExecutionInfo> List(const ListFilter& filter) override;
  Status Stop(const std::string& name, const std::string& error, const std::string& cause) override;
  Status Redrive(const std::string& name) override;
  Status UpdateMapRun(const std::string& name, std::optional<int64_t> max_concurrency,
                      std::optional<double> tolerated_failure_percentage,
                      std::optional<int64_t> tolerated_failure_count) override;

 private:
  struct Running;
  // Runs `work` on a thread of its own for execution `name` and waits until the execution is
  // RUNNING in the database (or `work` has failed: its error).
  Status Launch(const std::string& name,
                std::function<Status(const std::atomic<bool>* interrupt, ProgressSink* sink)> work);
  ExecutionInfo Info(const service::ExecutionView& view) const;
  void Reap();  // joins the threads of executions that have ended

  service::ExecutionService& service_;
  const SeedDefaults defaults_;
  Metrics* metrics_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Running>> running_;  // guarded by mu_
};

}  // namespace imagemill::server::stepfunctions
