// ARNs as AWS shapes them, for the resources imagemill's APIs name:
//   arn:aws:states:<region>:<account>:stateMachine:<name>
//   arn:aws:states:<region>:<account>:execution:<state machine>:<execution>
//   arn:aws:states:<region>:<account>:mapRun:<state machine>/<execution>:<map run id>
//   arn:aws:dynamodb:<region>:<account>:table/<name>
//   arn:aws:events:<region>:<account>:event-bus/<name>
// The account is a fixed 12-digit id the server is configured with (000000000000 by default).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace imagemill::server {

struct ArnContext {
  std::string region = "us-east-1";
  std::string account = "000000000000";
};

std::string StateMachineArn(const ArnContext& c, std::string_view state_machine);
std::string ExecutionArn(const ArnContext& c, std::string_view state_machine,
                         std::string_view execution);
std::string MapRunArn(const ArnContext& c, std::string_view state_machine,
                      std::string_view execution, std::string_view map_run_id);
std::string TableArn(const ArnContext& c, std::string_view table);

// The parts of an ARN: arn:<partition>:<service>:<region>:<account>:<resource>.
struct ParsedArn {
  std::string partition, service, region, account, resource;
};
std::optional<ParsedArn> ParseArn(std::string_view arn);

// The execution name in an execution ARN of `state_machine` in this context, or nullopt when
// `arn` is not one (another region, account, state machine or resource type).
std::optional<std::string> ExecutionNameFromArn(const ArnContext& c, std::string_view state_machine,
                                                std::string_view arn);
// The (execution, map run id) of a map run ARN, or nullopt.
std::optional<std::pair<std::string, std::string>> MapRunFromArn(const ArnContext& c,
                                                                 std::string_view state_machine,
                                                                 std::string_view arn);

}  // namespace imagemill::server
