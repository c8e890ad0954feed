#include "db/event_rules.h"

#include "db/load_postgres.h"
#include "db/sqlite_event_rules.h"
#include "events/memory_rule_store.h"

namespace imagemill {

Result<std::unique_ptr<events::EventRuleStore>> OpenEventRules(const Database& db) {
  const std::string where = db.Describe();
  if (where == "mem:") {
    return std::unique_ptr<events::EventRuleStore>(
        std::make_unique<events::MemoryEventRuleStore>());
  }
  if (where.starts_with("sqlite:")) {
    try {
      return std::unique_ptr<events::EventRuleStore>(
          std::make_unique<SqliteEventRules>(where.substr(7)));
    } catch (const std::exception& e) {
      return Status::Io("the event rules in " + where + " cannot be opened: " + e.what());
    }
  }
  if (where.starts_with("postgres")) {
    Result<const PostgresBackend*> backend = LoadPostgresBackend();
    if (!backend.ok()) return backend.status();
    return (*backend)->open_event_rules(db);
  }
  return Status::Unsupported(where + " keeps no event rules (SQLite, PostgreSQL and mem: do)");
}

}  // namespace imagemill
