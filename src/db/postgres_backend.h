// The PostgreSQL backend's entry points, the one boundary between the engine and the code that
// uses libpq. The backend is built as a module, libimagemill_postgres.so, that a binary loads
// the first time it opens a postgresql:// database (load_postgres.h), so a process that only
// uses SQLite never maps libpq and the TLS, Kerberos and LDAP libraries it brings. A binary that
// links the backend's objects itself (the tests, fleet_bench) uses them without loading anything.
//
// The module and the binary that loads it come from one build: the table below is the whole
// contract between them, and its version is in the entry point's name.
#pragma once

#include <memory>
#include <string>

#include "db/database.h"
#include "events/rule_store.h"
#include "util/status.h"

namespace imagemill {

struct PostgresBackend {
  // OpenDatabase for a postgresql:// or postgres:// URI (database.h states the contract).
  Result<std::unique_ptr<Database>> (*open)(const std::string& uri, OpenMode mode);
  // OpenEventRules for a database `open` returned (event_rules.h states the contract);
  // Unsupported for any other database.
  Result<std::unique_ptr<events::EventRuleStore>> (*open_event_rules)(const Database& db);
};

// The module's file name and its one exported symbol.
inline constexpr const char* kPostgresModuleFile = "libimagemill_postgres.so";
inline constexpr const char* kPostgresBackendSymbol = "imagemill_postgres_backend_v1";

}  // namespace imagemill

// The table, valid for the life of the process. Defined by postgres_backend.cc.
extern "C" const imagemill::PostgresBackend* imagemill_postgres_backend_v1();
