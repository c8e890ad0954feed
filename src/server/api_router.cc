#include "server/api_router.h"

#include <spdlog/spdlog.h>

#include "server/json_body.h"
#include "util/ids.h"

namespace imagemill::server {
namespace {

using Steady = std::chrono::steady_clock;

std::string ContentType(const ServiceInfo* service) {
  return "application/x-amz-json-" + (service ? service->json_version : std::string("1.1"));
}

}  // namespace

AwsResult<Json> RunOperation(const Operation& op, const Json& request) {
  try {
    return op(request);
  } catch (const std::exception& e) {
    spdlog::error("an operation failed: {}", e.what());
    return AwsError::Internal(std::string("the server failed: ") + e.what() +
                              " (see the server's log; try again)");
  }
}

ApiRouter::ApiRouter(const SigV4Verifier* verifier, Metrics& metrics, Clock& clock, WorkPool& pool)
    : verifier_(verifier), metrics_(metrics), clock_(clock), pool_(pool) {}

void ApiRouter::AddService(ServiceInfo service) {
  auto prefix = service.target_prefix;
  services_[prefix] = std::make_unique<ServiceInfo>(std::move(service));
}

void ApiRouter::AddOperation(const std::string& target, Lane lane, Operation op) {
  Entry e;
  e.service = services_.at(target.substr(0, target.find('.'))).get();
  e.lane = lane;
  e.op = std::move(op);
  operations_[target] = std::move(e);
}

void ApiRouter::AddAsyncOperation(const std::string& target, AsyncOperation op) {
  Entry e;
  e.service = services_.at(target.substr(0, target.find('.'))).get();
  e.async_op = std::move(op);
  operations_[target] = std::move(e);
}

bool ApiRouter::IsApiRequest(const Request& request) {
  return request.method == "POST" && request.HasHeader("X-Amz-Target");
}

void ApiRouter::Handle(Request request, Responder respond) const {
  const Steady::time_point start = Steady::now();
  const std::string target(request.Header("X-Amz-Target"));
  const std::string prefix = target.substr(0, target.find('.'));
  auto service_it = services_.find(prefix);
  const ServiceInfo* service = service_it == services_.end() ? nullptr : service_it->second.get();
  const std::string request_id = NewUuid();

  // Every answer goes through here: headers, metrics.
  auto finish = [this, respond, service, target, request_id, start](AwsResult<Json> result) {
    Response r;
    if (result.ok()) {
      r.content_type = ContentType(service);
      r.body = result->dump(-1, ' ', false, Json::error_handler_t::replace);
    } else {
      r = AwsErrorResponse(result.error(), ContentType(service));
    }
    r.headers.emplace_back("x-amzn-RequestId", request_id);
    metrics_.ObserveRequest(service ? target : "unknown", r.status,
                            std::chrono::duration<double>(Steady::now() - start).count());
    respond(std::move(r));
  };

  if (service == nullptr) {
    return finish(AwsError{400, "UnknownOperationException",
                           "X-Amz-Target '" + target +
                               "' names no service this server answers (it answers "
                               "AWSEvents, AWSStepFunctions, DynamoDB_20120810 and "
                               "RekognitionService)."});
  }
  if (verifier_ != nullptr) {
    AwsResult<Caller> caller = verifier_->Verify(request, service->signing_name, clock_.Now());
    if (!caller.ok()) return finish(caller.error());
  }
  auto op_it = operations_.find(target);
  if (op_it == operations_.end()) {
    return finish(AwsError{400, "UnknownOperationException",
                           "'" + target + "' is not an operation this server answers."});
  }
  Json body;
  if (request.body.empty()) {
    body = Json::object();
  } else {
    body = ParseJsonBody(request.body);
    if (body.is_discarded()) {
      return finish(AwsError::Serialization(
          "The request body is not valid JSON: send a JSON object, as the AWS SDKs do."));
    }
    if (!body.is_object()) {
      return finish(AwsError::Serialization("The request body must be a JSON object, not " +
                                            std::string(body.type_name()) + "."));
    }
  }
  const Entry& entry = op_it->second;
  if (entry.async_op) {
    return entry.async_op(std::move(body), finish);
  }
  if (entry.lane == Lane::kInline) {
    return finish(RunOperation(entry.op, body));
  }
  const Operation* op = &entry.op;
  auto shared_body = std::make_shared<Json>(std::move(body));
  if (!pool_.TrySubmit(
          [op, shared_body, finish](int) { finish(RunOperation(*op, *shared_body)); })) {
    finish(AwsError{400, service->throttling_type,
                    "Rate exceeded: " + std::to_string(pool_.queued()) +
                        " requests are waiting; slow down and retry."});
  }
}

}  // namespace imagemill::server
