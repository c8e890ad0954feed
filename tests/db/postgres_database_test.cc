// PostgresDatabase against a real PostgreSQL server that the test starts (support/
// postgres_cluster.h): the conformance suite every backend passes, and what only PostgreSQL has —
// its schema version, fencing across processes, replayed commits, lost connections and servers.
// Every database is a schema of its own in one cluster per test process.
#include "db/postgres_database.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <thread>

#include "db/postgres_schema.h"
#include "support/fake_clock.h"
#include "support/postgres_cluster.h"
#include "support/state_store_conformance.h"

namespace imagemill {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

using testing::NewSchemaUri;

std::unique_ptr<Database> MakePostgresDatabase() {
  Result<std::unique_ptr<Database>> db = OpenDatabase(NewSchemaUri(), OpenMode::kCreate);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

using testing::DatabaseConformance;
INSTANTIATE_TEST_SUITE_P(Postgres, DatabaseConformance, ::testing::Values(&MakePostgresDatabase));

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = "t" + std::to_string(++counter_);
    uri_ = NewSchemaUri(schema_);
    db_ = Open();
  }

  // Another process's view of the same database: connections of its own.
  std::unique_ptr<PostgresDatabase> Open(pg::RetryOptions retry = {}) {
    return std::make_unique<PostgresDatabase>(uri_, clock_, retry);
  }
  // Runs `sql` in this test's schema; its output.
  std::string Sql(const std::string& sql) {
    std::string out = testing::SharedCluster().Psql("SET search_path = " + schema_ + "; " + sql);
    return out.starts_with("SET\n") ? out.substr(4) : out == "SET" ? "" : out;
  }

  // Execution "e" with `n` batches of `per` items each, keys k<batch>-<item>.jpg.
  void List(int n, int per) {
    ExecutionRecord e;
    e.name = "e";
    e.map_run_id = "m";
    e.spec = {{"source", "s3://b"}};
    e.start_ms = kNow;
    bool created = false;
    db_->CreateOrGetExecution(e, &created);
    ListingStep step;
    for (int b = 0; b < n; ++b) {
      BatchRecord batch;
      for (int i = 0; i < per; ++i) {
        std::string key = "k" + std::to_string(b) + "-" + std::to_string(i) + ".jpg";
        batch.items.push_back({key, 100, "\"etag\"", "2024-01-01T00:00:00.000Z"});
        batch.bytes += 100;
      }
      step.batches.push_back(std::move(batch));
    }
    step.cursor = "k" + std::to_string(n);
    step.listed = n * per;
    step.done = true;
    ASSERT_TRUE(db_->AppendListing("e", "", step));
  }

  // Every item of `b` succeeded with one label.
  static FinishedBatch Finish(const BatchRecord& b, const std::string& label, bool last = true) {
    FinishedBatch f{b.seq, b.attempt, last, {}};
    for (const ObjectInfo& o : b.items) {
      ItemOutcome out;
      out.item = o;
      out.start_ms = kNow;
      out.stop_ms = kNow + 5;
      out.response = nlohmann::json({{"Labels", {{{"Name", label}}}}}).dump();
      out.index = {{label, 90, true}, {"Animal", 80, false}};
      f.outcomes.push_back(std::move(out));
    }
    return f;
  }

  static int counter_;
  testing::FakeClock clock_;
  std::string schema_;
  std::string uri_;
  std::unique_ptr<PostgresDatabase> db_;
  const AnswerTarget target_{"s3://b", "labels", "labels/m"};
};

int PostgresDatabaseTest::counter_ = 0;

TEST_F(PostgresDatabaseTest, RecordsItsSchemaVersionAndRefusesANewerOne) {
  EXPECT_EQ(Sql("SELECT version FROM imagemill_schema"),
            std::to_string(pg::CurrentSchemaVersion()));
  Open();  // a second process finds the schema in place
  Sql("UPDATE imagemill_schema SET version = 99");
  try {
    Open();
    FAIL() << "a database from a newer build was opened";
  } catch (const pg::Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("schema version 99"), std::string::npos) << what;
    EXPECT_NE(what.find("this build's " + std::to_string(pg::CurrentSchemaVersion())),
              std::string::npos)
        << what;
    EXPECT_EQ(e.kind(), DatabaseError::Kind::kPermanent);
  }
}

