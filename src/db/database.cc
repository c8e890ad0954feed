#include "db/database.h"

#include <sys/stat.h>

#include <filesystem>

#include "db/load_postgres.h"
#include "db/memory_database.h"
#include "db/sqlite_database.h"
#include "db/sqlite_schema.h"

namespace imagemill {
namespace {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& uri, std::string path,
                                             OpenMode mode) {
  if (path.empty()) {
    return Status::InvalidArgument(
        "--db " + uri + ": a SQLite database needs a file path, e.g. sqlite:imagemill.db");
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

}  // namespace

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view uri_view, OpenMode mode) {
  const std::string uri(uri_view);
  if (uri == "mem:" || uri == "mem://") {
    return std::unique_ptr<Database>(std::make_unique<MemoryDatabase>());
  }
  if (uri.starts_with("postgres://") || uri.starts_with("postgresql://")) {
    Result<const PostgresBackend*> backend = LoadPostgresBackend();
    if (!backend.ok()) return backend.status();
    return (*backend)->open(uri, mode);
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
