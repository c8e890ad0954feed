// ApiRouter: the AWS JSON protocols on `POST /`. A request names its operation in X-Amz-Target
// ("DynamoDB_20120810.GetItem"); the router finds the service by the part before the dot,
// checks the SigV4 signature for that service's signing name, parses the body as a JSON object
// and runs the operation, then answers with the service's content type
// (application/x-amz-json-1.0 or 1.1), an x-amzn-RequestId, and either the result or
// {"__type", "message"}:
//
//   no or unknown X-Amz-Target         400 UnknownOperationException
//   bad signature, unknown key, ...    403 (sigv4_verifier.h)
//   body not a JSON object             400 SerializationException
//   operation queue full               400 ThrottlingException (the service's own name for it)
//   an exception out of an operation   500 InternalServerError
//
// Cheap operations run on the I/O thread that read the request; those that may take long run
// on a work pool, so a slow one never holds up the others. Thread-safe after set-up (Add* calls
// happen before the server starts).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "server/aws_error.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/sigv4_verifier.h"
#include "server/work_pool.h"
#include "util/clock.h"

namespace imagemill::server {

struct ServiceInfo {
  std::string target_prefix;    // "DynamoDB_20120810"
  std::string signing_name;     // "dynamodb": the service part of the credential scope
  std::string json_version;     // "1.0" or "1.1"
  std::string throttling_type;  // "ThrottlingException", "ProvisionedThroughputExceededException"
};

using Json = nlohmann::json;
// A synchronous operation: the request's JSON object to the response's, or an AWS error.
using Operation = std::function<AwsResult<Json>(const Json& request)>;
// Answers once, from any thread.
using OperationDone = std::function<void(AwsResult<Json>)>;
// An asynchronous operation: queues its own work and calls `done` when finished.
using AsyncOperation = std::function<void(Json request, OperationDone done)>;

enum class Lane {
  kInline,  // on the I/O thread: microseconds, never waits
  kPool,    // on the request pool: may wait on a database or an object store
};

class ApiRouter {
 public:
  // `verifier` null: requests are not authenticated (loopback only; the caller enforces that).
  // `pool` runs the kPool operations. All must outlive the router.
  ApiRouter(const SigV4Verifier* verifier, Metrics& metrics, Clock& clock, WorkPool& pool);

  void AddService(ServiceInfo service);
  // `target` is "<prefix>.<Operation>" of a service added before.
  void AddOperation(const std::string& target, Lane lane, Operation op);
  void AddAsyncOperation(const std::string& target, AsyncOperation op);

  // Handles one API request; answers through `respond`.
  void Handle(Request request, Responder respond) const;

  // True when `request` is for this router: POST with an X-Amz-Target header.
  static bool IsApiRequest(const Request& request);

 private:
  struct Entry {
    const ServiceInfo* service = nullptr;
    Lane lane = Lane::kInline;
    Operation op;
    AsyncOperation async_op;
  };

  const SigV4Verifier* verifier_;
  Metrics& metrics_;
  Clock& clock_;
  WorkPool& pool_;
  std::map<std::string, std::unique_ptr<ServiceInfo>> services_;  // by target prefix
  std::map<std::string, Entry> operations_;                       // by full target
};

// Runs `op` on `request`, turning an exception into InternalServerError.
AwsResult<Json> RunOperation(const Operation& op, const Json& request);

}  // namespace imagemill::server
