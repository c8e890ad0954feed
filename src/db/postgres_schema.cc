#include "db/postgres_schema.h"

#include <string>

namespace imagemill::pg {

namespace {

// Keys sort by their bytes (COLLATE "C"), as S3 lists them and as SQLite compares them.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE executions (
  name              text COLLATE "C" PRIMARY KEY,
  map_run_id        text NOT NULL,
  status            text NOT NULL,
  spec              text NOT NULL,
  start_ms          bigint NOT NULL,
  stop_ms           bigint NOT NULL DEFAULT 0,
  error             text NOT NULL DEFAULT '',
  cause             text NOT NULL DEFAULT '',
  redrive_count     integer NOT NULL DEFAULT 0,
  cursor            text COLLATE "C" NOT NULL DEFAULT '',
  listing_done      boolean NOT NULL DEFAULT false,
  listed            bigint NOT NULL DEFAULT 0,
  unchanged         bigint NOT NULL DEFAULT 0,
  next_batch        bigint NOT NULL DEFAULT 0,
  manifest          text NOT NULL DEFAULT '',
  -- Completions refused because the batch had a newer owner or attempt (a lost lease).
  stale_completions bigint NOT NULL DEFAULT 0
);
-- The queue: one row per batch not yet done (PENDING or RUNNING), deleted when it is done, so
-- the table holds the work in hand and never the history. Claims and lease renewals change no
-- indexed column (HOT updates in the free space fillfactor leaves), and autovacuum visits it
-- after every thousand dead rows.
CREATE TABLE batches (
  execution      text COLLATE "C" NOT NULL,
  seq            bigint NOT NULL,
  status         text NOT NULL,          -- PENDING, RUNNING
  item_count     integer NOT NULL,
  bytes          bigint NOT NULL,
  owner          text,
  lease_until_ms bigint,
  attempts       integer NOT NULL DEFAULT 0,  -- claims so far: with owner, the fencing token
  items          bytea NOT NULL,              -- EncodeBatchItems
  PRIMARY KEY (execution, seq)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_cost_delay = 0);
-- One row per done batch, written with its results: the DONE mark. Its key makes completing a
-- batch twice impossible; owner and attempt say which claim completed it.
CREATE TABLE batches_done (
  execution  text COLLATE "C" NOT NULL,
  seq        bigint NOT NULL,
  succeeded  integer NOT NULL,
  outcomes   bytea NOT NULL,                -- EncodeSucceeded
  owner      text NOT NULL,
  attempt    integer NOT NULL,
  done_ms    bigint NOT NULL,
  PRIMARY KEY (execution, seq)
);
-- Failed and skipped items, one row each (redrive and the FAILED list read them by key).
CREATE TABLE items (
  execution     text COLLATE "C" NOT NULL,
  key           text COLLATE "C" NOT NULL,
  etag          text NOT NULL,
  size          bigint NOT NULL,
  last_modified text NOT NULL,
  batch         bigint NOT NULL,
  status        text NOT NULL,            -- FAILED, SKIPPED
  error         text NOT NULL DEFAULT '',
  cause         text NOT NULL DEFAULT '',
  start_ms      bigint NOT NULL,
  stop_ms       bigint NOT NULL,
  attempts      integer NOT NULL,
  PRIMARY KEY (execution, key)
);
CREATE TABLE results (
  id         text COLLATE "C" PRIMARY KEY,
  bucket     text NOT NULL,
  key        text COLLATE "C" NOT NULL,
  etag       text NOT NULL,
  size       bigint NOT NULL,
  processor  text NOT NULL,
  response   text NOT NULL,
  execution  text COLLATE "C" NOT NULL,
  updated_at text NOT NULL
);
-- The label index. Labels match case-insensitively (as SQLite's NOCASE): `query --label dog`
-- is an index range scan on (lower(label), confidence DESC), most confident first.
CREATE TABLE labels (
  id         text COLLATE "C" NOT NULL,
  label      text NOT NULL,
  confidence double precision NOT NULL,
  direct     boolean NOT NULL                -- true: detected; false: a parent of a detected label
);
CREATE UNIQUE INDEX labels_by_id ON labels (id, lower(label));
CREATE INDEX labels_by_label ON labels (lower(label), confidence DESC, id);
)sql";

// Arbitrary, fixed: the advisory lock key that serialises migrations.
constexpr int64_t kMigrationLock = 0x696d676d696c6c;  // "imgmill"

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1, kVersion1},
  };
  return migrations;
}

int CurrentSchemaVersion() { return Migrations().back().version; }

namespace {

int ReadVersion(pqxx::work& tx) {
  pqxx::result exists = tx.exec("SELECT to_regclass('imagemill_schema') IS NOT NULL");
  if (!exists[0][0].as<bool>()) return 0;
  pqxx::result v = tx.exec("SELECT version FROM imagemill_schema");
  return v.empty() ? 0 : v[0][0].as<int>();
}

}  // namespace

int StoredSchemaVersion(Connection& conn) {
  return conn.Transact("read the schema version", [](pqxx::work& tx) { return ReadVersion(tx); });
}

int MigrateSchema(Connection& conn) {
  return conn.Transact("migrate the schema", [&](pqxx::work& tx) {
    tx.exec("SET LOCAL synchronous_commit = on");
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
    int found = ReadVersion(tx);
    if (found > CurrentSchemaVersion()) {
      throw Error("the database at " + conn.target() + " has imagemill schema version " +
                      std::to_string(found) + ", newer than this build's " +
                      std::to_string(CurrentSchemaVersion()) +
                      "; use the imagemill release that wrote it, or a new database",
                  false);
    }
    if (found == CurrentSchemaVersion()) return found;
    if (found == 0) {
      // A database with tables of ours but no version was not made by imagemill: refuse rather
      // than guess.
      pqxx::result clash = tx.exec(
          "SELECT string_agg(tablename, ', ') FROM pg_tables WHERE schemaname = "
          "current_schema() AND tablename IN ('executions', 'batches', 'batches_done', 'items', "
          "'results', 'labels')");
      if (!clash[0][0].is_null()) {
        throw Error("the database at " + conn.target() + " already has tables named " +
                        clash[0][0].as<std::string>() +
                        " that imagemill did not make; use a database (or a schema, with "
                        "?options=-csearch_path%3DNAME) of imagemill's own",
                    false);
      }
      tx.exec("CREATE TABLE imagemill_schema (version integer NOT NULL)");
      tx.exec("INSERT INTO imagemill_schema VALUES (0)");
    }
    for (const Migration& m : Migrations()) {
      if (m.version <= found) continue;
      tx.exec(std::string(m.sql));
    }
    tx.exec("UPDATE imagemill_schema SET version = " + std::to_string(CurrentSchemaVersion()));
    return found;
  });
}

}  // namespace imagemill::pg
