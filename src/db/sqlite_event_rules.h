// SqliteEventRules: the EventRuleStore in the SQLite database file (tables event_buses,
// event_rules, event_targets), beside the state store and results table in the same file. Opens a
// connection of its own; several processes may share the file.
#pragma once

#include <mutex>
#include <string>

#include "db/sqlite.h"
#include "events/rule_store.h"

namespace imagemill {

class SqliteEventRules : public events::EventRuleStore {
 public:
  // Opens or creates the database at `path` and the three tables. Throws sqlite::DatabaseError.
  explicit SqliteEventRules(const std::string& path);

  events::StoreOutcome CreateBus(const events::EventBus& bus) override;
  std::optional<events::EventBus> GetBus(std::string_view name) override;
  std::vector<events::EventBus> ListBuses(std::string_view prefix, std::string_view after,
                                          int limit) override;
  events::StoreOutcome DeleteBus(std::string_view name) override;
  events::StoreOutcome PutRule(const events::EventRule& rule) override;
  std::optional<events::EventRule> GetRule(std::string_view bus, std::string_view name) override;
  std::vector<events::EventRule> ListRules(std::string_view bus, std::string_view prefix,
                                           std::string_view after, int limit) override;
  events::StoreOutcome DeleteRule(std::string_view bus, std::string_view name) override;
  events::StoreOutcome SetRuleState(std::string_view bus, std::string_view name,
                                    std::string_view state) override;
  events::StoreOutcome PutTargets(std::string_view bus, std::string_view rule,
                                  const std::vector<events::EventTarget>& targets,
                                  int max_targets) override;
  std::vector<events::EventTarget> ListTargets(std::string_view bus, std::string_view rule,
                                               std::string_view after, int limit) override;
  events::StoreOutcome RemoveTargets(std::string_view bus, std::string_view rule,
                                     const std::vector<std::string>& ids) override;
  std::vector<events::RuleWithTargets> EnabledRules(std::string_view bus) override;

 private:
  bool RuleExists(std::string_view bus, std::string_view name);  // with mu_ held

  std::mutex mu_;
  sqlite::Connection conn_;  // guarded by mu_
};

}  // namespace imagemill
