#include "workflow/item_reader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "objectstore/faulty_store.h"
#include "objectstore/memory_store.h"
#include "db/database.h"
#include "support/temp_dir.h"

namespace imagemill {
namespace {

using testing::TempDir;

class ItemReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(OpenDatabase(dir_.path() + "/state.db", OpenMode::kCreate)).value();
    spec_.source = "mem://photos";
    spec_.processor = "none";
    spec_.kind = "inventory";
    spec_.max_items_per_batch = 7;
    ExecutionRecord e;
    e.name = "e1";
    e.map_run_id = "m1";
    e.spec = nlohmann::json::object();
    bool created = false;
    db_->CreateOrGetExecution(e, &created);
  }
  void Fill(int n) {
    for (int i = 0; i < n; ++i) {
      char key[32];
      std::snprintf(key, sizeof(key), "k/%05d.jpg", i);
      ASSERT_TRUE(store_.Put(key, "x", "image/jpeg").ok());
    }
  }
  // Every batched key with how many times it was batched.
  std::map<std::string, int> Batched() {
    std::map<std::string, int> seen;
    for (const BatchRecord& b : db_->ClaimBatches("e1", "test", 1 << 20, 0, int64_t{1} << 50)) {
      for (const ObjectInfo& o : b.items) ++seen[o.key];
    }
    return seen;
  }

  TempDir dir_;
  MemoryStore store_{"mem://photos"};
  std::unique_ptr<Database> db_;
  ExecutionSpec spec_;
  RetryPolicy retry_;
};

TEST_F(ItemReaderTest, ListsEveryPageOnceIntoBatches) {
  Fill(2345);  // three pages
  ItemReader reader(store_, *db_, *db_, spec_, "e1", retry_, Clock::Real());
  std::atomic<bool> stop{false};
  int steps = 0;
  ASSERT_TRUE(reader.Run("", stop, [&](const ListingStep&) { ++steps; }).ok());
  EXPECT_GE(steps, 3);
  std::map<std::string, int> seen = Batched();
  EXPECT_EQ(seen.size(), 2345u);
  for (const auto& [key, n] : seen) EXPECT_EQ(n, 1) << key;
  std::optional<ExecutionRecord> e = db_->GetExecution("e1");
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->listing_done);
  EXPECT_EQ(e->listed, 2345);
  EXPECT_EQ(e->cursor, "k/02344.jpg");
}

TEST_F(ItemReaderTest, TwoListersOfOneExecutionBatchEachItemOnce) {
  Fill(9500);
  // Slow pages for the first lister.
  FaultyStore slow(store_, [](FaultyStore::Op, std::string_view) {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    return Status::Ok();
  });
  std::atomic<bool> stop{false};
  std::atomic<int> steps_a{0};
  auto run = [&](ObjectStore* source, std::atomic<int>* steps) {
    ItemReader reader(*source, *db_, *db_, spec_, "e1", retry_, Clock::Real());
    EXPECT_TRUE(reader.Run("", stop, [&](const ListingStep&) {
                  if (steps != nullptr) ++*steps;
                }).ok());
  };
  std::thread a(run, &slow, &steps_a);
  // A second, fast lister starts from the beginning once the first has saved three pages: its
  // first save finds the cursor moved, and it must list on from there, not from the pages it
  // has read ahead.
  while (steps_a.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::thread b(run, &store_, nullptr);
  a.join();
  b.join();
  std::map<std::string, int> seen = Batched();
  EXPECT_EQ(seen.size(), 9500u);
  int twice = 0;
  for (const auto& [key, n] : seen) twice += n > 1;
  EXPECT_EQ(twice, 0);
  EXPECT_EQ(db_->GetExecution("e1")->listed, 9500);
}

TEST_F(ItemReaderTest, StopsWhileListingAhead) {
  Fill(10000);  // ten pages, each 20 ms to list
  FaultyStore slow(store_, [](FaultyStore::Op, std::string_view) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return Status::Ok();
  });
  ItemReader reader(slow, *db_, *db_, spec_, "e1", retry_, Clock::Real());
  std::atomic<bool> stop{false};
  int steps = 0;
  Status s = reader.Run("", stop, [&](const ListingStep&) {
    ++steps;
    stop = true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(steps, 1);
  EXPECT_FALSE(db_->GetExecution("e1")->listing_done);
  // What was saved is a prefix of the keys, and the cursor is its last key.
  std::map<std::string, int> seen = Batched();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.rbegin()->first, db_->GetExecution("e1")->cursor);
  EXPECT_EQ(seen.begin()->first, "k/00000.jpg");
}

TEST_F(ItemReaderTest, AFailedListingIsReportedAfterThePagesBeforeIt) {
  Fill(3000);
  std::atomic<int> lists{0};
  FaultyStore broken(store_, [&](FaultyStore::Op op, std::string_view) {
    if (op == FaultyStore::Op::kList && lists.fetch_add(1) >= 1) {
      return Status::PermissionDenied("access denied");
    }
    return Status::Ok();
  });
  ItemReader reader(broken, *db_, *db_, spec_, "e1", retry_, Clock::Real());
  std::atomic<bool> stop{false};
  Status s = reader.Run("", stop, [](const ListingStep&) {});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("access denied"), std::string::npos) << s.ToString();
  EXPECT_EQ(db_->GetExecution("e1")->cursor, "k/00999.jpg");  // the first page was saved
}

}  // namespace
}  // namespace imagemill
