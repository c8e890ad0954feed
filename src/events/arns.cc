#include "events/arns.h"

#include <algorithm>

namespace imagemill::events {
namespace {

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

}  // namespace

std::string EventBusArn(const Account& account, std::string_view bus) {
  return "arn:aws:events:" + account.region + ":" + account.id + ":event-bus/" + std::string(bus);
}

std::string RuleArn(const Account& account, std::string_view bus, std::string_view rule) {
  std::string arn = "arn:aws:events:" + account.region + ":" + account.id + ":rule/";
  if (bus != kDefaultBus) {
    arn += bus;
    arn += '/';
  }
  arn += rule;
  return arn;
}

std::string BusName(std::string_view name_or_arn) {
  if (name_or_arn.empty()) return std::string(kDefaultBus);
  constexpr std::string_view kMarker = ":event-bus/";
  if (name_or_arn.substr(0, 4) == "arn:") {
    size_t at = name_or_arn.find(kMarker);
    if (at != std::string_view::npos) return std::string(name_or_arn.substr(at + kMarker.size()));
  }
  return std::string(name_or_arn);
}

bool IsValidBusName(std::string_view name) {
  return !name.empty() && name.size() <= 256 &&
         std::all_of(name.begin(), name.end(), [](char c) { return IsNameChar(c) || c == '/'; });
}

bool IsValidRuleName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), IsNameChar);
}

}  // namespace imagemill::events
