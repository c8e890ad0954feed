// MemoryEventRuleStore: the EventRuleStore in memory, for tests and for a server run without a
// database. Thread-safe (one mutex).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "events/rule_store.h"

namespace imagemill::events {

class MemoryEventRuleStore final : public EventRuleStore {
 public:
  StoreOutcome CreateBus(const EventBus& bus) override;
  std::optional<EventBus> GetBus(std::string_view name) override;
  std::vector<EventBus> ListBuses(std::string_view prefix, std::string_view after,
                                  int limit) override;
  StoreOutcome DeleteBus(std::string_view name) override;
  StoreOutcome PutRule(const EventRule& rule) override;
  std::optional<EventRule> GetRule(std::string_view bus, std::string_view name) override;
  std::vector<EventRule> ListRules(std::string_view bus, std::string_view prefix,
                                   std::string_view after, int limit) override;
  StoreOutcome DeleteRule(std::string_view bus, std::string_view name) override;
  StoreOutcome SetRuleState(std::string_view bus, std::string_view name,
                            std::string_view state) override;
  StoreOutcome PutTargets(std::string_view bus, std::string_view rule,
                          const std::vector<EventTarget>& targets, int max_targets) override;
  std::vector<EventTarget> ListTargets(std::string_view bus, std::string_view rule,
                                       std::string_view after, int limit) override;
  StoreOutcome RemoveTargets(std::string_view bus, std::string_view rule,
                             const std::vector<std::string>& ids) override;
  std::vector<RuleWithTargets> EnabledRules(std::string_view bus) override;

 private:
  using RuleKey = std::pair<std::string, std::string>;  // (bus, rule)
  struct StoredRule {
    EventRule rule;
    std::map<std::string, std::string> targets;  // id -> definition
  };

  std::mutex mu_;
  std::map<std::string, EventBus> buses_;  // guarded by mu_
  std::map<RuleKey, StoredRule> rules_;    // guarded by mu_
};

}  // namespace imagemill::events
