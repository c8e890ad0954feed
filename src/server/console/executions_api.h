// ExecutionsApi: the console's JSON about executions. Reads go to the execution service; start,
// stop and redrive go to the Step Functions backend, which runs executions on threads of the
// server (so the console and StartExecution share the --max-running-executions limit).
//
//   GET  /console/api/executions               newest first: status, counts, rate, ETA
//   GET  /console/api/executions/NAME          the same for one, with tolerance, timings and its
//                                              first failed and skipped items (error and cause)
//   POST /console/api/executions               {"bucket": B, "prefix": P} (the seed's input)
//   POST /console/api/executions/NAME/stop
//   POST /console/api/executions/NAME/redrive
//
// Errors are {"message"} with 400 (bad input, naming what to change), 404 (no such execution),
// 409 (not in a state that allows it), 429 (too many running). Thread-safe; calls may wait on
// the database, so they run on the server's request pool.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "server/console/query_params.h"
#include "server/http_message.h"
#include "server/stepfunctions/execution_backend.h"
#include "service/execution_service.h"
#include "util/clock.h"

namespace imagemill::server::console {

// A JSON answer, and an error answer {"message": ...}.
Response JsonResponse(int status, const nlohmann::json& body);
Response ErrorResponse(int status, const std::string& message);

class ExecutionsApi {
 public:
  // `backend` may be null: the console then only shows executions. All must outlive this.
  ExecutionsApi(service::ExecutionService& service, stepfunctions::ExecutionBackend* backend,
                Clock& clock);

  Response List(const QueryParams& query);
  Response Describe(const std::string& name);
  Response Start(const std::string& body);
  Response Stop(const std::string& name);
  Response Redrive(const std::string& name);

  // An execution as the console shows it: ExecutionView's JSON plus startMs, stopMs, the rate
  // (items finished a second) and the ETA (seconds; null while nothing has finished).
  nlohmann::json ToJson(const service::ExecutionView& view);

 private:
  Response ActionAnswer(const Status& status, const std::string& name);

  service::ExecutionService& service_;
  stepfunctions::ExecutionBackend* backend_;
  Clock& clock_;
};

}  // namespace imagemill::server::console
