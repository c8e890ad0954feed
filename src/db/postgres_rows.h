// Small pieces the PostgreSQL backend's files share: reading rows and array results, making a
// transaction wait for the disk.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "workflow/records.h"

namespace imagemill::pg {

inline std::string S(std::string_view v) { return std::string(v); }

// Sessions commit without waiting for the WAL to reach the disk (postgres_connection.h); the rare
// steps a crash must not undo (an execution created, its status changed, a redrive) wait for it.
void Durable(pqxx::work& tx);

// A bytea field's bytes.
std::string Bytes(const pqxx::field& f);

// A bigint[] field ("{1,2,3}") as numbers. Throws pg::Error (permanent) on other text.
std::vector<int64_t> BigintArray(const pqxx::field& f);

// A failed or skipped item's row: key, etag, size, last_modified, error, cause, start_ms,
// stop_ms, attempts (in that order, from column `first`).
ItemOutcome ReadOtherOutcome(const pqxx::row& r, ItemStatus status, int first = 0);

}  // namespace imagemill::pg