// A version 2 database (answers' text stored, the inventory's too; the completion function
// without the answers' LastModified): migrated when opened, its answers read as stored, and an
// inventory completed after it stores its answers as the objects' fields.
TEST_F(PostgresDatabaseTest, AVersion2DatabaseIsMigratedAndItsStoredAnswersReadAsBefore) {
  const std::string inventory_text =
      R"({"ETag":"\"e2\"","Key":"b.jpg","LastModified":"2026-01-01T00:00:00.000Z","Size":1})";
  db_.reset();
  // Version 2's tables are the current ones without the event rules' tables and
  // results.last_modified, with the index results_by_id; its one completion function keeps
  // version 2's arguments (its body is not what is tested here).
  Sql(R"sql(
    DROP TABLE event_targets, event_rules, event_buses;
    ALTER TABLE results DROP COLUMN last_modified;
    CREATE INDEX results_by_id ON results (id);
    DROP FUNCTION imagemill_complete;
    CREATE FUNCTION imagemill_complete(text, text, text, text, text, bigint[], integer[],
        boolean[], text[], integer[], integer[], text[], integer[], text[], text[], bigint[],
        text[], text[], text[], text[], bigint[], bigint[], integer[], integer[], text[], text[],
        bigint[], text[], text[], integer[], text[], double precision[], boolean[])
      RETURNS bigint[] LANGUAGE sql AS 'SELECT ''{}''::bigint[]';
    UPDATE imagemill_schema SET version = 2;
    INSERT INTO sources (uri) VALUES ('s3://b');
    INSERT INTO results SELECT id, 'a.jpg', 'labels', 'e1', 1, 'labels/m',
      '{"Labels":[{"Name":"Dog"}]}', 'june', 't' FROM sources;
    INSERT INTO labels SELECT id, 'a.jpg', 'labels', 'Dog', 91, true FROM sources;
  )sql");
  Sql("INSERT INTO results SELECT id, 'b.jpg', 'inventory', '\"e2\"', 1, 'none', '" +
      inventory_text + "', 'june', 't' FROM sources");
  db_ = Open();
  EXPECT_EQ(Sql("SELECT version FROM imagemill_schema"),
            std::to_string(pg::CurrentSchemaVersion()));
  EXPECT_EQ(Sql("SELECT string_agg(proname || ' ' || pronargs, ',') FROM pg_proc "
                "WHERE proname LIKE 'imagemill\\_%' "
                "AND pronamespace = (SELECT oid FROM pg_namespace "
                "WHERE nspname = current_schema())"),
            "imagemill_complete 36")
      << "version 2's function is replaced, not kept beside";
  EXPECT_EQ(Sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'results_by_id' "
                "AND schemaname = current_schema()"),
            "0");
  EXPECT_EQ(db_->GetResult("s3://b", "a.jpg", "labels")->response["Labels"][0]["Name"], "Dog");
  EXPECT_EQ(db_->GetResult("s3://b", "b.jpg", "inventory")->response.dump(), inventory_text);

  List(1, 1);
  BatchRecord b = db_->ClaimBatches("e", "w", 1, kNow, kNow + 60000).at(0);
  ItemOutcome o{.item = b.items[0], .status = ItemStatus::kSucceeded};
  const AnswerTarget inventory{"s3://b", "inventory", "none"};
  ASSERT_EQ(db_->CompleteBatches("e", "w", inventory, {FinishedBatch{b.seq, b.attempt, true, {o}}})
                .size(),
            1u);
  EXPECT_EQ(db_->GetResult("s3://b", "k0-0.jpg", "inventory")->response.dump(),
            R"({"ETag":"\"etag\"","Key":"k0-0.jpg","LastModified":"2024-01-01T00:00:00.000Z",)"
            R"("Size":100})");
  EXPECT_EQ(Sql("SELECT response FROM results WHERE id = 'k0-0.jpg'"), "");
}

TEST_F(PostgresDatabaseTest, RefusesTablesItDidNotMake) {
  const std::string uri = NewSchemaUri("other");
  testing::SharedCluster().Psql("CREATE TABLE other.results (x int)");
  Result<std::unique_ptr<Database>> db = OpenDatabase(uri, OpenMode::kCreate);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kInvalidArgument);
  EXPECT_NE(db.status().message().find("already has tables named results"), std::string::npos)
      << db.status().message();
}

