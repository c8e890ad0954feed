// Opening the results database named by --db: "sqlite:PATH" (the default, sqlite:imagemill.db)
// or a bare path.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "db/sqlite_database.h"

namespace imagemill::cli {

inline constexpr const char* kDefaultDb = "sqlite:imagemill.db";

// Adds --db to `cmd`, bound to `target`.
void AddDbFlag(CLI::App& cmd, std::string& target);

// Throws sqlite::DatabaseError (with what to do) when it cannot be opened.
std::unique_ptr<SqliteDatabase> OpenDatabase(const std::string& db);

}  // namespace imagemill::cli
