#include "workflow/state_machine_arns.h"

namespace imagemill {

StateMachineArns::StateMachineArns(std::string region_, std::string account_,
                                   std::string state_machine_)
    : region(std::move(region_)),
      account(std::move(account_)),
      state_machine(std::move(state_machine_)) {}

std::string StateMachineArns::StateMachine() const {
  return "arn:aws:states:" + region + ":" + account + ":stateMachine:" + state_machine;
}
std::string StateMachineArns::Execution(const std::string& name) const {
  return "arn:aws:states:" + region + ":" + account + ":execution:" + state_machine + ":" + name;
}
std::string StateMachineArns::MapRun(const std::string& execution,
                                     const std::string& map_run_id) const {
  return "arn:aws:states:" + region + ":" + account + ":mapRun:" + state_machine + "/" +
         execution + ":" + map_run_id;
}
std::string StateMachineArns::ChildStateMachine() const { return StateMachine() + "/Map"; }
std::string StateMachineArns::ChildName(const std::string& map_run_id, int64_t seq) {
  return map_run_id.substr(0, 8) + "-" + std::to_string(seq);
}
std::string StateMachineArns::Child(const std::string& map_run_id, int64_t seq) const {
  return "arn:aws:states:" + region + ":" + account + ":execution:" + state_machine + "/Map:" +
         ChildName(map_run_id, seq);
}

}  // namespace imagemill
