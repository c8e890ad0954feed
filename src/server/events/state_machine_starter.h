// StateMachineStarter: how an EventBridge target starts an execution in `imagemill serve`. The
// target's input goes to the Step Functions API's StartExecution, as EventBridge hands it to
// Step Functions: under a new name (a UUID), for the state machine the target's Arn names. So an
// event's run is checked, limited and named like one a user starts, and is followed with the
// same DescribeExecution.
//
// A target whose Arn is not the server's state machine, an input the state machine cannot run
// (not the seed's {"myStateInput": ...}) or a server running its most executions: the start fails
// with the reason, which EventBridge's caller sees in the server's log (PutEvents itself succeeds,
// as EventBridge's does when a target fails).
#pragma once

#include "events/execution_starter.h"
#include "server/stepfunctions/stepfunctions_api.h"

namespace imagemill::server {

class StateMachineStarter final : public events::ExecutionStarter {
 public:
  // `api` must outlive the starter.
  explicit StateMachineStarter(stepfunctions::StepFunctionsApi& api) : api_(api) {}

  // The new execution's ARN once it is RUNNING. InvalidArgument for a target or input it cannot
  // run, NotFound for another state machine, Throttled when the server runs its most executions.
  Result<std::string> Start(const events::StartRequest& request) override;

 private:
  stepfunctions::StepFunctionsApi& api_;
};

}  // namespace imagemill::server
