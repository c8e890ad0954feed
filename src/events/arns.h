// The names and ARNs of EventBridge's resources, shaped as AWS shapes them:
//   arn:aws:events:us-east-1:123456789012:event-bus/my-bus
//   arn:aws:events:us-east-1:123456789012:rule/my-rule          (a rule of the default bus)
//   arn:aws:events:us-east-1:123456789012:rule/my-bus/my-rule   (a rule of another bus)
#pragma once

#include <string>
#include <string_view>

namespace imagemill::events {

inline constexpr std::string_view kDefaultBus = "default";

// The region and account the server answers as.
struct Account {
  std::string region = "us-east-1";
  std::string id = "123456789012";
};

std::string EventBusArn(const Account& account, std::string_view bus);
std::string RuleArn(const Account& account, std::string_view bus, std::string_view rule);

// The bus an EventBusName names: the name itself, the name in an event-bus ARN, or the default
// bus when `name_or_arn` is empty.
std::string BusName(std::string_view name_or_arn);

// True for a bus name EventBridge accepts: 1 to 256 of [/.-_A-Za-z0-9].
bool IsValidBusName(std::string_view name);
// True for a rule name or target id EventBridge accepts: 1 to 64 of [.-_A-Za-z0-9].
bool IsValidRuleName(std::string_view name);

}  // namespace imagemill::events
