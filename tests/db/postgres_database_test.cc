// PostgresDatabase against a real PostgreSQL server that the test starts (support/
// postgres_cluster.h). Every test gets a schema of its own in one shared cluster.
#include "db/postgres_database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>

#include "db/postgres_schema.h"
#include "support/fake_clock.h"
#include "support/postgres_cluster.h"

namespace imagemill {
namespace {

using testing::PostgresCluster;

constexpr int64_t kNow = 1'700'000'000'000;

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new PostgresCluster(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    schema_ = "t" + std::to_string(++counter_);
    cluster_->Psql("CREATE SCHEMA " + schema_);
    db_ = Open();
  }

  // Another process's view of the same database: a connection of its own.
  std::unique_ptr<PostgresDatabase> Open(pg::RetryOptions retry = {}) {
    return std::make_unique<PostgresDatabase>(Uri(), clock_, retry);
  }
  std::string Uri() const {
    return cluster_->Uri() + "?options=-csearch_path%3D" + schema_;
  }
  // Runs `sql` in this test's schema; its output.
  std::string Sql(const std::string& sql) {
    std::string out = cluster_->Psql("SET search_path = " + schema_ + "; " + sql);
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

  // Every item of `b` succeeded with one label (or failed, for keys in `failed`).
  static FinishedBatch Finish(const BatchRecord& b, const std::string& label,
                              const std::set<std::string>& failed = {}) {
    FinishedBatch f{b.seq, {}, b.attempts};
    for (const ObjectInfo& o : b.items) {
      ItemOutcome out;
      out.item = o;
      out.start_ms = kNow;
      out.stop_ms = kNow + 5;
      if (failed.count(o.key) > 0) {
        out.status = ItemStatus::kFailed;
        out.error = "Corrupt";
        out.cause = o.key + ": not a JPEG";
      } else {
        out.response = nlohmann::json({{"Labels", {{{"Name", label}}}}}).dump();
        out.labels = {{label, 90, true}, {"Animal", 80, false}};
      }
      f.outcomes.push_back(std::move(out));
    }
    return f;
  }

  static PostgresCluster* cluster_;
  static int counter_;
  testing::FakeClock clock_;
  std::string schema_;
  std::unique_ptr<PostgresDatabase> db_;
};

PostgresCluster* PostgresDatabaseTest::cluster_ = nullptr;
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
    EXPECT_FALSE(e.transient());
  }
}

TEST_F(PostgresDatabaseTest, RefusesTablesItDidNotMake) {
  cluster_->Psql("CREATE SCHEMA other; CREATE TABLE other.results (x int)");
  try {
    PostgresDatabase db(cluster_->Uri() + "?options=-csearch_path%3Dother", clock_);
    FAIL() << "opened a schema with someone else's results table";
  } catch (const pg::Error& e) {
    EXPECT_NE(std::string(e.what()).find("already has tables named results"), std::string::npos)
        << e.what();
  }
}

TEST_F(PostgresDatabaseTest, TheListingCursorIsACompareAndSet) {
  ExecutionRecord e;
  e.name = "e";
  bool created = false;
  db_->CreateOrGetExecution(e, &created);
  EXPECT_TRUE(created);
  ListingStep step;
  step.batches = {{0, {{"a.jpg", 1, "e", "t"}}, 1, 0}};
  step.cursor = "a.jpg";
  step.listed = 1;
  auto other = Open();
  EXPECT_TRUE(db_->AppendListing("e", "", step));
  EXPECT_FALSE(other->AppendListing("e", "", step)) << "a second lister saved the same page";
  step.cursor = "b.jpg";
  step.batches[0].items[0].key = "b.jpg";
  step.done = true;
  EXPECT_TRUE(other->AppendListing("e", "a.jpg", step)) << "the lister that read the cursor goes on";
  EXPECT_FALSE(db_->AppendListing("e", "b.jpg", step)) << "listing is done";
  ExecutionRecord stored = *db_->GetExecution("e");
  EXPECT_EQ(stored.listed, 2);
  EXPECT_TRUE(stored.listing_done);
  std::vector<std::string> keys;
  db_->ForEachPendingItem("e", [&](const ObjectInfo& o) { keys.push_back(o.key); });
  EXPECT_EQ(keys, (std::vector<std::string>{"a.jpg", "b.jpg"}));
  db_->CreateOrGetExecution(e, &created);
  EXPECT_FALSE(created);
}

