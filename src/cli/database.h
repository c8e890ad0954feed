// The --db flag and opening the database it names (src/db/database.h lists the URIs).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "db/database.h"

namespace imagemill::cli {

// Adds --db to `cmd`, bound to `target` (default sqlite:imagemill.db).
void AddDbFlag(CLI::App& cmd, std::string& target);

// Opens the database; on failure prints why (naming it, saying what to do) on stderr after
// "imagemill COMMAND: " and returns null. kExisting: a read command creates nothing.
std::unique_ptr<Database> OpenDb(const std::string& uri, OpenMode mode, const std::string& command);

}  // namespace imagemill::cli
