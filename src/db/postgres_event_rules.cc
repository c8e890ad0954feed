#include "db/postgres_event_rules.h"

#include "db/postgres_arrays.h"
#include "db/postgres_rows.h"
#include "db/postgres_schema.h"

namespace imagemill {

using events::EventBus;
using events::EventRule;
using events::EventTarget;
using events::RuleWithTargets;
using events::StoreOutcome;
using pg::S;

namespace {

constexpr const char* kRuleColumns =
    "bus, name, event_pattern, state, description, role_arn, managed_by, created_ms";

EventRule ReadRule(const pqxx::row& r) {
  EventRule rule;
  rule.bus = r[0].as<std::string>();
  rule.name = r[1].as<std::string>();
  rule.event_pattern = r[2].as<std::string>();
  rule.state = r[3].as<std::string>();
  rule.description = r[4].as<std::string>();
  rule.role_arn = r[5].as<std::string>();
  rule.managed_by = r[6].as<std::string>();
  rule.created_ms = r[7].as<int64_t>();
  return rule;
}

EventBus ReadBus(const pqxx::row& r) {
  return EventBus{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<int64_t>()};
}

// Locks the rule's row for the rest of `tx` (FOR UPDATE: PutTargets and DeleteRule on one rule
// take turns); false when there is no such rule.
bool LockRule(pqxx::work& tx, std::string_view bus, std::string_view name) {
  return !tx.exec_params("SELECT 1 FROM event_rules WHERE bus = $1 AND name = $2 FOR UPDATE",
                         S(bus), S(name))
              .empty();
}

}  // namespace

PostgresEventRules::PostgresEventRules(const std::string& uri, Clock& clock,
                                       pg::RetryOptions retry)
    : conn_(std::make_unique<pg::Connection>(uri, clock, retry)) {
  pg::MigrateSchema(*conn_);
}

PostgresEventRules::~PostgresEventRules() = default;

StoreOutcome PostgresEventRules::CreateBus(const EventBus& bus) {
  std::lock_guard<std::mutex> lock(mu_);
  int tries = 0;
  return conn_->Transact("create an event bus", [&](pqxx::work& tx) {
    const bool again = ++tries > 1;
    pg::Durable(tx);
    pqxx::result r = tx.exec_params(
        "INSERT INTO event_buses (name, policy, created_ms) VALUES ($1, $2, $3) "
        "ON CONFLICT (name) DO NOTHING",
        bus.name, bus.policy, bus.created_ms);
    if (r.affected_rows() == 1) return StoreOutcome::kOk;
    // Run again after a commit whose answer was lost: the bus as this call made it is its own.
    if (again && !tx.exec_params("SELECT 1 FROM event_buses WHERE name = $1 AND policy = $2 AND "
                                 "created_ms = $3",
                                 bus.name, bus.policy, bus.created_ms)
                       .empty()) {
      return StoreOutcome::kOk;
    }
    return StoreOutcome::kExists;
  });
}

std::optional<EventBus> PostgresEventRules::GetBus(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Once("read an event bus", [&](pqxx::nontransaction& tx) -> std::optional<EventBus> {
    pqxx::result r = tx.exec_params(
        "SELECT name, policy, created_ms FROM event_buses WHERE name = $1", S(name));
    if (r.empty()) return std::nullopt;
    return ReadBus(r[0]);
  });
}

std::vector<EventBus> PostgresEventRules::ListBuses(std::string_view prefix,
                                                    std::string_view after, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Once("list event buses", [&](pqxx::nontransaction& tx) {
    std::vector<EventBus> out;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT name, policy, created_ms FROM event_buses "
             "WHERE starts_with(name, $1) AND name > $2 ORDER BY name LIMIT $3",
             S(prefix), S(after), std::max(0, limit))) {
      out.push_back(ReadBus(r));
    }
    return out;
  });
}

StoreOutcome PostgresEventRules::DeleteBus(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Transact("delete an event bus", [&](pqxx::work& tx) {
    pg::Durable(tx);
    // Its rules and their targets go with it (ON DELETE CASCADE).
    pqxx::result r = tx.exec_params("DELETE FROM event_buses WHERE name = $1", S(name));
    return r.affected_rows() == 1 ? StoreOutcome::kOk : StoreOutcome::kNotFound;
  });
}

StoreOutcome PostgresEventRules::PutRule(const EventRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Transact("put an event rule", [&](pqxx::work& tx) {
    pg::Durable(tx);
    // FOR KEY SHARE: the bus stays until this commits (DeleteBus waits).
    if (tx.exec_params("SELECT 1 FROM event_buses WHERE name = $1 FOR KEY SHARE", rule.bus)
            .empty()) {
      return StoreOutcome::kNotFound;
    }
    tx.exec_params(
        "INSERT INTO event_rules (bus, name, event_pattern, state, description, role_arn, "
        "managed_by, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT (bus, name) DO UPDATE SET event_pattern = excluded.event_pattern, "
        "state = excluded.state, description = excluded.description, "
        "role_arn = excluded.role_arn, managed_by = excluded.managed_by",
        rule.bus, rule.name, rule.event_pattern, rule.state, rule.description, rule.role_arn,
        rule.managed_by, rule.created_ms);
    return StoreOutcome::kOk;
  });
}

std::optional<EventRule> PostgresEventRules::GetRule(std::string_view bus, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Once("read an event rule",
                     [&](pqxx::nontransaction& tx) -> std::optional<EventRule> {
                       pqxx::result r = tx.exec_params(
                           std::string("SELECT ") + kRuleColumns +
                               " FROM event_rules WHERE bus = $1 AND name = $2",
                           S(bus), S(name));
                       if (r.empty()) return std::nullopt;
                       return ReadRule(r[0]);
                     });
}

