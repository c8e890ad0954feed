#include "db/event_rules.h"

#include "db/postgres_database.h"
#include "db/postgres_event_rules.h"
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
  if (const auto* pg = dynamic_cast<const PostgresDatabase*>(&db); pg != nullptr) {
    try {
      return std::unique_ptr<events::EventRuleStore>(std::make_unique<PostgresEventRules>(
          pg->ConnectionUri(), Clock::Real(), pg->retry()));
    } catch (const DatabaseError& e) {
      return Status(
          e.kind() == DatabaseError::Kind::kPermanent ? Code::kInvalidArgument : Code::kIo,
          "the event rules in " + where + " cannot be opened: " + e.what());
    }
  }
  return Status::Unsupported(where + " keeps no event rules (SQLite, PostgreSQL and mem: do)");
}

}  // namespace imagemill
