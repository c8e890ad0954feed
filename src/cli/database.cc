#include "cli/database.h"

#include <iostream>

namespace imagemill::cli {

void AddDbFlag(CLI::App& cmd, std::string& target) {
  target = kDefaultDatabaseUri;
  cmd.add_option("--db", target,
                 "Database: sqlite:PATH (or a path), mem:, or postgresql://USER@HOST/DB for many "
                 "machines (the PG* variables fill in what it leaves out)")
      ->capture_default_str();
}

std::unique_ptr<Database> OpenDb(const std::string& uri, OpenMode mode,
                                 const std::string& command) {
  Result<std::unique_ptr<Database>> db = OpenDatabase(uri, mode);
  if (!db.ok()) {
    std::cerr << "imagemill " << command << ": " << db.status().message() << "\n";
    return nullptr;
  }
  return std::move(db).value();
}

}  // namespace imagemill::cli
