#include "server/arn.h"

#include "workflow/state_machine_arns.h"

namespace imagemill::server {
namespace {

std::string Prefix(const ArnContext& c, std::string_view service) {
  return "arn:aws:" + std::string(service) + ":" + c.region + ":" + c.account + ":";
}

}  // namespace

std::string StateMachineArn(const ArnContext& c, std::string_view state_machine) {
  return StateMachineArns(c.region, c.account, std::string(state_machine)).StateMachine();
}

std::string ExecutionArn(const ArnContext& c, std::string_view state_machine,
                         std::string_view execution) {
  return StateMachineArns(c.region, c.account, std::string(state_machine))
      .Execution(std::string(execution));
}

std::string MapRunArn(const ArnContext& c, std::string_view state_machine,
                      std::string_view execution, std::string_view map_run_id) {
  return StateMachineArns(c.region, c.account, std::string(state_machine))
      .MapRun(std::string(execution), std::string(map_run_id));
}

std::string TableArn(const ArnContext& c, std::string_view table) {
  return Prefix(c, "dynamodb") + "table/" + std::string(table);
}

std::optional<ParsedArn> ParseArn(std::string_view arn) {
  ParsedArn p;
  std::string* parts[] = {&p.partition, &p.service, &p.region, &p.account};
  if (!arn.starts_with("arn:")) return std::nullopt;
  arn.remove_prefix(4);
  for (std::string* part : parts) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    *part = std::string(arn.substr(0, colon));
    arn.remove_prefix(colon + 1);
  }
  p.resource = std::string(arn);
  if (p.partition.empty() || p.service.empty() || p.resource.empty()) return std::nullopt;
  return p;
}

std::optional<std::string> ExecutionNameFromArn(const ArnContext& c, std::string_view state_machine,
                                                std::string_view arn) {
  const std::string prefix = ExecutionArn(c, state_machine, "");
  if (!arn.starts_with(prefix) || arn.size() == prefix.size()) return std::nullopt;
  return std::string(arn.substr(prefix.size()));
}

std::optional<std::pair<std::string, std::string>> MapRunFromArn(const ArnContext& c,
                                                                 std::string_view state_machine,
                                                                 std::string_view arn) {
  const std::string prefix = Prefix(c, "states") + "mapRun:" + std::string(state_machine) + "/";
  if (!arn.starts_with(prefix)) return std::nullopt;
  std::string_view rest = arn.substr(prefix.size());
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    return std::nullopt;
  }
  return std::make_pair(std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1)));
}

}  // namespace imagemill::server
