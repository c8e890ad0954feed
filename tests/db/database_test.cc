// The database backends: the conformance suite over SQLite and the in-memory fake, and what only
// SQLite's files have — schema versions, migration, refusing files imagemill did not make.
#include "db/database.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "db/sqlite.h"
#include "db/sqlite_schema.h"
#include "support/state_store_conformance.h"
#include "support/temp_dir.h"

namespace imagemill {
namespace {

std::unique_ptr<Database> MakeMemoryDatabase() {
  return std::move(OpenDatabase("mem:", OpenMode::kCreate)).value();
}

// Each database in a file of its own, removed when the test binary exits.
std::unique_ptr<Database> MakeSqliteDatabase() {
  static testing::TempDir* dir = new testing::TempDir();  // NOLINT: lives as long as the tests
  static std::atomic<int> n{0};
  const std::string path = dir->path() + "/db" + std::to_string(n++) + ".db";
  Result<std::unique_ptr<Database>> db = OpenDatabase("sqlite:" + path, OpenMode::kCreate);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

using testing::DatabaseConformance;
INSTANTIATE_TEST_SUITE_P(Memory, DatabaseConformance, ::testing::Values(&MakeMemoryDatabase));
INSTANTIATE_TEST_SUITE_P(Sqlite, DatabaseConformance, ::testing::Values(&MakeSqliteDatabase));

// imagemill 0.1's layout, as it created its files (no version, no application id).
constexpr std::string_view kVersion1Schema = R"sql(
CREATE TABLE IF NOT EXISTS executions (
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
-- in batch_items, written once when listed and deleted when the batch is done.
CREATE TABLE IF NOT EXISTS batches (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  status         TEXT NOT NULL,            -- PENDING, RUNNING, DONE
  item_count     INTEGER NOT NULL,
  bytes          INTEGER NOT NULL,
  owner          TEXT,
  lease_until_ms INTEGER,
  attempts       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (execution, seq)
) WITHOUT ROWID;
-- Claims, lease renewals and counts name this index (INDEXED BY): without statistics SQLite
-- would walk the primary key past every DONE batch, which made claiming quadratic in the batches.
CREATE INDEX IF NOT EXISTS batches_by_status ON batches (execution, status, seq);
CREATE TABLE IF NOT EXISTS batch_items (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  items          BLOB NOT NULL,            -- EncodeBatchItems
  PRIMARY KEY (execution, seq)
);
-- A finished batch's succeeded items with their times, in one row: one write per batch instead of
-- one per item. Failed and skipped items have a row each in `items` (redrive and the FAILED list
-- read them by key).
CREATE TABLE IF NOT EXISTS batch_outcomes (
  execution      TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  succeeded      INTEGER NOT NULL,
  outcomes       BLOB NOT NULL,            -- EncodeSucceeded
  PRIMARY KEY (execution, seq)
);
CREATE TABLE IF NOT EXISTS items (
  execution     TEXT NOT NULL,
  key           TEXT NOT NULL,
  etag          TEXT NOT NULL,
  size          INTEGER NOT NULL,
  last_modified TEXT NOT NULL,
  batch         INTEGER NOT NULL,
  status        TEXT NOT NULL,             -- FAILED, SKIPPED (SUCCEEDED from versions before
                                           -- batch_outcomes)
  error         TEXT NOT NULL DEFAULT '',
  cause         TEXT NOT NULL DEFAULT '',
  start_ms      INTEGER NOT NULL,
  stop_ms       INTEGER NOT NULL,
  attempts      INTEGER NOT NULL,
  PRIMARY KEY (execution, key)
) WITHOUT ROWID;
-- No index by status: outcomes are read by status only at the end of a run (one scan), and
-- every index costs an insert per item on the hot path.
CREATE TABLE IF NOT EXISTS results (
  id         TEXT PRIMARY KEY,
  bucket     TEXT NOT NULL,
  key        TEXT NOT NULL,
  etag       TEXT NOT NULL,
  size       INTEGER NOT NULL,
  processor  TEXT NOT NULL,
  response   TEXT NOT NULL,
  execution  TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS labels (
  id         TEXT NOT NULL,
  label      TEXT NOT NULL COLLATE NOCASE,
  confidence REAL NOT NULL,
  direct     INTEGER NOT NULL,             -- 1: detected; 0: a parent of a detected label
  PRIMARY KEY (id, label)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS labels_by_label ON labels (label, confidence DESC);
)sql";

TEST(SqliteFile, AReadOpenOfAMissingDatabaseSaysSoAndCreatesNothing) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/none.db";
  Result<std::unique_ptr<Database>> db = OpenDatabase("sqlite:" + path, OpenMode::kExisting);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kNotFound);
  EXPECT_NE(db.status().message().find(path), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(OpenDatabase(path, OpenMode::kCreate).ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(OpenDatabase(path, OpenMode::kExisting).ok());
}

TEST(SqliteFile, AnotherProgramsDatabaseIsRefusedAndLeftAlone) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/theirs.db";
  {
    sqlite::Connection c(path);
    c.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  }
  Result<std::unique_ptr<Database>> db = OpenDatabase(path, OpenMode::kCreate);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kInvalidArgument);
  EXPECT_NE(db.status().message().find("not an imagemill database"), std::string::npos);
  EXPECT_NE(db.status().message().find("customers"), std::string::npos);
  sqlite::Connection c(path);
  sqlite::Statement st = c.Prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  ASSERT_TRUE(st.Step());
  EXPECT_EQ(st.Int(0), 1) << "nothing was added";
}

TEST(SqliteFile, ANewerImagemillsDatabaseIsRefusedNamingTheVersions) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/newer.db";
  ASSERT_TRUE(OpenDatabase(path, OpenMode::kCreate).ok());
  {
    sqlite::Connection c(path);
    c.Exec("PRAGMA user_version = " + std::to_string(sqlite::kSchemaVersion + 1));
  }
  Result<std::unique_ptr<Database>> db = OpenDatabase(path, OpenMode::kCreate);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("newer imagemill"), std::string::npos);
  EXPECT_NE(db.status().message().find(path), std::string::npos);
}

TEST(SqliteFile, AVersion1DatabaseIsMigratedWithItsAnswersAndExecutions) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/v1.db";
  {
    sqlite::Connection c(path);
    c.Exec(kVersion1Schema);
    c.Exec(R"sql(
      INSERT INTO executions (name, map_run_id, status, spec, start_ms, listed)
        VALUES ('june', 'm1', 'SUCCEEDED', '{}', 1, 3);
      INSERT INTO batches (execution, seq, status, item_count, bytes) VALUES ('june', 0, 'DONE', 3, 0);
      INSERT INTO batch_outcomes VALUES ('june', 0, 2, '5:a.jpg1:2:e11:t1:1:1:');
      INSERT INTO items (execution, key, etag, size, last_modified, batch, status, error, cause,
        start_ms, stop_ms, attempts) VALUES ('june', 'c.jpg', 'e', 1, 't', 0, 'FAILED', 'Corrupt',
        'c.jpg: damaged', 1, 2, 1);
      INSERT INTO results VALUES ('a.jpg', '/photos', 'a.jpg', 'e1', 1, 'labels/nanodet-320',
        '{"Labels":[{"Name":"Dog"}]}', 'june', 't');
      INSERT INTO results VALUES ('b.jpg', 'bucket', 'b.jpg', 'e2', 1, 'none', '{}', 'june', 't');
      INSERT INTO labels VALUES ('a.jpg', 'Dog', 91, 1);
    )sql");
  }
  Result<std::unique_ptr<Database>> db = OpenDatabase(path, OpenMode::kExisting);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->GetResult("/photos", "a.jpg", "labels")->response["Labels"][0]["Name"], "Dog");
  EXPECT_TRUE((*db)->GetResult("s3://bucket", "b.jpg", "inventory"));
  LabelQuery q;
  q.label = "dog";
  ASSERT_EQ((*db)->QueryLabel(q).size(), 1u);
  EXPECT_EQ((*db)->QueryLabel(q)[0].source, "/photos");
  ItemCounts c = (*db)->CountItems("june");
  EXPECT_EQ(c.failed, 1);
  EXPECT_EQ(c.total, 3);
  EXPECT_EQ((*db)->GetExecution("june")->status, ExecutionStatus::kSucceeded);
  db->reset();
  sqlite::Connection check(path);
  sqlite::Statement v = check.Prepare("PRAGMA user_version");
  ASSERT_TRUE(v.Step());
  EXPECT_EQ(v.Int(0), sqlite::kSchemaVersion);
}

