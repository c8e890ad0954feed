// EventRuleStore: where EventBridge's buses, rules and targets live: the database named by --db,
// so that rules outlast the server and several servers sharing a database share them.
//
// Contract for implementations: thread-safe; every method is atomic (a rule's target count is
// checked and its targets written in one step; a rule with targets is never deleted); names
// compare and sort as bytes. Failures of the database itself throw, as the StateStore's do; the
// outcomes a caller must tell apart are returned. Backends: MemoryEventRuleStore (tests, and a
// server without a database), SqliteEventRules (src/db/), and the conformance suite in
// tests/support/event_rules_conformance.h that each passes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imagemill::events {

struct EventBus {
  std::string name;
  std::string policy;  // a resource policy (JSON), empty when none
  int64_t created_ms = 0;
};

struct EventRule {
  std::string bus;
  std::string name;
  std::string event_pattern;      // JSON text, as given
  std::string state = "ENABLED";  // or "DISABLED"
  std::string description;
  std::string role_arn;
  std::string managed_by;
  int64_t created_ms = 0;
};

struct EventTarget {
  std::string id;
  std::string definition;  // the Target of PutTargets, as JSON text
};

struct RuleWithTargets {
  EventRule rule;
  std::vector<EventTarget> targets;
};

enum class StoreOutcome {
  kOk,
  kNotFound,        // the bus (or rule) the call names does not exist
  kExists,          // CreateBus: a bus of that name exists
  kHasTargets,      // DeleteRule: the rule still has targets
  kTooManyTargets,  // PutTargets: the rule would have more than allowed
};

class EventRuleStore {
 public:
  virtual ~EventRuleStore() = default;

  // kOk or kExists.
  virtual StoreOutcome CreateBus(const EventBus& bus) = 0;
  virtual std::optional<EventBus> GetBus(std::string_view name) = 0;
  // Buses whose name begins with `prefix` and sorts after `after` (all when empty), in name
  // order, at most `limit`.
  virtual std::vector<EventBus> ListBuses(std::string_view prefix, std::string_view after,
                                          int limit) = 0;
  // Deletes the bus with its rules and their targets. kOk or kNotFound.
  virtual StoreOutcome DeleteBus(std::string_view name) = 0;

  // Creates the rule or replaces the one of that name (which keeps its created_ms). kOk, or
  // kNotFound when its bus does not exist.
  virtual StoreOutcome PutRule(const EventRule& rule) = 0;
  virtual std::optional<EventRule> GetRule(std::string_view bus, std::string_view name) = 0;
  // As ListBuses, for the rules of `bus`.
  virtual std::vector<EventRule> ListRules(std::string_view bus, std::string_view prefix,
                                           std::string_view after, int limit) = 0;
  // kOk, kNotFound or kHasTargets (then nothing changes).
  virtual StoreOutcome DeleteRule(std::string_view bus, std::string_view name) = 0;
  // kOk or kNotFound.
  virtual StoreOutcome SetRuleState(std::string_view bus, std::string_view name,
                                    std::string_view state) = 0;

  // Adds the targets to the rule, replacing those with the same ids, as long as the rule then
  // has at most `max_targets`. kOk, kNotFound (no such rule) or kTooManyTargets (nothing
  // changes).
  virtual StoreOutcome PutTargets(std::string_view bus, std::string_view rule,
                                  const std::vector<EventTarget>& targets, int max_targets) = 0;
  // The rule's targets with ids after `after`, in id order, at most `limit`.
  virtual std::vector<EventTarget> ListTargets(std::string_view bus, std::string_view rule,
                                               std::string_view after, int limit) = 0;
  // Removes the targets with these ids (ids it does not have are ignored). kOk or kNotFound.
  virtual StoreOutcome RemoveTargets(std::string_view bus, std::string_view rule,
                                     const std::vector<std::string>& ids) = 0;

  // The ENABLED rules of `bus`, in name order, each with its targets: what an event put on the
  // bus is matched against.
  virtual std::vector<RuleWithTargets> EnabledRules(std::string_view bus) = 0;
};

}  // namespace imagemill::events
