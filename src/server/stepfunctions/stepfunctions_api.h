// StepFunctionsApi: Step Functions' JSON API (AWSStepFunctions, JSON 1.0) for the one state
// machine that is the seed's, "serverless-data-processing" (a Distributed Map over an S3 listing
// that labels each image), over an ExecutionBackend.
//
//   ListStateMachines, DescribeStateMachine   the seed's state machine and its ASL definition
//   StartExecution                            the seed's input; a name is idempotent as AWS
//                                             defines it (same name and input while running: the
//                                             same execution; otherwise ExecutionAlreadyExists)
//   DescribeExecution, ListExecutions         status filter, pagination (nextToken)
//   StopExecution, RedriveExecution
//   ListMapRuns, DescribeMapRun, UpdateMapRun itemCounts and executionCounts (a batch is a child
//                                             execution), tolerance, maxConcurrency
//   GetExecutionHistory                       ExecutionStarted, MapRunStarted, then how it ended
//
// ARNs are AWS's (arn.h); dates are epoch seconds; errors carry Step Functions' names
// (ExecutionDoesNotExist, StateMachineDoesNotExist, InvalidArn, InvalidName,
// InvalidExecutionInput, ExecutionAlreadyExists, ResourceNotFound, ValidationException).
// Thread-safe when the backend is.
#pragma once

#include <string>

#include "server/api_router.h"
#include "server/arn.h"
#include "server/stepfunctions/execution_backend.h"
#include "util/clock.h"

namespace imagemill::server::stepfunctions {

inline constexpr const char* kStateMachineName = "serverless-data-processing";

// The seed's state machine in the Amazon States Language, as DescribeStateMachine shows it.
std::string SeedDefinition();

class StepFunctionsApi {
 public:
  // `backend` and `clock` must outlive the API.
  StepFunctionsApi(ArnContext arn, ExecutionBackend& backend, Clock& clock);

  AwsResult<Json> ListStateMachines(const Json& request);
  AwsResult<Json> DescribeStateMachine(const Json& request);
  AwsResult<Json> StartExecution(const Json& request);
  AwsResult<Json> DescribeExecution(const Json& request);
  AwsResult<Json> ListExecutions(const Json& request);
  AwsResult<Json> StopExecution(const Json& request);
  AwsResult<Json> RedriveExecution(const Json& request);
  AwsResult<Json> ListMapRuns(const Json& request);
  AwsResult<Json> DescribeMapRun(const Json& request);
  AwsResult<Json> UpdateMapRun(const Json& request);
  AwsResult<Json> GetExecutionHistory(const Json& request);

  void Register(ApiRouter& router);
  static ServiceInfo Service();

  std::string StateMachineArn() const;
  std::string ExecutionArnOf(const std::string& name) const;

 private:
  // The execution an ARN names (InvalidArn, ExecutionDoesNotExist otherwise).
  AwsResult<ExecutionInfo> Execution(const Json& request, const char* member);
  std::optional<AwsError> CheckStateMachine(const Json& request, bool required);

  const ArnContext arn_;
  ExecutionBackend& backend_;
  Clock& clock_;
  const int64_t created_ms_;
};

}  // namespace imagemill::server::stepfunctions