TEST_F(PostgresDatabaseTest, AReadCommandCreatesNothingInAnEmptyDatabase) {
  const std::string uri = NewSchemaUri("empty");
  Result<std::unique_ptr<Database>> db = OpenDatabase(uri, OpenMode::kExisting);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kNotFound);
  EXPECT_NE(db.status().message().find("nothing has run with it yet"), std::string::npos);
  EXPECT_EQ(
      testing::SharedCluster().Psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'empty'"),
      "0");
  ASSERT_TRUE(OpenDatabase(uri, OpenMode::kCreate).ok());
  Result<std::unique_ptr<Database>> again = OpenDatabase(uri, OpenMode::kExisting);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->Describe(), uri);
}

TEST_F(PostgresDatabaseTest, TwoProcessesNeverClaimTheSameBatch) {
  List(200, 2);
  auto other = Open();
  std::vector<int64_t> mine, theirs;
  std::thread t([&] {
    for (;;) {
      auto got = other->ClaimBatches("e", "b", 3, kNow, kNow + 60000);
      if (got.empty()) return;
      for (auto& b : got) theirs.push_back(b.seq);
    }
  });
  for (;;) {
    auto got = db_->ClaimBatches("e", "a", 3, kNow, kNow + 60000);
    if (got.empty()) break;
    for (auto& b : got) mine.push_back(b.seq);
  }
  t.join();
  std::set<int64_t> all(mine.begin(), mine.end());
  for (int64_t s : theirs) EXPECT_TRUE(all.insert(s).second) << "batch " << s << " claimed twice";
  EXPECT_EQ(all.size(), 200u);
  EXPECT_EQ(db_->CountItems("e").running, 400);
}

TEST_F(PostgresDatabaseTest, ACompletionAfterTheLeaseWasTakenOverChangesNothingAndIsCounted) {
  List(1, 2);
  auto a = db_->ClaimBatches("e", "host-a:1:x", 1, kNow, kNow + 1000);
  ASSERT_EQ(a.size(), 1u);
  // a stalls past its lease; someone recovers the batch and b claims it.
  EXPECT_EQ(db_->RecoverOrphans("e", kNow + 2000, [](const std::string&) { return false; }), 1);
  auto other = Open();
  auto b = other->ClaimBatches("e", "host-b:2:y", 1, kNow, kNow + 60000);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].attempt, 2);
  EXPECT_TRUE(db_->CompleteBatches("e", "host-a:1:x", target_, {Finish(a[0], "Cat")}).empty());
  EXPECT_EQ(db_->StaleCompletions("e"), 1);
  EXPECT_FALSE(db_->GetResult("s3://b", "k0-0.jpg", "labels")) << "the stale owner wrote";
  EXPECT_EQ(other->CompleteBatches("e", "host-b:2:y", target_, {Finish(b[0], "Dog")}),
            std::vector<int64_t>{0});
  EXPECT_EQ(db_->GetResult("s3://b", "k0-0.jpg", "labels")->response["Labels"][0]["Name"], "Dog");
  // Completing it again, by the stale owner, changes nothing.
  EXPECT_TRUE(db_->CompleteBatches("e", "host-a:1:x", target_, {Finish(a[0], "Cat")}).empty());
  EXPECT_EQ(db_->StaleCompletions("e"), 2);
  EXPECT_EQ(db_->GetResult("s3://b", "k0-0.jpg", "labels")->response["Labels"][0]["Name"], "Dog");
  EXPECT_EQ(Sql("SELECT count(*) FROM batches_done"), "1");
  EXPECT_EQ(Sql("SELECT count(*) FROM batches"), "0") << "a done batch stays in the queue";
}

