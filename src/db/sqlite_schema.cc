#include "db/sqlite_schema.h"

#include <set>
#include <string_view>

namespace imagemill::sqlite {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE executions (
  name          TEXT PRIMARY KEY,
  map_run_id    TEXT NOT NULL,
  status        TEXT NOT NULL,
  spec          TEXT NOT NULL,
  start_ms      INTEGER NOT NULL,
  stop_ms       INTEGER NOT NULL DEFAULT 0,
  error         TEXT NOT NULL DEFAULT '',
  cause         TEXT NOT NULL DEFAULT '',
  redrive_count INTEGER NOT NULL DEFAULT 0,
  cursor        TEXT NOT NULL DEFAULT '',
  listing_done  INTEGER NOT NULL DEFAULT 0,
  listed        INTEGER NOT NULL DEFAULT 0,
  unchanged     INTEGER NOT NULL DEFAULT 0,
  next_batch    INTEGER NOT NULL DEFAULT 0,
  manifest      TEXT NOT NULL DEFAULT ''
);
-- A batch's state is a small row, rewritten at each claim, lease and completion; its items live
-- in batch_items, written once when listed and deleted when the batch is done. done_items counts
-- the items whose outcomes a part already committed (a claim gets only the others).
CREATE TABLE batches (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  status         TEXT NOT NULL,            -- PENDING, RUNNING, DONE
  item_count     INTEGER NOT NULL,
  bytes          INTEGER NOT NULL,
  owner          TEXT,
  lease_until_ms INTEGER,
  attempts       INTEGER NOT NULL DEFAULT 0,
  done_items     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (execution, seq)
) WITHOUT ROWID;
-- Claims, lease renewals and counts name this index (INDEXED BY): without statistics SQLite
-- would walk the primary key past every DONE batch, which made claiming quadratic in the batches.
CREATE INDEX batches_by_status ON batches (execution, status, seq);
CREATE TABLE batch_items (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  items          BLOB NOT NULL,            -- EncodeBatchItems
  PRIMARY KEY (execution, seq)
);
-- A batch part's succeeded items with their times, in one row: one write per part instead of one
-- per item. `part` is the batch's done_items before the part. Failed and skipped items have a row
-- each in `items` (redrive and the FAILED list read them by key).
CREATE TABLE batch_outcomes (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  part           INTEGER NOT NULL,
  succeeded      INTEGER NOT NULL,
  outcomes       BLOB NOT NULL,            -- EncodeSucceeded
  PRIMARY KEY (execution, seq, part)
);
CREATE TABLE items (
  execution     TEXT NOT NULL,
  key           TEXT NOT NULL,
  etag          TEXT NOT NULL,
  size          INTEGER NOT NULL,
  last_modified TEXT NOT NULL,
  batch         INTEGER NOT NULL,
  status        TEXT NOT NULL,             -- FAILED, SKIPPED
  error         TEXT NOT NULL DEFAULT '',
  cause         TEXT NOT NULL DEFAULT '',
  start_ms      INTEGER NOT NULL,
  stop_ms       INTEGER NOT NULL,
  attempts      INTEGER NOT NULL,
  PRIMARY KEY (execution, key)
) WITHOUT ROWID;
-- Failed and skipped items are few: an index by batch costs little and lets a batch's report and
-- a re-claim find them.
CREATE INDEX items_by_batch ON items (execution, batch);
-- Sources by number: answers name their source in 8 bytes, not its URI.
CREATE TABLE sources (
  id   INTEGER PRIMARY KEY,
  uri  TEXT NOT NULL UNIQUE
);
-- response '' is an answer that is its object's listing entry, built from id, etag, size and
-- last_modified when read (workflow/listing_answer.h).
CREATE TABLE results (
  source        INTEGER NOT NULL,
  id            TEXT NOT NULL,
  kind          TEXT NOT NULL,
  etag          TEXT NOT NULL,
  size          INTEGER NOT NULL,
  processor     TEXT NOT NULL,
  response      TEXT NOT NULL,
  execution     TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  last_modified TEXT NOT NULL DEFAULT '',
  UNIQUE (source, id, kind)
);
CREATE TABLE labels (
  source     INTEGER NOT NULL,
  id         TEXT NOT NULL,
  kind       TEXT NOT NULL,
  label      TEXT NOT NULL COLLATE NOCASE,
  confidence REAL NOT NULL,
  direct     INTEGER NOT NULL,             -- 1: detected; 0: a parent of a detected label
  PRIMARY KEY (source, id, kind, label)
) WITHOUT ROWID;
CREATE INDEX labels_by_label ON labels (label, confidence DESC);
)sql";

// From imagemill 0.1's layout (no version) to version 2: answers keyed by (source, id, kind),
// batch parts, the index of failed items by batch.
constexpr std::string_view kMigrate1To2 = R"sql(
CREATE TABLE sources (
  id   INTEGER PRIMARY KEY,
  uri  TEXT NOT NULL UNIQUE
);
INSERT INTO sources (uri)
  SELECT DISTINCT CASE WHEN substr(bucket, 1, 1) = '/' THEN bucket ELSE 's3://' || bucket END
  FROM results;
ALTER TABLE results RENAME TO results_v1;
ALTER TABLE labels RENAME TO labels_v1;
DROP INDEX IF EXISTS labels_by_label;
CREATE TABLE results (
  source     INTEGER NOT NULL,
  id         TEXT NOT NULL,
  kind       TEXT NOT NULL,
  etag       TEXT NOT NULL,
  size       INTEGER NOT NULL,
  processor  TEXT NOT NULL,
  response   TEXT NOT NULL,
  execution  TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source, id, kind)
);
INSERT INTO results
  SELECT s.id, r.id, CASE r.processor WHEN 'none' THEN 'inventory' ELSE 'labels' END, r.etag,
         r.size, r.processor, r.response, r.execution, r.updated_at
  FROM results_v1 r JOIN sources s
    ON s.uri = CASE WHEN substr(r.bucket, 1, 1) = '/' THEN r.bucket ELSE 's3://' || r.bucket END;
