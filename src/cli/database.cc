#include "cli/database.h"

namespace imagemill::cli {

void AddDbFlag(CLI::App& cmd, std::string& target) {
  target = kDefaultDb;
  cmd.add_option("--db", target, "Results database: sqlite:PATH")->capture_default_str();
}

std::unique_ptr<SqliteDatabase> OpenDatabase(const std::string& db) {
  std::string path = db;
  if (path.starts_with("sqlite:")) path = path.substr(7);
  if (path.starts_with("postgres")) {
    throw sqlite::DatabaseError(db + ": PostgreSQL is not supported by this build; use sqlite:PATH");
  }
  if (path.empty()) throw sqlite::DatabaseError("--db sqlite: needs a file path, e.g. sqlite:imagemill.db");
  try {
    return std::make_unique<SqliteDatabase>(path);
  } catch (const sqlite::DatabaseError& e) {
    std::string what = e.what();
    if (what.find(path) != std::string::npos) throw;
    throw sqlite::DatabaseError("database " + path + ": " + what);
  }
}

}  // namespace imagemill::cli