// A version 2 file (answers' text stored, the inventory's too, and no last_modified): opened, its
// answers read as stored, and new inventory answers are stored as their objects' fields.
TEST(SqliteFile, AVersion2DatabaseIsMigratedAndItsStoredAnswersReadAsBefore) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/v2.db";
  const std::string inventory_text =
      R"({"ETag":"\"e2\"","Key":"b.jpg","LastModified":"2026-01-01T00:00:00.000Z","Size":1})";
  ASSERT_TRUE(OpenDatabase(path, OpenMode::kCreate).ok());
  {
    // Version 2's tables are version 3's without results.last_modified.
    sqlite::Connection c(path);
    c.Exec("ALTER TABLE results DROP COLUMN last_modified; PRAGMA user_version = 2;");
    c.Exec(R"sql(
      INSERT INTO sources VALUES (1, '/photos');
      INSERT INTO results VALUES (1, 'a.jpg', 'labels', 'e1', 1, 'labels/nanodet-320',
        '{"Labels":[{"Name":"Dog"}]}', 'june', 't');
      INSERT INTO labels VALUES (1, 'a.jpg', 'labels', 'Dog', 91, 1);
    )sql");
    sqlite::Statement st = c.Prepare(
        "INSERT INTO results VALUES (1, 'b.jpg', 'inventory', '\"e2\"', 1, 'none', ?, 'june', "
        "'t')");
    st.Bind(1, inventory_text).Run();
  }
  Result<std::unique_ptr<Database>> db = OpenDatabase(path, OpenMode::kExisting);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ((*db)->GetResult("/photos", "a.jpg", "labels")->response["Labels"][0]["Name"], "Dog");
  EXPECT_EQ((*db)->GetResult("/photos", "b.jpg", "inventory")->response.dump(), inventory_text);
  LabelQuery q;
  q.label = "dog";
  EXPECT_EQ((*db)->QueryLabel(q).size(), 1u);

  // An inventory run after the migration: its answer stored as fields, read as the same JSON.
  ExecutionRecord r{.name = "july", .map_run_id = "m2"};
  r.spec = nlohmann::json::object();
  bool created = false;
  (*db)->CreateOrGetExecution(r, &created);
  const ObjectInfo c{"c.jpg", 3, "\"e3\"", "2026-02-01T00:00:00.000Z"};
  ListingStep step;
  step.batches.push_back(BatchRecord{0, {c}, 0, 0});
  step.listed = 1;
  step.cursor = c.key;
  step.done = true;
  ASSERT_TRUE((*db)->AppendListing("july", "", step));
  BatchRecord b = (*db)->ClaimBatches("july", "w", 1, 0, int64_t{1} << 50).at(0);
  ItemOutcome o{.item = c, .status = ItemStatus::kSucceeded};
  (*db)->CompleteBatches("july", "w", AnswerTarget{"/photos", "inventory", "none"},
                         {FinishedBatch{b.seq, b.attempt, true, {o}}});
  EXPECT_EQ((*db)->GetResult("/photos", "c.jpg", "inventory")->response.dump(),
            R"({"ETag":"\"e3\"","Key":"c.jpg","LastModified":"2026-02-01T00:00:00.000Z",)"
            R"("Size":3})");
  db->reset();
  sqlite::Connection check(path);
  sqlite::Statement v = check.Prepare("PRAGMA user_version");
  ASSERT_TRUE(v.Step());
  EXPECT_EQ(v.Int(0), sqlite::kSchemaVersion);
  sqlite::Statement text = check.Prepare("SELECT response FROM results WHERE id = 'c.jpg'");
  ASSERT_TRUE(text.Step());
  EXPECT_EQ(text.Text(0), "") << "the inventory's answer is stored as its object's fields";
}

TEST(SqliteFile, ProcessesOpeningANewFileAtOnceAllSucceed) {
  // Several runs of one execution started together on a database that does not exist yet: each
  // waits for the one that creates it, as any other access waits.
  testing::TempDir dir;
  const std::string path = dir.path() + "/race.db";
  for (int round = 0; round < 5; ++round) {
    // The last round's file, with its WAL and shared-memory index: a new database has neither.
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    std::vector<pid_t> children;
    for (int i = 0; i < 4; ++i) {
      pid_t pid = ::fork();
      if (pid == 0) {
        Result<std::unique_ptr<Database>> db = OpenDatabase(path, OpenMode::kCreate);
        if (!db.ok())
          std::fprintf(stderr, "a process failed: %s\n", db.status().ToString().c_str());
        _exit(db.ok() ? 0 : 1);
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round;
    }
  }
}

TEST(DatabaseUri, MalformedOrUnknownUrisAreRefusedByName) {
  EXPECT_EQ(OpenDatabase("sqlite:", OpenMode::kCreate).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenDatabase("redis://x", OpenMode::kCreate).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(OpenDatabase("mem:", OpenMode::kExisting).ok());
}

}  // namespace
}  // namespace imagemill
