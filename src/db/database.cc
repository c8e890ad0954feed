#include "db/database.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "db/memory_database.h"
#include "db/postgres_database.h"
#include "db/sqlite_database.h"
#include "db/sqlite_schema.h"

namespace imagemill {
namespace {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& uri, std::string path,
                                             OpenMode mode) {
  if (path.empty()) {
    return Status::InvalidArgument("--db " + uri +
                                   ": a SQLite database needs a file path, e.g. sqlite:imagemill.db");
  }
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("--db " + uri + ": " + path + " is not a regular file");
  }
  if (!exists && mode == OpenMode::kExisting) {
    return Status::NotFound("no database at " + path + " (--db " + uri +
                            "): nothing has run with it yet; `imagemill run SOURCE --db " + uri +
                            "` creates it");
  }
  try {
    return std::unique_ptr<Database>(std::make_unique<SqliteDatabase>(path));
  } catch (const DatabaseError& e) {
    return Status(e.kind() == DatabaseError::Kind::kPermanent ? Code::kInvalidArgument : Code::kIo,
                  e.what());
  }
}

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
    return Status(e.kind() == DatabaseError::Kind::kPermanent ? Code::kInvalidArgument : Code::kIo,
                  e.what());
  }
}

}  // namespace

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view uri_view, OpenMode mode) {
  const std::string uri(uri_view);
  if (uri == "mem:" || uri == "mem://") {
    return std::unique_ptr<Database>(std::make_unique<MemoryDatabase>());
  }
  if (uri.starts_with("postgres://") || uri.starts_with("postgresql://")) {
    return OpenPostgres(uri, mode);
  }
  if (uri.starts_with("sqlite:")) return OpenSqlite(uri, uri.substr(7), mode);
  if (uri.find("://") != std::string::npos) {
    return Status::InvalidArgument("--db " + uri +
                                   ": unknown kind of database (sqlite:PATH, a file path, mem:, "
                                   "or postgresql://user@host/db)");
  }
  return OpenSqlite(uri, uri, mode);
}

}  // namespace imagemill
