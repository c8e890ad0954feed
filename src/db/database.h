// Database: the StateStore and ResultsTable of one backend, opened from the URI `--db` names:
//
//   sqlite:PATH or PATH         a SQLite file (the default, sqlite:imagemill.db): one machine
//   mem:                        an empty database in this process's memory (tests, trials)
//   postgresql://... postgres://...   PostgreSQL: many machines (a libpq URI; the PG* variables
//                               fill in what it leaves out: `postgresql://` alone uses them all)
//
// Every front end and the execution service use these interfaces; none names a backend's class.
// A database carries its schema version: one written by an older imagemill is migrated when
// opened, one by a newer imagemill, or a file imagemill did not create, is refused by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "db/results_table.h"
#include "db/state_store.h"
#include "util/status.h"

namespace imagemill {

class Database : public StateStore, public ResultsTable {
 public:
  // Where the database is, for messages ("sqlite:/srv/imagemill.db"); never a password.
  virtual std::string Describe() const = 0;
};

enum class OpenMode {
  kCreate,    // create the database if it does not exist (commands that write)
  kExisting,  // NotFound if it does not exist, and create nothing (commands that only read)
};

inline constexpr const char* kDefaultDatabaseUri = "sqlite:imagemill.db";

// Opens the database `uri` names. NotFound (kExisting only) when there is none; InvalidArgument
// for a malformed URI, a file imagemill did not create, or a schema newer than this build reads;
// Io when it cannot be opened. The message names the database and says what to do.
Result<std::unique_ptr<Database>> OpenDatabase(std::string_view uri, OpenMode mode);

}  // namespace imagemill
