#include "db/sqlite_event_rules.h"

namespace imagemill {

using events::EventBus;
using events::EventRule;
using events::EventTarget;
using events::RuleWithTargets;
using events::StoreOutcome;
using sqlite::Statement;
using sqlite::Transaction;

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS event_buses (
  name       TEXT PRIMARY KEY,
  policy     TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS event_rules (
  bus           TEXT NOT NULL,
  name          TEXT NOT NULL,
  event_pattern TEXT NOT NULL,
  state         TEXT NOT NULL,             -- ENABLED, DISABLED
  description   TEXT NOT NULL DEFAULT '',
  role_arn      TEXT NOT NULL DEFAULT '',
  managed_by    TEXT NOT NULL DEFAULT '',
  created_ms    INTEGER NOT NULL,
  PRIMARY KEY (bus, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_targets (
  bus        TEXT NOT NULL,
  rule       TEXT NOT NULL,
  id         TEXT NOT NULL,
  definition TEXT NOT NULL,                -- the Target of PutTargets, JSON
  PRIMARY KEY (bus, rule, id)
) WITHOUT ROWID;
)sql";

constexpr std::string_view kSqliteRuleColumns =
    "bus, name, event_pattern, state, description, role_arn, managed_by, created_ms";

EventRule ReadRule(Statement& st) {
  EventRule r;
  r.bus = st.Text(0);
  r.name = st.Text(1);
  r.event_pattern = st.Text(2);
  r.state = st.Text(3);
  r.description = st.Text(4);
  r.role_arn = st.Text(5);
  r.managed_by = st.Text(6);
  r.created_ms = st.Int(7);
  return r;
}

// Names are compared as bytes (SQLite's BINARY collation); a prefix as the first bytes.
constexpr std::string_view kPrefixTest =
    "substr(CAST(name AS BLOB), 1, length(CAST(?1 AS BLOB))) = CAST(?1 AS BLOB)";

}  // namespace

SqliteEventRules::SqliteEventRules(const std::string& path) : conn_(path) { conn_.Exec(kSchema); }

StoreOutcome SqliteEventRules::CreateBus(const EventBus& bus) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "INSERT INTO event_buses (name, policy, created_ms) VALUES (?, ?, ?) "
      "ON CONFLICT (name) DO NOTHING");
  st.Bind(1, bus.name).Bind(2, bus.policy).Bind(3, bus.created_ms).Run();
  return conn_.Changes() == 1 ? StoreOutcome::kOk : StoreOutcome::kExists;
}

std::optional<EventBus> SqliteEventRules::GetBus(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT name, policy, created_ms FROM event_buses WHERE name = ?");
  st.Bind(1, name);
  if (!st.Step()) return std::nullopt;
  return EventBus{st.Text(0), st.Text(1), st.Int(2)};
}

std::vector<EventBus> SqliteEventRules::ListBuses(std::string_view prefix, std::string_view after,
                                                  int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT name, policy, created_ms FROM event_buses WHERE " +
                               std::string(kPrefixTest) + " AND name > ?2 ORDER BY name LIMIT ?3");
  st.Bind(1, prefix).Bind(2, after).Bind(3, static_cast<int64_t>(limit));
  std::vector<EventBus> out;
  while (st.Step()) out.push_back(EventBus{st.Text(0), st.Text(1), st.Int(2)});
  return out;
}

StoreOutcome SqliteEventRules::DeleteBus(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  conn_.Prepare("DELETE FROM event_buses WHERE name = ?").Bind(1, name).Run();
  if (conn_.Changes() == 0) return StoreOutcome::kNotFound;
  conn_.Prepare("DELETE FROM event_targets WHERE bus = ?").Bind(1, name).Run();
  conn_.Prepare("DELETE FROM event_rules WHERE bus = ?").Bind(1, name).Run();
  tx.Commit();
  return StoreOutcome::kOk;
}

StoreOutcome SqliteEventRules::PutRule(const EventRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  Statement bus = conn_.Prepare("SELECT 1 FROM event_buses WHERE name = ?");
  bus.Bind(1, rule.bus);
  if (!bus.Step()) return StoreOutcome::kNotFound;
  Statement st = conn_.Prepare(
      "INSERT INTO event_rules (bus, name, event_pattern, state, description, role_arn, "
      "managed_by, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (bus, name) DO UPDATE SET event_pattern = excluded.event_pattern, "
      "state = excluded.state, description = excluded.description, "
      "role_arn = excluded.role_arn, managed_by = excluded.managed_by");
  st.Bind(1, rule.bus).Bind(2, rule.name).Bind(3, rule.event_pattern).Bind(4, rule.state);
  st.Bind(5, rule.description).Bind(6, rule.role_arn).Bind(7, rule.managed_by);
  st.Bind(8, rule.created_ms).Run();
  tx.Commit();
  return StoreOutcome::kOk;
}

std::optional<EventRule> SqliteEventRules::GetRule(std::string_view bus, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT " + std::string(kSqliteRuleColumns) +
                               " FROM event_rules WHERE bus = ? AND name = ?");
  st.Bind(1, bus).Bind(2, name);
  if (!st.Step()) return std::nullopt;
  return ReadRule(st);
}