CREATE TABLE labels (
  source     INTEGER NOT NULL,
  id         TEXT NOT NULL,
  kind       TEXT NOT NULL,
  label      TEXT NOT NULL COLLATE NOCASE,
  confidence REAL NOT NULL,
  direct     INTEGER NOT NULL,
  PRIMARY KEY (source, id, kind, label)
) WITHOUT ROWID;
INSERT INTO labels
  SELECT r.source, l.id, r.kind, l.label, l.confidence, l.direct
  FROM labels_v1 l JOIN results r ON r.id = l.id AND r.kind = 'labels';
CREATE INDEX labels_by_label ON labels (label, confidence DESC);
DROP TABLE labels_v1;
DROP TABLE results_v1;
ALTER TABLE batches ADD COLUMN done_items INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batch_outcomes RENAME TO batch_outcomes_v1;
CREATE TABLE batch_outcomes (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  part           INTEGER NOT NULL,
  succeeded      INTEGER NOT NULL,
  outcomes       BLOB NOT NULL,
  PRIMARY KEY (execution, seq, part)
);
INSERT INTO batch_outcomes SELECT execution, seq, 0, succeeded, outcomes FROM batch_outcomes_v1;
DROP TABLE batch_outcomes_v1;
CREATE INDEX items_by_batch ON items (execution, batch);
)sql";

// Version 2 to 3: answers carry their object's LastModified, so an inventory's answer (its listing
// entry) is built when read rather than stored as text. Answers stored before keep their text.
constexpr std::string_view kMigrate2To3 = R"sql(
ALTER TABLE results ADD COLUMN last_modified TEXT NOT NULL DEFAULT '';
)sql";

int PragmaInt(Connection& conn, const char* pragma) {
  Statement st = conn.Prepare(std::string("PRAGMA ") + pragma);
  int v = st.Step() ? static_cast<int>(st.Int(0)) : 0;
  st.Reset();
  return v;
}

std::set<std::string> Tables(Connection& conn) {
  std::set<std::string> out;
  Statement st = conn.Prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  while (st.Step()) out.insert(st.Text(0));
  return out;
}

bool HasColumn(Connection& conn, const std::string& table, const std::string& column) {
  Statement st = conn.Prepare("SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  st.Bind(1, table).Bind(2, column);
  bool has = st.Step();
  st.Reset();
  return has;
}

// imagemill 0.1's file: its tables, with their telling columns, and no version.
bool IsVersion1(Connection& conn, const std::set<std::string>& tables) {
  for (const char* t : {"executions", "batches", "batch_items", "batch_outcomes", "items",
                        "results", "labels"}) {
    if (tables.count(t) == 0) return false;
  }
  return HasColumn(conn, "executions", "map_run_id") && HasColumn(conn, "results", "bucket") &&
         HasColumn(conn, "batch_outcomes", "succeeded");
}

std::string Listed(const std::set<std::string>& tables) {
  std::string out;
  int n = 0;
  for (const std::string& t : tables) {
    if (n++ == 6) return out + ", ...";
    out += (out.empty() ? "" : ", ") + t;
  }
  return out;
}

void Stamp(Connection& conn) {
  conn.Exec("PRAGMA application_id = " + std::to_string(kApplicationId));
  conn.Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
}

}  // namespace

void OpenSchema(Connection& conn, const std::string& describe) {
  if (PragmaInt(conn, "application_id") == kApplicationId &&
      PragmaInt(conn, "user_version") == kSchemaVersion) {
    return;  // the common case: no write lock taken
  }
  // One process creates or migrates; another opening the same file at once waits for it, then
  // finds the current version.
  Transaction tx(conn);
  const int app = PragmaInt(conn, "application_id");
  const int version = PragmaInt(conn, "user_version");
  if (app == kApplicationId && version == kSchemaVersion) return;  // rolls back: nothing done
  std::set<std::string> tables = Tables(conn);
  if (app == kApplicationId && version == 2) {
    conn.Exec(kMigrate2To3);
    Stamp(conn);
    tx.Commit();
    return;
  }
  if (app == kApplicationId) {
    if (version > kSchemaVersion) {
      throw DatabaseError(describe + " was written by a newer imagemill (schema version " +
                          std::to_string(version) + "; this imagemill reads versions up to " +
                          std::to_string(kSchemaVersion) + "): use that imagemill, or a new --db");
    }
    throw DatabaseError(describe + " carries imagemill's id but an unknown schema version " +
                        std::to_string(version) + "; give --db a new file");
  }
  if (app != 0) {
    throw DatabaseError(describe + " is another program's SQLite database (application id " +
                        std::to_string(app) + "), not imagemill's; give --db a new file");
  }
  if (tables.empty()) {
    conn.Exec(kSchema);
  } else if (version == 0 && IsVersion1(conn, tables)) {
    conn.Exec(kMigrate1To2);
    conn.Exec(kMigrate2To3);
  } else {
    throw DatabaseError(describe + " is not an imagemill database (it holds the tables " +
                        Listed(tables) + "); give --db a new file, imagemill adds nothing to it");
  }
  Stamp(conn);
  tx.Commit();
}

}  // namespace imagemill::sqlite