TEST_F(PostgresDatabaseTest, TwoProcessesNeverClaimTheSameBatch) {
  List(200, 2);
  auto other = Open();
  std::vector<int64_t> mine, theirs;
  std::thread t([&] {
    for (;;) {
      auto got = other->ClaimBatches("e", "b", 3, kNow + 60000);
      if (got.empty()) return;
      for (auto& b : got) theirs.push_back(b.seq);
    }
  });
  for (;;) {
    auto got = db_->ClaimBatches("e", "a", 3, kNow + 60000);
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
  auto a = db_->ClaimBatches("e", "host-a:1:x", 1, kNow + 1000);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].attempts, 1);
  // a stalls past its lease; someone recovers the batch and b claims it.
  EXPECT_EQ(db_->RecoverOrphans("e", kNow + 2000, [](const std::string&) { return false; }), 1);
  auto other = Open();
  auto b = other->ClaimBatches("e", "host-b:2:y", 1, kNow + 60000);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].attempts, 2);
  EXPECT_TRUE(db_->CompleteBatches("e", "host-a:1:x", "bkt", "labels", {Finish(a[0], "Cat")})
                  .empty());
  EXPECT_EQ(db_->StaleCompletions("e"), 1);
  EXPECT_FALSE(db_->GetResult("k0-0.jpg").has_value()) << "the stale owner wrote a result";
  EXPECT_EQ(other->CompleteBatches("e", "host-b:2:y", "bkt", "labels", {Finish(b[0], "Dog")}),
            std::vector<int64_t>{0});
  EXPECT_EQ(db_->GetResult("k0-0.jpg")->response["Labels"][0]["Name"], "Dog");
  // Completing it again, by anyone, changes nothing.
  EXPECT_TRUE(db_->CompleteBatches("e", "host-a:1:x", "bkt", "labels", {Finish(a[0], "Cat")})
                  .empty());
  EXPECT_EQ(db_->GetResult("k0-0.jpg")->response["Labels"][0]["Name"], "Dog");
  EXPECT_EQ(Sql("SELECT count(*) FROM batches_done"), "1");
  EXPECT_EQ(Sql("SELECT count(*) FROM batches"), "0") << "a done batch stays in the queue";
}

TEST_F(PostgresDatabaseTest, TheSameOwnerReclaimingIsFencedByTheAttempt) {
  List(1, 1);
  auto first = db_->ClaimBatches("e", "w", 1, kNow + 1000);
  db_->RecoverOrphans("e", kNow + 2000, [](const std::string&) { return false; });
  auto second = db_->ClaimBatches("e", "w", 1, kNow + 60000);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(db_->CompleteBatches("e", "w", "bkt", "p", {Finish(first[0], "Cat")}).empty());
  EXPECT_EQ(db_->CompleteBatches("e", "w", "bkt", "p", {Finish(second[0], "Dog")}).size(), 1u);
  // The same completion run again (a commit whose answer was lost) is still a success.
  EXPECT_EQ(db_->CompleteBatches("e", "w", "bkt", "p", {Finish(second[0], "Dog")}).size(), 1u);
  EXPECT_EQ(db_->StaleCompletions("e"), 1);
}

TEST_F(PostgresDatabaseTest, LeasesRenewReleaseAndDeadOwnersReturnTheirBatches) {
  List(3, 1);
  ASSERT_EQ(db_->ClaimBatches("e", "a", 2, kNow + 1000).size(), 2u);
  ASSERT_EQ(db_->ClaimBatches("e", "b", 1, kNow + 1000).size(), 1u);
  db_->RenewLeases("e", "a", kNow + 5000);
  EXPECT_EQ(db_->RecoverOrphans("e", kNow + 2000, [](const std::string&) { return false; }), 1)
      << "only b's lease expired";
  db_->ReleaseBatches("e", "a", {0});
  EXPECT_EQ(db_->CountItems("e").pending, 2);
  EXPECT_EQ(db_->RecoverOrphans("e", kNow, [](const std::string& o) { return o == "a"; }), 1);
  EXPECT_EQ(db_->CountItems("e").pending, 3);
  EXPECT_EQ(db_->CountItems("e").running, 0);
}