std::vector<EventRule> SqliteEventRules::ListRules(std::string_view bus, std::string_view prefix,
                                                   std::string_view after, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("SELECT " + std::string(kSqliteRuleColumns) +
                               " FROM event_rules WHERE bus = ?4 AND " + std::string(kPrefixTest) +
                               " AND name > ?2 ORDER BY name LIMIT ?3");
  st.Bind(1, prefix).Bind(2, after).Bind(3, static_cast<int64_t>(limit)).Bind(4, bus);
  std::vector<EventRule> out;
  while (st.Step()) out.push_back(ReadRule(st));
  return out;
}

bool SqliteEventRules::RuleExists(std::string_view bus, std::string_view name) {
  Statement st = conn_.Prepare("SELECT 1 FROM event_rules WHERE bus = ? AND name = ?");
  st.Bind(1, bus).Bind(2, name);
  return st.Step();
}

StoreOutcome SqliteEventRules::DeleteRule(std::string_view bus, std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  if (!RuleExists(bus, name)) return StoreOutcome::kNotFound;
  Statement targets = conn_.Prepare("SELECT 1 FROM event_targets WHERE bus = ? AND rule = ?");
  targets.Bind(1, bus).Bind(2, name);
  if (targets.Step()) return StoreOutcome::kHasTargets;
  conn_.Prepare("DELETE FROM event_rules WHERE bus = ? AND name = ?")
      .Bind(1, bus)
      .Bind(2, name)
      .Run();
  tx.Commit();
  return StoreOutcome::kOk;
}

StoreOutcome SqliteEventRules::SetRuleState(std::string_view bus, std::string_view name,
                                            std::string_view state) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare("UPDATE event_rules SET state = ? WHERE bus = ? AND name = ?");
  st.Bind(1, state).Bind(2, bus).Bind(3, name).Run();
  return conn_.Changes() == 1 ? StoreOutcome::kOk : StoreOutcome::kNotFound;
}

StoreOutcome SqliteEventRules::PutTargets(std::string_view bus, std::string_view rule,
                                          const std::vector<EventTarget>& targets,
                                          int max_targets) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  if (!RuleExists(bus, rule)) return StoreOutcome::kNotFound;
  for (const EventTarget& t : targets) {
    Statement st = conn_.Prepare(
        "INSERT INTO event_targets (bus, rule, id, definition) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (bus, rule, id) DO UPDATE SET definition = excluded.definition");
    st.Bind(1, bus).Bind(2, rule).Bind(3, t.id).Bind(4, t.definition).Run();
  }
  Statement count = conn_.Prepare("SELECT count(*) FROM event_targets WHERE bus = ? AND rule = ?");
  count.Bind(1, bus).Bind(2, rule);
  count.Step();
  if (count.Int(0) > max_targets) return StoreOutcome::kTooManyTargets;  // rolled back
  tx.Commit();
  return StoreOutcome::kOk;
}

std::vector<EventTarget> SqliteEventRules::ListTargets(std::string_view bus, std::string_view rule,
                                                       std::string_view after, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Statement st = conn_.Prepare(
      "SELECT id, definition FROM event_targets WHERE bus = ? AND rule = ? AND id > ? "
      "ORDER BY id LIMIT ?");
  st.Bind(1, bus).Bind(2, rule).Bind(3, after).Bind(4, static_cast<int64_t>(limit));
  std::vector<EventTarget> out;
  while (st.Step()) out.push_back(EventTarget{st.Text(0), st.Text(1)});
  return out;
}

StoreOutcome SqliteEventRules::RemoveTargets(std::string_view bus, std::string_view rule,
                                             const std::vector<std::string>& ids) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_);
  if (!RuleExists(bus, rule)) return StoreOutcome::kNotFound;
  for (const std::string& id : ids) {
    conn_.Prepare("DELETE FROM event_targets WHERE bus = ? AND rule = ? AND id = ?")
        .Bind(1, bus)
        .Bind(2, rule)
        .Bind(3, id)
        .Run();
  }
  tx.Commit();
  return StoreOutcome::kOk;
}

std::vector<RuleWithTargets> SqliteEventRules::EnabledRules(std::string_view bus) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(conn_, Transaction::Mode::kRead);
  std::vector<RuleWithTargets> out;
  Statement rules = conn_.Prepare("SELECT " + std::string(kSqliteRuleColumns) +
                                  " FROM event_rules WHERE bus = ? AND state = 'ENABLED' "
                                  "ORDER BY name");
  rules.Bind(1, bus);
  while (rules.Step()) out.push_back(RuleWithTargets{ReadRule(rules), {}});
  Statement targets = conn_.Prepare(
      "SELECT t.rule, t.id, t.definition FROM event_targets t JOIN event_rules r "
      "ON r.bus = t.bus AND r.name = t.rule WHERE t.bus = ? AND r.state = 'ENABLED' "
      "ORDER BY t.rule, t.id");
  targets.Bind(1, bus);
  size_t i = 0;
  while (targets.Step()) {
    std::string rule = targets.Text(0);
    while (i < out.size() && out[i].rule.name < rule) ++i;
    if (i < out.size() && out[i].rule.name == rule) {
      out[i].targets.push_back(EventTarget{targets.Text(1), targets.Text(2)});
    }
  }
  tx.Commit();
  return out;
}

}  // namespace imagemill
