// StateMachineArns: the ARNs of an execution's state machine, map run and child executions, as
// Step Functions shapes them, for the result files and the APIs alike.
#pragma once

#include <cstdint>
#include <string>

namespace imagemill {

// ARNs as Step Functions shapes them, for the one state machine an execution runs ("imagemill"
// for `imagemill run`; a server names its own, and its APIs show the same ARNs).
struct StateMachineArns {
  explicit StateMachineArns(std::string region = "us-east-1", std::string account = "000000000000",
                            std::string state_machine = "imagemill");
  std::string StateMachine() const;                       // ...:stateMachine:SM
  std::string Execution(const std::string& name) const;  // ...:execution:SM:NAME
  // ...:mapRun:SM/EXECUTION:ID
  std::string MapRun(const std::string& execution, const std::string& map_run_id) const;
  std::string ChildStateMachine() const;  // ...:stateMachine:SM/Map
  // A child execution (one batch): its name, unique across map runs, and its ARN.
  static std::string ChildName(const std::string& map_run_id, int64_t seq);
  std::string Child(const std::string& map_run_id, int64_t seq) const;
  std::string region;
  std::string account;
  std::string state_machine;
};

}  // namespace imagemill