std::vector<EventRule> PostgresEventRules::ListRules(std::string_view bus,
                                                     std::string_view prefix,
                                                     std::string_view after, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Once("list event rules", [&](pqxx::nontransaction& tx) {
    std::vector<EventRule> out;
    for (const pqxx::row& r : tx.exec_params(
             std::string("SELECT ") + kRuleColumns +
                 " FROM event_rules WHERE bus = $1 AND starts_with(name, $2) AND name > $3 "
                 "ORDER BY name LIMIT $4",
             S(bus), S(prefix), S(after), std::max(0, limit))) {
      out.push_back(ReadRule(r));
    }
    return out;
  });
}

StoreOutcome PostgresEventRules::DeleteRule(std::string_view bus, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Transact("delete an event rule", [&](pqxx::work& tx) {
    pg::Durable(tx);
    if (!LockRule(tx, bus, name)) return StoreOutcome::kNotFound;
    if (!tx.exec_params("SELECT 1 FROM event_targets WHERE bus = $1 AND rule = $2 LIMIT 1",
                        S(bus), S(name))
             .empty()) {
      return StoreOutcome::kHasTargets;
    }
    tx.exec_params("DELETE FROM event_rules WHERE bus = $1 AND name = $2", S(bus), S(name));
    return StoreOutcome::kOk;
  });
}

StoreOutcome PostgresEventRules::SetRuleState(std::string_view bus, std::string_view name,
                                              std::string_view state) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Transact("enable or disable an event rule", [&](pqxx::work& tx) {
    pg::Durable(tx);
    pqxx::result r = tx.exec_params(
        "UPDATE event_rules SET state = $3 WHERE bus = $1 AND name = $2", S(bus), S(name),
        S(state));
    return r.affected_rows() == 1 ? StoreOutcome::kOk : StoreOutcome::kNotFound;
  });
}

StoreOutcome PostgresEventRules::PutTargets(std::string_view bus, std::string_view rule,
                                            const std::vector<EventTarget>& targets,
                                            int max_targets) {
  pg::ArrayLiteral ids, definitions;
  for (const EventTarget& t : targets) {
    ids.Text(t.id);
    definitions.Text(t.definition);
  }
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Transact("put event targets", [&](pqxx::work& tx) {
    pg::Durable(tx);
    if (!LockRule(tx, bus, rule)) return StoreOutcome::kNotFound;
    // The count the rule would have, before changing anything: nothing changes when too many.
    const int64_t after = tx.exec_params1(
                                "SELECT count(*) FROM (SELECT id FROM event_targets WHERE bus = "
                                "$1 AND rule = $2 UNION SELECT unnest($3::text[])) AS ids",
                                S(bus), S(rule), ids.str())[0]
                              .as<int64_t>();
    if (after > max_targets) return StoreOutcome::kTooManyTargets;
    tx.exec_params(
        "INSERT INTO event_targets (bus, rule, id, definition) "
        "SELECT $1, $2, u.id, u.definition FROM unnest($3::text[], $4::text[]) AS u(id, definition) "
        "ON CONFLICT (bus, rule, id) DO UPDATE SET definition = excluded.definition",
        S(bus), S(rule), ids.str(), definitions.str());
    return StoreOutcome::kOk;
  });
}

std::vector<EventTarget> PostgresEventRules::ListTargets(std::string_view bus,
                                                         std::string_view rule,
                                                         std::string_view after, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Once("list event targets", [&](pqxx::nontransaction& tx) {
    std::vector<EventTarget> out;
    for (const pqxx::row& r :
         tx.exec_params("SELECT id, definition FROM event_targets WHERE bus = $1 AND rule = $2 "
                        "AND id > $3 ORDER BY id LIMIT $4",
                        S(bus), S(rule), S(after), std::max(0, limit))) {
      out.push_back(EventTarget{r[0].as<std::string>(), r[1].as<std::string>()});
    }
    return out;
  });
}

StoreOutcome PostgresEventRules::RemoveTargets(std::string_view bus, std::string_view rule,
                                               const std::vector<std::string>& ids) {
  pg::ArrayLiteral list;
  for (const std::string& id : ids) list.Text(id);
  std::lock_guard<std::mutex> lock(mu_);
  return conn_->Transact("remove event targets", [&](pqxx::work& tx) {
    pg::Durable(tx);
    if (!LockRule(tx, bus, rule)) return StoreOutcome::kNotFound;
    tx.exec_params("DELETE FROM event_targets WHERE bus = $1 AND rule = $2 AND id = ANY ($3)",
                   S(bus), S(rule), list.str());
    return StoreOutcome::kOk;
  });
}

std::vector<RuleWithTargets> PostgresEventRules::EnabledRules(std::string_view bus) {
  std::lock_guard<std::mutex> lock(mu_);
  // One statement (one snapshot, one round trip): each enabled rule with its targets, if any.
  return conn_->Once("read the rules of an event bus", [&](pqxx::nontransaction& tx) {
    std::vector<RuleWithTargets> out;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT r.bus, r.name, r.event_pattern, r.state, r.description, r.role_arn, "
             "r.managed_by, r.created_ms, t.id, t.definition FROM event_rules r "
             "LEFT JOIN event_targets t ON t.bus = r.bus AND t.rule = r.name "
             "WHERE r.bus = $1 AND r.state = 'ENABLED' ORDER BY r.name, t.id",
             S(bus))) {
      if (out.empty() || out.back().rule.name != r[1].as<std::string>()) {
        out.push_back(RuleWithTargets{ReadRule(r), {}});
      }
      if (!r[8].is_null()) {
        out.back().targets.push_back(EventTarget{r[8].as<std::string>(), r[9].as<std::string>()});
      }
    }
    return out;
  });
}

}  // namespace imagemill
