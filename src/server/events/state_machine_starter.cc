#include "server/events/state_machine_starter.h"

#include "util/ids.h"

namespace imagemill::server {

Result<std::string> StateMachineStarter::Start(const events::StartRequest& request) {
  const Json start = {{"stateMachineArn", request.state_machine_arn},
                      {"name", NewUuid()},
                      {"input", request.input}};
  AwsResult<Json> started = api_.StartExecution(start);
  if (started.ok()) return (*started)["executionArn"].get<std::string>();
  const AwsError& e = started.error();
  // The delivery's log line names the event, rule, target and state machine already.
  const std::string message = e.type + ": " + e.message;
  if (e.type == "StateMachineDoesNotExist") {
    return Status::NotFound(message + " (the target's Arn must be " + api_.StateMachineArn() +
                            ": PutTargets with it)");
  }
  if (e.type == "ExecutionLimitExceeded") return Status::Throttled(message);
  if (e.status >= 500) return Status::Io(message);
  return Status::InvalidArgument(message);
}

}  // namespace imagemill::server
