// EventsApi: the target operations.
#include <algorithm>
#include <set>

#include "events/events_api.h"
#include "events/target_input.h"

namespace imagemill::events {
namespace {

// "arn:aws:states:<region>:<account>:stateMachine:<name>"
bool IsStateMachineArn(std::string_view arn) {
  constexpr std::string_view kHead = "arn:aws:states:";
  if (arn.substr(0, kHead.size()) != kHead) return false;
  size_t region_end = arn.find(':', kHead.size());
  if (region_end == std::string_view::npos) return false;
  size_t account_end = arn.find(':', region_end + 1);
  if (account_end == std::string_view::npos) return false;
  constexpr std::string_view kKind = "stateMachine:";
  std::string_view rest = arn.substr(account_end + 1);
  return rest.substr(0, kKind.size()) == kKind && rest.size() > kKind.size();
}

// What is wrong with one Target of PutTargets, or "" when nothing is.
std::string TargetProblem(const nlohmann::json& target) {
  if (!target.is_object()) return "each target must be an object with Id and Arn";
  auto id = target.find("Id");
  if (id == target.end() || !id->is_string() || !IsValidRuleName(id->get<std::string>())) {
    return "each target needs an Id of 1 to 64 letters, digits, '.', '-' or '_'";
  }
  std::string name = id->get<std::string>();
  auto arn = target.find("Arn");
  if (arn == target.end() || !arn->is_string() || arn->get_ref<const std::string&>().empty()) {
    return "Target " + name + " needs an Arn";
  }
  if (!IsStateMachineArn(arn->get<std::string>())) {
    return "Target " + name +
           ": imagemill's rules start Step Functions executions, so the Arn "
           "must be a state machine's (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME), not " +
           arn->get<std::string>();
  }
  for (const char* unsupported : {"KinesisParameters", "RunCommandParameters", "EcsParameters",
                                  "BatchParameters", "SqsParameters", "HttpParameters",
                                  "RedshiftDataParameters", "SageMakerPipelineParameters"}) {
    if (target.contains(unsupported)) {
      return "Target " + name + ": " + unsupported +
             " is for other kinds of targets than a "
             "state machine; leave it out";
    }
  }
  Result<TargetInput> input = TargetInput::FromTarget(target);
  if (!input.ok()) return input.status().message();
  return "";
}

}  // namespace

ApiResult EventsApi::PutTargets(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> rule = ReadRuleName(reader, "Rule", true);
  const nlohmann::json* targets = reader.List("Targets", true, 1, 100);
  AwsError error;
  std::optional<std::string> bus = ExistingBus(reader, error);
  if (!bus) return error;
  std::vector<EventTarget> records;
  std::set<std::string> ids;
  for (const nlohmann::json& target : *targets) {
    std::string problem = TargetProblem(target);
    if (!problem.empty()) return ValidationError(problem + ".");
    std::string id = target["Id"].get<std::string>();
    if (!ids.insert(id).second) {
      return ValidationError("Target " + id + " is given twice; target ids must be unique.");
    }
    records.push_back(EventTarget{id, target.dump()});
  }
  switch (store_.PutTargets(*bus, *rule, records, config_.max_targets_per_rule)) {
    case StoreOutcome::kNotFound:
      return ResourceNotFound(NoSuchRule(*rule, *bus));
    case StoreOutcome::kTooManyTargets:
      return AwsError{"LimitExceededException",
                      "The requested resource exceeds the maximum number allowed: a rule has at "
                      "most " +
                          std::to_string(config_.max_targets_per_rule) + " targets.",
                      400};
    default:
      break;
  }
  return nlohmann::json{{"FailedEntryCount", 0}, {"FailedEntries", nlohmann::json::array()}};
}

ApiResult EventsApi::ListTargetsByRule(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> rule = ReadRuleName(reader, "Rule", true);
  RequestReader::Page page = reader.ReadPage();
  AwsError error;
  std::optional<std::string> bus = ExistingBus(reader, error);
  if (!bus) return error;
  if (!store_.GetRule(*bus, *rule)) return ResourceNotFound(NoSuchRule(*rule, *bus));
  std::vector<EventTarget> targets = store_.ListTargets(*bus, *rule, page.after, page.limit + 1);
  return PagedAnswer(
      "Targets", targets, page.limit,
      [](const EventTarget& t) { return nlohmann::json::parse(t.definition); },
      [](const EventTarget& t) { return t.id; });
}

ApiResult EventsApi::RemoveTargets(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> rule = ReadRuleName(reader, "Rule", true);
  const nlohmann::json* ids = reader.List("Ids", true, 1, 100);
  reader.Bool("Force");
  AwsError error;
  std::optional<std::string> bus = ExistingBus(reader, error);
  if (!bus) return error;
  std::vector<std::string> names;
  for (const nlohmann::json& id : *ids) {
    if (!id.is_string()) return AwsError{"SerializationException", "Ids must be strings.", 400};
    names.push_back(id.get<std::string>());
  }
  if (store_.RemoveTargets(*bus, *rule, names) == StoreOutcome::kNotFound) {
    return ResourceNotFound(NoSuchRule(*rule, *bus));
  }
  return nlohmann::json{{"FailedEntryCount", 0}, {"FailedEntries", nlohmann::json::array()}};
}

ApiResult EventsApi::ListRuleNamesByTarget(const nlohmann::json& request) {
  RequestReader reader(request);
  std::optional<std::string> arn = reader.String("TargetArn", true, 1, 1600);
  RequestReader::Page page = reader.ReadPage();
  AwsError error;
  std::optional<std::string> bus = ExistingBus(reader, error);
  if (!bus) return error;
  nlohmann::json names = nlohmann::json::array();
  std::string after = page.after;
  bool more = false;
  // Walks the bus's rules a page at a time; a bus has few rules.
  for (;;) {
    std::vector<EventRule> rules = store_.ListRules(*bus, "", after, 100);
    for (const EventRule& r : rules) {
      std::vector<EventTarget> targets = store_.ListTargets(*bus, r.name, "", 100);
      bool aims = std::any_of(targets.begin(), targets.end(), [&](const EventTarget& t) {
        nlohmann::json def = nlohmann::json::parse(t.definition, nullptr, false);
        return def.is_object() && def.value("Arn", "") == *arn;
      });
      if (!aims) continue;
      if (static_cast<int>(names.size()) == page.limit) {
        more = true;
        break;
      }
      names.push_back(r.name);
    }
    if (more || rules.size() < 100) break;
    after = rules.back().name;
  }
  nlohmann::json out = {{"RuleNames", names}};
  if (more) out["NextToken"] = names.back();
  return out;
}

}  // namespace imagemill::events
