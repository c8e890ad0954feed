// EventsApi: EventBridge's operations (the AWSEvents.* targets of the AWS JSON 1.1 protocol), each
// a function from the request JSON to the response JSON or an AWS error, shaped as botocore's
// service model for events (2015-10-07) says.
//
//   buses    CreateEventBus, DescribeEventBus, ListEventBuses, DeleteEventBus
//   rules    PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule
//   targets  PutTargets, ListTargetsByRule, RemoveTargets, ListRuleNamesByTarget
//   events   PutEvents (each matching rule's targets start executions), TestEventPattern
//
// Rules select with event patterns only (ScheduleExpression is refused); targets are Step
// Functions state machines. Thread-safe: the store and starter are, and the compiled patterns are
// and target inputs are
// cached under a mutex.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/api_result.h"
#include "events/arns.h"
#include "events/event_pattern.h"
#include "events/execution_starter.h"
#include "events/rule_store.h"
#include "events/target_input.h"
#include "util/clock.h"

namespace imagemill::events {

// What happened when one rule's target received one event.
struct Delivery {
  std::string event_id;
  std::string bus;
  std::string rule;
  std::string target_id;
  std::string state_machine_arn;
  std::string input;
  Status status;              // of the start
  std::string execution_arn;  // when started
};

struct EventsConfig {
  Account account;
  int max_targets_per_rule = 5;  // as EventBridge's quota
  // Told of every delivery, after it (default: a line on stderr). Called on the thread of the
  // PutEvents call, so from several threads at once: it must be thread-safe.
  std::function<void(const Delivery&)> on_delivery;
};

class EventsApi {
 public:
  // REQUIRES: `store`, `starter` and `clock` outlive this object.
  EventsApi(EventRuleStore& store, ExecutionStarter& starter, Clock& clock,
            EventsConfig config = {});

  // The operations Handle knows, by the name after "AWSEvents." in X-Amz-Target.
  static const std::vector<std::string>& Operations();

  // Runs one operation; an unknown one is an UnknownOperationException.
  ApiResult Handle(std::string_view operation, const nlohmann::json& request);

  ApiResult CreateEventBus(const nlohmann::json& request);
  ApiResult DescribeEventBus(const nlohmann::json& request);
  ApiResult ListEventBuses(const nlohmann::json& request);
  ApiResult DeleteEventBus(const nlohmann::json& request);
  ApiResult PutRule(const nlohmann::json& request);
  ApiResult DescribeRule(const nlohmann::json& request);
  ApiResult ListRules(const nlohmann::json& request);
  ApiResult DeleteRule(const nlohmann::json& request);
  ApiResult EnableRule(const nlohmann::json& request);
  ApiResult DisableRule(const nlohmann::json& request);
  ApiResult PutTargets(const nlohmann::json& request);
  ApiResult ListTargetsByRule(const nlohmann::json& request);
  ApiResult RemoveTargets(const nlohmann::json& request);
  ApiResult ListRuleNamesByTarget(const nlohmann::json& request);
  ApiResult PutEvents(const nlohmann::json& request);
  ApiResult TestEventPattern(const nlohmann::json& request);

 private:
  // The bus an EventBusName member names (the default bus when absent), or the error: a
  // ResourceNotFoundException when it does not exist.
  std::optional<std::string> ExistingBus(RequestReader& reader, AwsError& error);
  ApiResult SetState(const nlohmann::json& request, std::string_view state);
  // A rule name member ([.-_A-Za-z0-9]{1,64}).
  static std::optional<std::string> ReadRuleName(RequestReader& reader, const char* member,
                                                 bool required);
  // The compiled pattern of `text`, from the cache when seen before; nullptr when invalid.
  std::shared_ptr<const EventPattern> Compiled(const std::string& text);
  // The input of the target `definition` (a stored Target), from the cache when seen before.
  Result<std::shared_ptr<const TargetInput>> Input(const std::string& definition);
  void Deliver(const std::string& bus, const std::string& event_id, const JsonValue& event,
               const std::string& ingestion_time);

  EventRuleStore& store_;
  ExecutionStarter& starter_;
  Clock& clock_;
  EventsConfig config_;
  std::mutex mu_;
  // Keyed by the pattern's or the target's text, so they are never stale.
  std::unordered_map<std::string, std::shared_ptr<const EventPattern>> patterns_;  // guarded by mu_
  std::unordered_map<std::string, std::shared_ptr<const TargetInput>> inputs_;     // guarded by mu_
};

// "Rule r does not exist on EventBus b." and the like, as EventBridge words them.
std::string NoSuchBus(std::string_view bus);
std::string NoSuchRule(std::string_view rule, std::string_view bus);

}  // namespace imagemill::events
