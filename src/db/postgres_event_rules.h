// PostgresEventRules: the EventRuleStore in a PostgreSQL database (tables event_buses,
// event_rules, event_targets of schema version 3), beside the state store and results table:
// every `imagemill serve` on the database answers with the same rules, and an event sent to any
// of them is matched against them.
//
// Atomic across processes: a rule's existence and its target count are checked under a lock on
// the rule's row (PutTargets, DeleteRule), and a bus's under a lock on the bus's row (PutRule),
// so two servers racing never leave more targets than allowed or a rule without its bus. Every
// call is retried by pg::Connection after a transient failure and is safe to retry; changes wait
// for the disk (they are rare, and a user who was told "done" expects them to stay).
//
// Thread-safe: one connection of its own, serialised by a mutex.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "db/postgres_connection.h"
#include "events/rule_store.h"

namespace imagemill {

class PostgresEventRules : public events::EventRuleStore {
 public:
  // Connects to `uri` (with its password: see PostgresDatabase::ConnectionUri) and brings the
  // schema up to date. Throws pg::Error. `clock` must outlive the store.
  PostgresEventRules(const std::string& uri, Clock& clock, pg::RetryOptions retry = {});
  ~PostgresEventRules() override;

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
  std::mutex mu_;
  std::unique_ptr<pg::Connection> conn_;  // guarded by mu_
};

}  // namespace imagemill
