#include "db/sqlite_database.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "db/sqlite.h"

namespace imagemill {
namespace {

TEST(BatchItems, RoundTripAnyBytes) {
  std::vector<ObjectInfo> items = {
      {"photos/a b+c&d=e.jpg", 12345, "\"etag-1\"", "2024-01-02T03:04:05.000Z"},
      {std::string("bad\xff\xfe utf8\n\t:1:", 16), 0, "", ""},
      {"día/ünïcode/照片.png", 18446744073709551615ull, "3:4:", "x"},
  };
  std::string text = EncodeBatchItems(items);
  std::vector<ObjectInfo> back = DecodeBatchItems(text);
  ASSERT_EQ(back.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(back[i].key, items[i].key);
    EXPECT_EQ(back[i].size, items[i].size);
    EXPECT_EQ(back[i].etag, items[i].etag);
    EXPECT_EQ(back[i].last_modified, items[i].last_modified);
  }
  EXPECT_TRUE(DecodeBatchItems(EncodeBatchItems({})).empty());
}

TEST(BatchItems, DamagedTextIsAnError) {
  std::string text = EncodeBatchItems({{"k.jpg", 5, "e", "t"}});
  EXPECT_THROW(DecodeBatchItems(text.substr(0, text.size() - 1)), sqlite::DatabaseError);
  EXPECT_THROW(DecodeBatchItems("99:short"), sqlite::DatabaseError);
  EXPECT_THROW(DecodeBatchItems("x:"), sqlite::DatabaseError);
}

TEST(BatchOutcomes, SucceededRoundTripWithTimes) {
  std::vector<ItemOutcome> outcomes(3);
  outcomes[0].item = {"a b/1.jpg", 10, "\"e1\"", "2024-01-02T03:04:05.000Z"};
  outcomes[0].start_ms = 1700000000123;
  outcomes[0].stop_ms = 1700000000456;
  outcomes[0].attempts = 3;
  outcomes[1].item = {"2.jpg", 20, "e2", "t"};
  outcomes[1].status = ItemStatus::kFailed;  // not stored here: failures have rows in `items`
  outcomes[2].item = {std::string("k\xff:9:", 6), 0, "", ""};
  outcomes[2].start_ms = 1;
  outcomes[2].stop_ms = 2;
  std::vector<ItemOutcome> back = DecodeSucceeded(EncodeSucceeded(outcomes));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].item.key, "a b/1.jpg");
  EXPECT_EQ(back[0].item.etag, "\"e1\"");
  EXPECT_EQ(back[0].item.size, 10u);
  EXPECT_EQ(back[0].start_ms, 1700000000123);
  EXPECT_EQ(back[0].stop_ms, 1700000000456);
  EXPECT_EQ(back[0].attempts, 3);
  EXPECT_EQ(back[0].status, ItemStatus::kSucceeded);
  EXPECT_EQ(back[1].item.key, outcomes[2].item.key);
  EXPECT_EQ(back[1].attempts, 1);
  std::string text = EncodeSucceeded(outcomes);
  EXPECT_THROW(DecodeSucceeded(text.substr(0, text.size() - 1)), sqlite::DatabaseError);
}

// A database in a fresh temporary file, removed afterwards.
class SqliteDatabaseFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("imagemill-db-test-" + std::to_string(::getpid()) + ".db");
    Remove();
    db_ = std::make_unique<SqliteDatabase>(path_.string());
  }
  void TearDown() override {
    db_.reset();
    Remove();
  }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }
  // Creates execution `name` with one batch of `keys`, claims it and completes it with each key
  // succeeding with `label`, except those in `failed`.
  void RunOnce(const std::string& name, const std::vector<std::string>& keys,
               const std::string& label, const std::set<std::string>& failed = {}) {
    ExecutionRecord e;
    e.name = name;
    e.map_run_id = name + "-run";
    bool created = false;
    db_->CreateOrGetExecution(e, &created);
    ASSERT_TRUE(created);
    ListingStep step;
    BatchRecord b;
    for (const std::string& k : keys) b.items.push_back({k, 1, "etag-" + k, "t"});
    step.batches.push_back(b);
    step.done = true;
    step.listed = static_cast<int64_t>(keys.size());
    ASSERT_TRUE(db_->AppendListing(name, "", step));
    std::vector<BatchRecord> claimed = db_->ClaimBatches(name, "me", 10, 1LL << 50);
    ASSERT_EQ(claimed.size(), 1u);
    FinishedBatch fin;
    fin.seq = claimed[0].seq;
    for (const ObjectInfo& item : claimed[0].items) {
      ItemOutcome o;
      o.item = item;
      o.start_ms = 5;
      o.stop_ms = 6;
      if (failed.count(item.key) > 0) {
        o.status = ItemStatus::kFailed;
        o.error = "Corrupt";
        o.cause = item.key + ": damaged";
      } else {
        o.response = R"({"Labels":[{"Name":")" + label + R"("}]})";
        o.labels = {{label, 90, true}};
      }
      fin.outcomes.push_back(o);
    }
    EXPECT_EQ(db_->CompleteBatches(name, "me", "bucket", "proc", {fin}).size(), 1u);
  }
  std::vector<std::string> Keys(const std::string& name, ItemStatus status) {
    std::vector<std::string> keys;
    db_->ForEachOutcome(name, status, [&](const ItemOutcome& o) { keys.push_back(o.item.key); });
    return keys;
  }

  std::filesystem::path path_;
  std::unique_ptr<SqliteDatabase> db_;
};