TEST_F(PostgresDatabaseTest, ResultsLabelsOutcomesAndCountsAddUp) {
  List(2, 3);
  EXPECT_TRUE(db_->Empty());
  auto claimed = db_->ClaimBatches("e", "w", 5, kNow + 60000);
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].items[1].key, "k0-1.jpg");
  std::vector<FinishedBatch> done = {Finish(claimed[0], "Dog", {"k0-1.jpg"}),
                                     Finish(claimed[1], "cat")};
  done[1].outcomes[2].status = ItemStatus::kSkipped;
  done[1].outcomes[2].error = "NotAnImage";
  EXPECT_EQ(db_->CompleteBatches("e", "w", "bkt", "labels", done),
            (std::vector<int64_t>{0, 1}));
  ItemCounts c = db_->CountItems("e");
  EXPECT_EQ(c.total, 6);
  EXPECT_EQ(c.succeeded, 4);
  EXPECT_EQ(c.failed, 1);
  EXPECT_EQ(c.skipped, 1);
  EXPECT_EQ(c.pending + c.running, 0);
  EXPECT_EQ(c.succeeded + c.failed + c.skipped, c.total);

  std::vector<LabelHit> dogs = db_->QueryLabel("DOG", 50, 10);
  ASSERT_EQ(dogs.size(), 2u) << "k0-1.jpg failed";
  EXPECT_EQ(dogs[0].id, "k0-0.jpg");
  EXPECT_EQ(dogs[1].id, "k0-2.jpg");
  EXPECT_EQ(dogs[0].label, "Dog");
  EXPECT_EQ(db_->QueryLabel("animal", 50, 10).size(), 4u);
  EXPECT_TRUE(db_->QueryLabel("animal", 85, 10).empty());
  auto counts = db_->LabelCounts("e", 10);
  ASSERT_EQ(counts.size(), 2u) << "parents are not counted";
  EXPECT_EQ(counts[0], (std::pair<std::string, int64_t>{"Dog", 2})) << "ties in byte order";
  EXPECT_EQ(counts[1], (std::pair<std::string, int64_t>{"cat", 2}));

  std::vector<std::string> ok, bad;
  db_->ForEachOutcome("e", ItemStatus::kSucceeded, [&](const ItemOutcome& o) {
    ok.push_back(o.item.key);
    EXPECT_FALSE(o.response.empty());
  });
  db_->ForEachOutcome("e", ItemStatus::kFailed, [&](const ItemOutcome& o) {
    bad.push_back(o.item.key + " " + o.cause);
  });
  EXPECT_EQ(ok, (std::vector<std::string>{"k0-0.jpg", "k0-2.jpg", "k1-0.jpg", "k1-1.jpg"}));
  EXPECT_EQ(bad, std::vector<std::string>{"k0-1.jpg k0-1.jpg: not a JPEG"});

  std::vector<bool> same = db_->Unchanged(
      {{"k0-0.jpg", 1, "\"etag\"", ""}, {"k0-0.jpg", 1, "\"new\"", ""}, {"x", 1, "", ""}},
      "labels");
  EXPECT_EQ(same, (std::vector<bool>{true, false, false}));
  std::vector<std::string> ids;
  db_->ForEachResult("", 3, [&](const StoredResult& r) { ids.push_back(r.id); });
  EXPECT_EQ(ids, (std::vector<std::string>{"k0-0.jpg", "k0-2.jpg", "k1-0.jpg"}));
  EXPECT_EQ(db_->GetResult("k1-1.jpg")->bucket, "bkt");
}

