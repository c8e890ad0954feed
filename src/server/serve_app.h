// ServeApp: `imagemill serve` assembled — the HTTP server, the AWS JSON APIs behind SigV4, the
// pools they run on, /metrics and /healthz — over the backends it is given.
//
//   POST / with X-Amz-Target   the AWS APIs (api_router.h)
//   GET  /healthz              {"status": "ok"} while the server runs
//   GET  /metrics              Prometheus text (metrics.h)
//   anything else              404, unless a page handler (the console) takes it
//
// Binds 127.0.0.1 unless told otherwise. Requests must be signed with one of the configured
// access keys; `anonymous` (no signature checked) is refused on any address but loopback.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "events/events_api.h"
#include "events/rule_store.h"
#include "server/api_router.h"
#include "server/arn.h"
#include "server/dynamodb/dynamodb_api.h"
#include "server/events/state_machine_starter.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/rekognition/rekognition_api.h"
#include "server/sigv4_verifier.h"
#include "server/stepfunctions/stepfunctions_api.h"
#include "server/work_pool.h"
#include "util/clock.h"

namespace imagemill::server {

struct ServeConfig {
  std::string address = "127.0.0.1";
  int port = 4566;
  ArnContext arn;                           // region and account of every ARN and signature
  std::map<std::string, std::string> keys;  // access key id -> secret
  bool anonymous = false;                   // loopback only
  ServerLimits limits;
  int request_threads = 4;  // the pool of operations that may wait
  int64_t max_queued_requests = 1024;
  std::string table_name = "serverless-data-processing-table";
  bool detect_labels = true;  // open the label model for DetectLabels (DetectFaces and
                              // DetectText open their models at their first request)
  vision::LabelsProcessorOptions model;
  RekognitionOptions detect;
};

// What the APIs read and drive; owned by the caller, outliving the app.
struct ServeBackends {
  dynamodb::ItemSource* items = nullptr;  // the results table as DynamoDB items
  Clock* clock = nullptr;                 // null: the real clock
  // EventBridge's buses, rules and targets (null: no EventBridge API). Its targets start
  // executions, so it is served only with an execution backend. A store without a default bus
  // gets the seed's (events/seed_rules.h), aimed at this server's state machine.
  events::EventRuleStore* rules = nullptr;
  // The label processor DetectLabels answers with, shared with the executions (null: the app
  // opens `model` for DetectLabels alone).
  std::shared_ptr<const vision::LabelsProcessor> labels;
};

// Makes the executions behind the Step Functions API, counting into the server's metrics.
using ExecutionBackendFactory =
    std::function<std::unique_ptr<stepfunctions::ExecutionBackend>(Metrics& metrics)>;

// A handler for GET (and other non-API) requests under a path prefix: answers true when it
// took the request (and will call `respond`), false to let the server answer 404.
using PageHandler = std::function<bool(const Request& request, const Responder& respond)>;

class ServeApp {
 public:
  // Opens what the APIs need (the label model), binds and starts serving. InvalidArgument for
  // a configuration that cannot work (no access key, anonymous beyond loopback), the model's and
  // the socket's errors otherwise.
  // `executions` (may be empty: no Step Functions API) makes the execution backend, which the
  // app owns and destroys after the server has stopped taking requests.
  static Result<std::unique_ptr<ServeApp>> Start(ServeConfig config, ServeBackends backends,
                                                 const ExecutionBackendFactory& executions = {});
  ~ServeApp();  // Stop()s

  int port() const { return http_->port(); }
  Metrics& metrics() { return metrics_; }
  ApiRouter& router() { return *router_; }
  // The executions behind the Step Functions API (null without them), and the pool the
  // operations that may wait run on: for page handlers that start executions or read the database.
  stepfunctions::ExecutionBackend* executions() { return executions_.get(); }
  WorkPool& request_pool() { return *request_pool_; }
  // Adds a page handler; call before requests arrive.
  void AddPages(PageHandler pages) { pages_.push_back(std::move(pages)); }

  // Stops accepting requests, finishes those in flight, stops the pools, then the executions
  // this server runs (resumable). Idempotent.
  void Stop();

 private:
  ServeApp(ServeConfig config, ServeBackends backends);
  void Handle(Request request, Responder respond);

  ServeConfig config_;
  ServeBackends backends_;
  Metrics metrics_;
  std::unique_ptr<SigV4Verifier> verifier_;
  std::unique_ptr<WorkPool> request_pool_;
  std::unique_ptr<ApiRouter> router_;
  std::unique_ptr<dynamodb::DynamoDbApi> dynamodb_;
  std::unique_ptr<stepfunctions::ExecutionBackend> executions_;
  std::unique_ptr<stepfunctions::StepFunctionsApi> stepfunctions_;
  std::unique_ptr<StateMachineStarter> starter_;
  std::unique_ptr<events::EventsApi> events_;
  std::unique_ptr<RekognitionApi> rekognition_;
  std::vector<PageHandler> pages_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace imagemill::server