TEST_F(SqliteDatabaseFile, SucceededAndFailedOutcomesAreCountedAndListed) {
  RunOnce("e1", {"a.jpg", "b.jpg", "c.jpg"}, "Dog", {"b.jpg"});
  ItemCounts c = db_->CountItems("e1");
  EXPECT_EQ(c.succeeded, 2);
  EXPECT_EQ(c.failed, 1);
  EXPECT_EQ(c.pending, 0);
  EXPECT_EQ(Keys("e1", ItemStatus::kSucceeded), (std::vector<std::string>{"a.jpg", "c.jpg"}));
  EXPECT_EQ(Keys("e1", ItemStatus::kFailed), (std::vector<std::string>{"b.jpg"}));
  db_->ForEachOutcome("e1", ItemStatus::kSucceeded, [&](const ItemOutcome& o) {
    EXPECT_EQ(o.response, R"({"Labels":[{"Name":"Dog"}]})") << o.item.key;
    EXPECT_EQ(o.item.etag, "etag-" + o.item.key);
    EXPECT_EQ(o.stop_ms, 6);
  });
}

TEST_F(SqliteDatabaseFile, EmptyUntilAResultIsStored) {
  EXPECT_TRUE(db_->Empty());
  RunOnce("e1", {"a.jpg"}, "Dog", {"a.jpg"});  // a failure stores no result
  EXPECT_TRUE(db_->Empty());
  RunOnce("e2", {"a.jpg"}, "Dog");
  EXPECT_FALSE(db_->Empty());
  std::vector<bool> unchanged =
      db_->Unchanged({{"a.jpg", 1, "etag-a.jpg", "t"}, {"a.jpg", 1, "other", "t"}}, "proc");
  EXPECT_EQ(unchanged, (std::vector<bool>{true, false}));
}

TEST_F(SqliteDatabaseFile, AStoredIdIsUpdatedAndItsOldLabelsDropped) {
  RunOnce("e1", {"a.jpg", "b.jpg"}, "Dog");
  RunOnce("e2", {"a.jpg"}, "Cat");
  EXPECT_EQ(db_->QueryLabel("Dog", 0, 10).size(), 1u);  // b.jpg only
  EXPECT_EQ(db_->QueryLabel("Dog", 0, 10)[0].id, "b.jpg");
  ASSERT_EQ(db_->QueryLabel("Cat", 0, 10).size(), 1u);
  std::optional<StoredResult> a = db_->GetResult("a.jpg");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->execution, "e2");
  EXPECT_EQ(a->response["Labels"][0]["Name"], "Cat");
}

TEST_F(SqliteDatabaseFile, ReadsSucceededOutcomesKeptPerItemByEarlierVersions) {
  RunOnce("e1", {"a.jpg"}, "Dog");
  {
    sqlite::Connection c(path_.string());
    c.Exec("INSERT INTO items (execution, key, etag, size, last_modified, batch, status, "
           "start_ms, stop_ms, attempts) VALUES ('e1', 'old.jpg', 'e', 1, 't', 0, 'SUCCEEDED', "
           "1, 2, 1)");
  }
  EXPECT_EQ(db_->CountItems("e1").succeeded, 2);
  std::vector<std::string> keys = Keys("e1", ItemStatus::kSucceeded);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"a.jpg", "old.jpg"}));
}

TEST(SqliteDatabase, RefusesAnOlderDevelopmentLayout) {
  auto path = std::filesystem::temp_directory_path() / "imagemill-old-layout-test.db";
  std::filesystem::remove(path);
  {
    sqlite::Connection c(path.string());
    c.Exec("CREATE TABLE batches (execution TEXT, seq INTEGER, items TEXT)");
  }
  EXPECT_THROW(SqliteDatabase db(path.string()), sqlite::DatabaseError);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace imagemill
