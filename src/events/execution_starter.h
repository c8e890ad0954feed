// ExecutionStarter: how a rule's target starts an execution. EventBridge hands the target's
// input (see TargetInput) to this interface; the server connects it to the execution service.
//
// The input a starter is given is JSON text. The seed's shape, and what imagemill's own rules
// send:
//   {"myStateInput": {"Bucket": "b", "Prefix": "p"}}  a run over every object of b under p
//   {"myStateInput": {"Bucket": "b", "Key": "k"}}     a run over the one object k of b
#pragma once

#include <string>

#include "util/status.h"

namespace imagemill::events {

struct StartRequest {
  std::string state_machine_arn;  // the target's Arn
  std::string input;              // JSON text (always valid JSON)
  std::string event_id;           // the event that matched
  std::string rule_arn;           // the rule it matched
  std::string target_id;
};

class ExecutionStarter {
 public:
  virtual ~ExecutionStarter() = default;

  // Starts an execution and returns its ARN once it exists (RUNNING), not when it ends. A Status
  // that names the problem and what to do when it cannot start (an input it cannot run, a state
  // machine it does not know). Thread-safe: called by concurrent PutEvents requests.
  virtual Result<std::string> Start(const StartRequest& request) = 0;
};

}  // namespace imagemill::events