TEST_F(PostgresDatabaseTest, ACompletionRunAgainAfterItsAnswerWasLostCountsOnce) {
  List(1, 4);
  BatchRecord b = db_->ClaimBatches("e", "w", 1, kNow, kNow + 60000).at(0);
  FinishedBatch all = Finish(b, "Dog");
  FinishedBatch first{b.seq, b.attempt, false, {all.outcomes[0], all.outcomes[1]}};
  FinishedBatch rest{b.seq, b.attempt, true, {all.outcomes[2], all.outcomes[3]}};
  ASSERT_EQ(db_->CompleteBatches("e", "w", target_, {first}).size(), 1u);
  // The same part again, as pg::Connection runs a call again when the connection broke before
  // its answer came: written once, still reported as written.
  EXPECT_EQ(db_->CompleteBatches("e", "w", target_, {first}).size(), 1u);
  EXPECT_EQ(db_->CountItems("e").succeeded, 2);
  EXPECT_EQ(db_->CountItems("e").running, 2);
  ASSERT_EQ(db_->CompleteBatches("e", "w", target_, {rest}).size(), 1u);
  EXPECT_EQ(db_->CompleteBatches("e", "w", target_, {rest}).size(), 1u);
  ItemCounts c = db_->CountItems("e");
  EXPECT_EQ(c.succeeded, 4);
  EXPECT_EQ(c.running + c.pending, 0);
  EXPECT_EQ(db_->StaleCompletions("e"), 0);
  EXPECT_EQ(Sql("SELECT count(*) FROM batch_parts"), "2");
}

TEST_F(PostgresDatabaseTest, ALastPartMissingALostEarlierPartSendsTheBatchBackForTheRest) {
  List(1, 4);
  BatchRecord b = db_->ClaimBatches("e", "w", 1, kNow, kNow + 60000).at(0);
  FinishedBatch all = Finish(b, "Dog");
  // The part with items 0 and 1 was acknowledged and then lost by a server crash: only the last
  // part arrives.
  FinishedBatch rest{b.seq, b.attempt, true, {all.outcomes[2], all.outcomes[3]}};
  EXPECT_EQ(db_->CompleteBatches("e", "w", target_, {rest}).size(), 1u);
  EXPECT_EQ(Sql("SELECT count(*) FROM batches_done"), "0") << "marked DONE with items missing";
  ItemCounts c = db_->CountItems("e");
  EXPECT_EQ(c.succeeded, 2);
  EXPECT_EQ(c.pending, 2);
  BatchRecord again = db_->ClaimBatches("e", "v", 1, kNow, kNow + 60000).at(0);
  ASSERT_EQ(again.items.size(), 2u) << "only the items no part holds run again";
  EXPECT_EQ(again.items[0].key, "k0-0.jpg");
  EXPECT_EQ(again.items[1].key, "k0-1.jpg");
  EXPECT_EQ(db_->CompleteBatches("e", "v", target_, {Finish(again, "Dog")}).size(), 1u);
  c = db_->CountItems("e");
  EXPECT_EQ(c.succeeded, 4);
  EXPECT_EQ(c.running + c.pending, 0);
  EXPECT_EQ(Sql("SELECT count(*) || ' ' || sum(item_count) FROM batches_done"), "1 4");
}

// Answers none of which is stored are inserted plainly; a completion holding one stored before
// is upserted instead. Both write the same rows: keys with quotes, backslashes and control
// characters, a parent met twice (its highest confidence, direct if either is), names differing
// in case only (one entry), and a stored answer's old index entries dropped.
TEST_F(PostgresDatabaseTest, AnswersInsertedOrUpsertedWriteTheSameRows) {
  List(2, 3);
  BatchRecord first = db_->ClaimBatches("e", "w", 1, kNow, kNow + 60000).at(0);
  FinishedBatch f = Finish(first, "Dog");
  f.outcomes[0].item.key = "tab\tnew\nline \\back\"quote\" caf\u00e9.jpg";
  f.outcomes[1].index = {{"Dog", 90, true},     {"Animal", 70, false}, {"Cat", 80, true},
                         {"Animal", 85, false}, {"Pet", 60, false},    {"Pet", 50, true}};
  ASSERT_EQ(db_->CompleteBatches("e", "w", target_, {f}).size(), 1u);
  EXPECT_EQ(
      db_->GetResult("s3://b", f.outcomes[0].item.key, "labels")->response["Labels"][0]["Name"],
      "Dog");
  EXPECT_EQ(Sql("SELECT string_agg(label || ' ' || confidence || ' ' || direct, ', ' "
                "ORDER BY label) FROM labels WHERE id = 'k0-1.jpg'"),
            "Animal 85 false, Cat 80 true, Dog 90 true, Pet 60 true");
  // k1-1.jpg was stored before, with an index entry of its own.
  Sql("INSERT INTO results SELECT id, 'k1-1.jpg', 'labels', 'old', 1, 'labels/m', '{}', 'x', "
      "'t', '' FROM sources; INSERT INTO labels SELECT id, 'k1-1.jpg', 'labels', 'Old', 99, true "
      "FROM sources");
  BatchRecord second = db_->ClaimBatches("e", "w", 1, kNow, kNow + 60000).at(0);
  FinishedBatch g = Finish(second, "Cat");
  g.outcomes[2].index = {{"Dog", 90, true}, {"dog", 95, false}};
  ASSERT_EQ(db_->CompleteBatches("e", "w", target_, {g}).size(), 1u);
  EXPECT_EQ(Sql("SELECT etag || ' ' || execution FROM results WHERE id = 'k1-1.jpg'"),
            "\"etag\" e");
  EXPECT_EQ(Sql("SELECT string_agg(label, ', ' ORDER BY label) FROM labels "
                "WHERE id = 'k1-1.jpg'"),
            "Animal, Cat")
      << "the stored answer kept its old index entries";
  EXPECT_EQ(Sql("SELECT label || ' ' || confidence || ' ' || direct FROM labels "
                "WHERE id = 'k1-2.jpg'"),
            "Dog 95 true");
  EXPECT_EQ(Sql("SELECT count(*) FROM results"), "6");
  EXPECT_EQ(db_->CountItems("e").succeeded, 6);
}

