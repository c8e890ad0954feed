// The imagemill schema in PostgreSQL and its migrations.
//
// The database records its schema version in `imagemill_schema`. Opening a database runs every
// migration newer than that version, in order, each in the transaction that records it, under a
// transaction-level advisory lock: processes started at once (a fleet) migrate once and the
// others wait and find the work done. A database whose version is newer than this build knows
// is refused with a message naming both versions.
#pragma once

#include <string_view>
#include <vector>

#include "db/postgres_connection.h"

namespace imagemill::pg {

struct Migration {
  int version;
  std::string_view sql;
};

// The migrations this build knows, oldest first; the last one's version is the current schema.
const std::vector<Migration>& Migrations();
int CurrentSchemaVersion();

// Brings the database up to CurrentSchemaVersion(). Returns the version found before (0 for a
// database imagemill never used). Throws Error (permanent) for a database from a newer build.
int MigrateSchema(Connection& conn);

// The version recorded in the database, 0 when there is none.
int StoredSchemaVersion(Connection& conn);

}  // namespace imagemill::pg
