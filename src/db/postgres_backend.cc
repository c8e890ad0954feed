#include "db/postgres_backend.h"

#include <chrono>
#include <cstdlib>

#include "db/postgres_database.h"
#include "db/postgres_event_rules.h"

namespace imagemill {
namespace {

// How long to wait for an unreachable server before giving up: $IMAGEMILL_DB_WAIT seconds, or
// RetryOptions' default.
Result<pg::RetryOptions> ConnectRetry() {
  pg::RetryOptions retry;
  const char* env = std::getenv(pg::kConnectWaitVariable);
  if (env == nullptr || *env == '\0') return retry;
  char* end = nullptr;
  const double seconds = std::strtod(env, &end);
  if (end == env || *end != '\0' || !(seconds >= 0 && seconds <= 86400)) {
    return Status::InvalidArgument(std::string(pg::kConnectWaitVariable) + "=" + env +
                                   " is not a number of seconds from 0 to 86400 (how long to "
                                   "wait for an unreachable PostgreSQL server)");
  }
  retry.first_connect_give_up_after =
      std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  return retry;
}

Status FromDatabaseError(const DatabaseError& e, const std::string& context) {
  return Status(e.kind() == DatabaseError::Kind::kPermanent ? Code::kInvalidArgument : Code::kIo,
                context + e.what());
}

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& uri, OpenMode mode) {
  Result<pg::RetryOptions> retry = ConnectRetry();
  if (!retry.ok()) return retry.status();
  try {
    if (mode == OpenMode::kExisting && !PostgresDatabase::HasSchema(uri, *retry)) {
      return Status::NotFound("no imagemill tables in " + pg::DescribeTarget(uri) +
                              ": nothing has run with it yet; `imagemill run SOURCE --db " +
                              pg::DescribeTarget(uri) + "` creates them");
    }
    return std::unique_ptr<Database>(
        std::make_unique<PostgresDatabase>(uri, Clock::Real(), *retry));
  } catch (const DatabaseError& e) {
    return FromDatabaseError(e, "");
  }
}

Result<std::unique_ptr<events::EventRuleStore>> OpenPostgresEventRules(const Database& db) {
  const auto* pg = dynamic_cast<const PostgresDatabase*>(&db);
  if (pg == nullptr) {
    return Status::Unsupported(db.Describe() + " is not a PostgreSQL database");
  }
  try {
    return std::unique_ptr<events::EventRuleStore>(
        std::make_unique<PostgresEventRules>(pg->ConnectionUri(), Clock::Real(), pg->retry()));
  } catch (const DatabaseError& e) {
    return FromDatabaseError(e, "the event rules in " + db.Describe() + " cannot be opened: ");
  }
}

constexpr PostgresBackend kBackend{&OpenPostgres, &OpenPostgresEventRules};

}  // namespace
}  // namespace imagemill

extern "C" const imagemill::PostgresBackend* imagemill_postgres_backend_v1() {
  return &imagemill::kBackend;
}