TEST_F(PostgresDatabaseTest, ATerminatedConnectionIsMadeAgain) {
  List(1, 1);
  int pid = db_->BackendPid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(
      testing::SharedCluster().Psql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")"),
      "t");
  EXPECT_EQ(db_->ClaimBatches("e", "w", 1, kNow, kNow + 60000).size(), 1u);
  EXPECT_TRUE(db_->UpdateExecution(
      "e", ExecutionStatus::kRunning,
      {ExecutionStatus::kAborted, "E", "C", kNow, std::nullopt}));  // on the lost connection
  EXPECT_NE(db_->BackendPid(), pid);
}

TEST_F(PostgresDatabaseTest, WaitsForAServerThatRestarts) {
  List(1, 1);
  // Real time here: the backoff sleeps while the server is down.
  auto db = std::make_unique<PostgresDatabase>(uri_, Clock::Real());
  testing::SharedCluster().Psql("CHECKPOINT");  // the test server runs without synchronous commits
  testing::SharedCluster().Stop();
  std::jthread restart([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    testing::SharedCluster().Start();
  });
  try {
    EXPECT_EQ(db->ClaimBatches("e", "w", 1, kNow, kNow + 60000).size(), 1u);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
}

TEST_F(PostgresDatabaseTest, NoSuchDatabaseOrUserFailsAtOnceSayingWhatToDo) {
  testing::FakeClock clock;
  const std::string server = "127.0.0.1:" + std::to_string(testing::SharedCluster().port());
  for (const auto& [uri, advice] :
       {std::pair<std::string, std::string>{"postgresql://imagemill:pw@" + server + "/nosuch",
                                            "createdb"},
        {"postgresql://nobody@" + server + "/postgres", "createuser"}}) {
    try {
      PostgresDatabase db(uri, clock);
      ADD_FAILURE() << "opened " << uri;
    } catch (const DatabaseError& e) {
      const std::string what = e.what();
      EXPECT_FALSE(e.transient()) << what;
      EXPECT_NE(what.find(advice), std::string::npos) << what;
      EXPECT_NE(what.find(pg::DescribeTarget(uri)), std::string::npos) << what;
      EXPECT_EQ(what.find(":pw@"), std::string::npos) << what;
    }
  }
  EXPECT_TRUE(clock.sleeps().empty()) << "not tried again";
}

TEST_F(PostgresDatabaseTest, GivesUpOnAServerThatStaysAwayWithAnErrorSayingWhatToDo) {
  testing::FakeClock clock;  // the backoff's sleeps pass at once
  PostgresDatabase db(uri_, clock,
                      {std::chrono::milliseconds(10), std::chrono::milliseconds(100),
                       std::chrono::milliseconds(1000)});
  testing::SharedCluster().Psql("CHECKPOINT");
  testing::SharedCluster().Stop();
  try {
    db.GetExecution("e");
    ADD_FAILURE() << "no error";
  } catch (const DatabaseError& e) {
    EXPECT_TRUE(e.transient());
    EXPECT_NE(std::string(e.what()).find("the execution resumes"), std::string::npos) << e.what();
  }
  testing::SharedCluster().Start();
}

}  // namespace
}  // namespace imagemill
