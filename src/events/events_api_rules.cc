// EventsApi: the rule operations.
#include <algorithm>

#include "events/events_api.h"

namespace imagemill::events {
namespace {

bool ValidState(std::string_view s) { return s == "ENABLED" || s == "DISABLED"; }

nlohmann::json RuleJson(const Account& account, const EventRule& rule) {
  nlohmann::json out = {{"Name", rule.name},
                        {"Arn", RuleArn(account, rule.bus, rule.name)},
                        {"EventPattern", rule.event_pattern},
                        {"State", rule.state}};
  if (!rule.description.empty()) out["Description"] = rule.description;
  if (!rule.role_arn.empty()) out["RoleArn"] = rule.role_arn;
  if (!rule.managed_by.empty()) out["ManagedBy"] = rule.managed_by;
  out["EventBusName"] = rule.bus;
  return out;
}

}  // namespace

ApiResult EventsApi::PutRule(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> name = ReadRuleName(reader, "Name", true);
  std::optional<std::string> pattern = reader.String("EventPattern", false, 0, 4096);
  std::optional<std::string> schedule = reader.String("ScheduleExpression", false, 0, 256);
  std::optional<std::string> state =
      reader.String("State", false, 0, 64, ValidState, "[ENABLED, DISABLED]");
  std::optional<std::string> description = reader.String("Description", false, 0, 512);
  std::optional<std::string> role = reader.String("RoleArn", false, 1, 1600);
  reader.List("Tags", false, 0, 50);
  AwsError error;
  std::optional<std::string> bus = ExistingBus(reader, error);
  if (!bus) return error;
  if (schedule) {
    return ValidationError(
        "imagemill does not run scheduled rules (ScheduleExpression); give an "
        "EventPattern, and start runs on a schedule with cron and "
        "`aws events put-events` or `imagemill run`.");
  }
  if (!pattern || pattern->empty()) {
    return ValidationError("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  Result<EventPattern> parsed = EventPattern::Parse(*pattern);
  if (!parsed.ok()) return AwsError{"InvalidEventPatternException", parsed.status().message(), 400};

  EventRule rule;
  rule.bus = *bus;
  rule.name = *name;
  rule.event_pattern = *pattern;
  rule.state = state.value_or("ENABLED");
  rule.description = description.value_or("");
  rule.role_arn = role.value_or("");
  rule.created_ms = ToUnixMillis(clock_.Now());
  if (store_.PutRule(rule) == StoreOutcome::kNotFound) return ResourceNotFound(NoSuchBus(*bus));
  return nlohmann::json{{"RuleArn", RuleArn(config_.account, *bus, *name)}};
}

ApiResult EventsApi::DescribeRule(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> name = ReadRuleName(reader, "Name", true);
  AwsError error;
  std::optional<std::string> bus = ExistingBus(reader, error);
  if (!bus) return error;
  std::optional<EventRule> rule = store_.GetRule(*bus, *name);
  if (!rule) return ResourceNotFound(NoSuchRule(*name, *bus));
  nlohmann::json out = RuleJson(config_.account, *rule);
  out["CreatedBy"] = config_.account.id;
  return out;
}

ApiResult EventsApi::ListRules(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> prefix = ReadRuleName(reader, "NamePrefix", false);
  RequestReader::Page page = reader.ReadPage();
  AwsError error;
  std::optional<std::string> bus = ExistingBus(reader, error);
  if (!bus) return error;
  std::vector<EventRule> rules =
      store_.ListRules(*bus, prefix.value_or(""), page.after, page.limit + 1);
  return PagedAnswer(
      "Rules", rules, page.limit, [&](const EventRule& r) { return RuleJson(config_.account, r); },
      [](const EventRule& r) { return r.name; });
}

ApiResult EventsApi::DeleteRule(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> name = ReadRuleName(reader, "Name", true);
  reader.Bool("Force");
  AwsError error;
  std::optional<std::string> bus = ExistingBus(reader, error);
  if (!bus) return error;
  if (store_.DeleteRule(*bus, *name) == StoreOutcome::kHasTargets) {
    return ValidationError(
        "Rule can't be deleted since it has targets. Remove them first with "
        "RemoveTargets (aws events remove-targets --rule " +
        *name + " --ids ...).");
  }
  return nlohmann::json::object();  // a rule that is not there is deleted already
}

ApiResult EventsApi::EnableRule(const nlohmann::json& request) {
  return SetState(request, "ENABLED");
}

ApiResult EventsApi::DisableRule(const nlohmann::json& request) {
  return SetState(request, "DISABLED");
}

ApiResult EventsApi::SetState(const nlohmann::json& request, std::string_view state) {
  RequestReader reader(request);
  std::optional<std::string> name = ReadRuleName(reader, "Name", true);
  AwsError error;
  std::optional<std::string> bus = ExistingBus(reader, error);
  if (!bus) return error;
  if (store_.SetRuleState(*bus, *name, state) == StoreOutcome::kNotFound) {
    return ResourceNotFound(NoSuchRule(*name, *bus));
  }
  return nlohmann::json::object();
}

}  // namespace imagemill::events