TEST_F(PostgresDatabaseTest, AResultWrittenAgainReplacesItsLabels) {
  List(1, 1);
  auto b = db_->ClaimBatches("e", "w", 1, kNow + 60000);
  db_->CompleteBatches("e", "w", "bkt", "labels", {Finish(b[0], "Dog")});
  EXPECT_EQ(db_->PrepareRedrive("e", [](std::vector<ObjectInfo> items) {
    return std::vector<BatchRecord>{{0, std::move(items), 0, 0}};
  }), 0);
  // Another execution labels the same image again.
  ExecutionRecord e2;
  e2.name = "e2";
  e2.map_run_id = "m2";
  e2.spec = {{"again", true}};
  bool created = false;
  db_->CreateOrGetExecution(e2, &created);
  ListingStep step;
  step.batches = {{0, {{"k0-0.jpg", 100, "\"etag2\"", "t"}}, 100, 0}};
  step.done = true;
  ASSERT_TRUE(db_->AppendListing("e2", "", step));
  auto again = db_->ClaimBatches("e2", "w", 1, kNow + 60000);
  db_->CompleteBatches("e2", "w", "bkt", "labels", {Finish(again[0], "Cat")});
  EXPECT_TRUE(db_->QueryLabel("dog", 0, 10).empty());
  EXPECT_EQ(db_->QueryLabel("cat", 0, 10).size(), 1u);
  EXPECT_EQ(db_->GetResult("k0-0.jpg")->execution, "e2");
}

TEST_F(PostgresDatabaseTest, RedriveQueuesOnlyTheFailedItems) {
  List(2, 2);
  auto b = db_->ClaimBatches("e", "w", 2, kNow + 60000);
  db_->CompleteBatches("e", "w", "bkt", "p",
                       {Finish(b[0], "Dog", {"k0-0.jpg"}), Finish(b[1], "Dog", {"k1-1.jpg"})});
  db_->FinishExecution("e", ExecutionStatus::kFailed, "States.ExceedToleratedFailureThreshold",
                       "too many", kNow + 10);
  EXPECT_EQ(db_->PrepareRedrive("e", [](std::vector<ObjectInfo> items) {
    return std::vector<BatchRecord>{{0, std::move(items), 0, 0}};
  }), 2);
  ExecutionRecord e = *db_->GetExecution("e");
  EXPECT_EQ(e.status, ExecutionStatus::kRunning);
  EXPECT_EQ(e.redrive_count, 1);
  std::vector<std::string> pending;
  db_->ForEachPendingItem("e", [&](const ObjectInfo& o) { pending.push_back(o.key); });
  EXPECT_EQ(pending, (std::vector<std::string>{"k0-0.jpg", "k1-1.jpg"}));
  auto again = db_->ClaimBatches("e", "w", 5, kNow + 60000);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].seq, 2);
  db_->CompleteBatches("e", "w", "bkt", "p", {Finish(again[0], "Dog")});
  EXPECT_EQ(db_->CountItems("e").succeeded, 4);
  EXPECT_EQ(db_->CountItems("e").failed, 0);
}

TEST_F(PostgresDatabaseTest, ATerminatedConnectionIsMadeAgain) {
  List(1, 1);
  int pid = db_->BackendPid();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(cluster_->Psql("SELECT pg_terminate_backend(" + std::to_string(pid) + ")"), "t");
  EXPECT_EQ(db_->ClaimBatches("e", "w", 1, kNow + 60000).size(), 1u);
  EXPECT_NE(db_->BackendPid(), pid);
}

TEST_F(PostgresDatabaseTest, WaitsForAServerThatRestarts) {
  List(1, 1);
  // Real time here: the backoff sleeps while the server is down.
  auto db = std::make_unique<PostgresDatabase>(Uri(), Clock::Real());
  cluster_->Psql("CHECKPOINT");  // the test server runs without synchronous commits
  cluster_->Stop();
  std::jthread restart([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    cluster_->Start();
  });
  try {
    EXPECT_EQ(db->ClaimBatches("e", "w", 1, kNow + 60000).size(), 1u);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
}

TEST_F(PostgresDatabaseTest, GivesUpOnAServerThatStaysAwayWithAnErrorSayingWhatToDo) {
  testing::FakeClock clock;  // the backoff's sleeps pass at once
  PostgresDatabase db(Uri(), clock,
                      {std::chrono::milliseconds(10), std::chrono::milliseconds(100),
                       std::chrono::milliseconds(1000)});
  cluster_->Psql("CHECKPOINT");
  cluster_->Stop();
  try {
    db.GetExecution("e");
    ADD_FAILURE() << "no error";
  } catch (const pg::Error& e) {
    EXPECT_TRUE(e.transient());
    EXPECT_NE(std::string(e.what()).find("the execution resumes"), std::string::npos) << e.what();
  }
  cluster_->Start();
}

}  // namespace
}  // namespace imagemill
