#include "support/state_store_conformance.h"

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/fake_clock.h"

namespace imagemill::testing {
namespace {

constexpr int64_t kLease = 60000;
const AnswerTarget kLabels{"/photos", "labels", "labels/model-a"};

ObjectInfo Item(const std::string& key, const std::string& etag = "e1") {
  return {key, 100, etag, "2026-01-01T00:00:00.000Z"};
}

BatchRecord Batch(const std::vector<std::string>& keys) {
  BatchRecord b;
  for (const std::string& k : keys) b.items.push_back(Item(k));
  return b;
}

ItemOutcome Succeeded(const ObjectInfo& item, const std::string& label = "Dog",
                      double confidence = 90) {
  ItemOutcome o;
  o.item = item;
  o.status = ItemStatus::kSucceeded;
  o.start_ms = 1000;
  o.stop_ms = 2000;
  o.response = nlohmann::json{{"Labels", {{{"Name", label}, {"Confidence", confidence}}}}}.dump();
  o.index = {{label, confidence, true}, {"Animal", confidence, false}};
  return o;
}

ItemOutcome Failed(const ObjectInfo& item, const std::string& error = "Corrupt",
                   ItemStatus status = ItemStatus::kFailed) {
  ItemOutcome o;
  o.item = item;
  o.status = status;
  o.error = error;
  o.cause = item.key + ": damaged";
  o.start_ms = 1000;
  o.stop_ms = 2000;
  return o;
}

// Fixture pieces: a database with execution "e" listed into batches of the given keys.
class ExecutionFixture {
 public:
  explicit ExecutionFixture(Database& db, const std::string& name = "e") : db_(db), name_(name) {
    ExecutionRecord r;
    r.name = name;
    r.map_run_id = "map-" + name;
    r.spec = {{"source", "/photos"}, {"name", name}};
    r.start_ms = ToUnixMillis(clock.Now());
    bool created = false;
    db_.CreateOrGetExecution(r, &created);
  }
  void List(const std::vector<std::vector<std::string>>& batches, bool done = true,
            const std::string& expected = "") {
    ListingStep step;
    for (const auto& keys : batches) {
      step.batches.push_back(Batch(keys));
      step.listed += static_cast<int64_t>(keys.size());
      step.cursor = keys.back();
    }
    step.done = done;
    ASSERT_TRUE(db_.AppendListing(name_, expected, step));
  }
  int64_t Until() { return ToUnixMillis(clock.Now()) + kLease; }
  std::vector<BatchRecord> Claim(const std::string& owner, int max) {
    return db_.ClaimBatches(name_, owner, max, ToUnixMillis(clock.Now()), Until());
  }
  std::vector<int64_t> Complete(const std::string& owner, const BatchRecord& b,
                                std::vector<ItemOutcome> outcomes, bool last = true,
                                const AnswerTarget& target = kLabels) {
    return db_.CompleteBatches(name_, owner, target,
                               {FinishedBatch{b.seq, b.attempt, last, std::move(outcomes)}});
  }
  std::vector<ItemOutcome> AllSucceeded(const BatchRecord& b) {
    std::vector<ItemOutcome> out;
    for (const ObjectInfo& i : b.items) out.push_back(Succeeded(i));
    return out;
  }

  FakeClock clock;

 private:
  Database& db_;
  std::string name_;
};

void ExpectCountsAddUp(const ItemCounts& c) {
  EXPECT_EQ(c.total, c.pending + c.running + c.succeeded + c.failed + c.skipped)
      << c.ToJson().dump();
}

TEST_P(DatabaseConformance, AnExecutionIsCreatedOnceAndReadBack) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionRecord r;
  r.name = "june";
  r.map_run_id = "m1";
  r.spec = {{"source", "/a"}};
  r.start_ms = 5;
  bool created = false;
  EXPECT_EQ(db->CreateOrGetExecution(r, &created).map_run_id, "m1");
  EXPECT_TRUE(created);
  r.map_run_id = "m2";
  EXPECT_EQ(db->CreateOrGetExecution(r, &created).map_run_id, "m1");
  EXPECT_FALSE(created);
  std::optional<ExecutionRecord> got = db->GetExecution("june");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->spec, r.spec);
  EXPECT_EQ(got->status, ExecutionStatus::kRunning);
  EXPECT_FALSE(db->GetExecution("july"));
  EXPECT_EQ(db->FindUnfinished(r.spec)->name, "june");
  EXPECT_FALSE(db->FindUnfinished(nlohmann::json{{"source", "/b"}}));
}

TEST_P(DatabaseConformance, ExecutionsListNewestFirstByStatusAndPage) {
  std::unique_ptr<Database> db = GetParam()();
  for (int i = 0; i < 5; ++i) {
    ExecutionRecord r;
    r.name = "x" + std::to_string(i);
    r.map_run_id = "m";
    r.spec = nlohmann::json::object();
    r.start_ms = 100 + i;
    bool created = false;
    db->CreateOrGetExecution(r, &created);
  }
  ASSERT_TRUE(db->UpdateExecution("x1", ExecutionStatus::kRunning,
                                  {ExecutionStatus::kFailed, "E", "C", 9, std::nullopt}));
  ExecutionFilter all;
  std::vector<ExecutionRecord> list = db->ListExecutions(all);
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list.front().name, "x4");
  ExecutionFilter page;
  page.limit = 2;
  list = db->ListExecutions(page);
  ASSERT_EQ(list.size(), 2u);
  page.after = std::make_pair(list.back().start_ms, list.back().name);
  list = db->ListExecutions(page);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list.front().name, "x2");
  ExecutionFilter failed;
  failed.status = ExecutionStatus::kFailed;
  list = db->ListExecutions(failed);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].error, "E");
}

TEST_P(DatabaseConformance, AStatusChangesOnlyFromTheExpectedOne) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  ExecutionUpdate done{ExecutionStatus::kSucceeded, "", "", 50, std::string("s3://out/m.json")};
  EXPECT_FALSE(db->UpdateExecution("e", ExecutionStatus::kAborted, done));
  EXPECT_TRUE(db->UpdateExecution("e", ExecutionStatus::kRunning, done));
  EXPECT_FALSE(db->UpdateExecution("e", ExecutionStatus::kRunning, done));
  std::optional<ExecutionRecord> e = db->GetExecution("e");
  EXPECT_EQ(e->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(e->manifest, "s3://out/m.json");
  EXPECT_EQ(e->stop_ms, 50);
  // An update without a manifest keeps the one stored.
  EXPECT_TRUE(db->UpdateExecution("e", ExecutionStatus::kSucceeded,
                                  {ExecutionStatus::kFailed, "X", "Y", 60, std::nullopt}));
  EXPECT_EQ(db->GetExecution("e")->manifest, "s3://out/m.json");
}

TEST_P(DatabaseConformance, AnUpdateWithASpecReplacesItAndOneWithoutKeepsIt) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  const nlohmann::json before = db->GetExecution("e")->spec;
  nlohmann::json limits = before;
  limits["maxConcurrency"] = 3;
  ExecutionUpdate running{ExecutionStatus::kRunning, "", "", 0, std::nullopt, limits};
  EXPECT_TRUE(db->UpdateExecution("e", ExecutionStatus::kRunning, running));
  EXPECT_EQ(db->GetExecution("e")->spec, limits);
  EXPECT_EQ(db->GetExecution("e")->status, ExecutionStatus::kRunning);
  EXPECT_TRUE(db->UpdateExecution("e", ExecutionStatus::kRunning,
                                  {ExecutionStatus::kSucceeded, "", "", 9, std::nullopt}));
  EXPECT_EQ(db->GetExecution("e")->spec, limits);
  EXPECT_FALSE(db->UpdateExecution("e", ExecutionStatus::kRunning, running));
  EXPECT_EQ(db->GetExecution("e")->status, ExecutionStatus::kSucceeded);
}

TEST_P(DatabaseConformance, AnUnfinishedExecutionIsFoundByItsSpecWhateverUpdateMapRunChanged) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  const nlohmann::json asked = db->GetExecution("e")->spec;
  nlohmann::json updated = asked;
  updated["mapRunUpdates"] = {{"maxConcurrency", 2}, {"toleratedFailureCount", 3}};
  ASSERT_TRUE(db->UpdateExecution("e", ExecutionStatus::kRunning,
                                  {ExecutionStatus::kRunning, "", "", 0, std::nullopt, updated}));
  std::optional<ExecutionRecord> found = db->FindUnfinished(asked);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "e");
  EXPECT_EQ(found->spec, updated);
  nlohmann::json other = asked;
  other["prefix"] = "elsewhere/";
  EXPECT_FALSE(db->FindUnfinished(other).has_value());
}

TEST_P(DatabaseConformance, TwoListersRacingOnTheCursorBatchNothingTwice) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a", "b"}}, /*done=*/false);
  ListingStep late;  // a second lister that read the same page from the start
  late.batches.push_back(Batch({"a", "b"}));
  late.listed = 2;
  late.cursor = "b";
  EXPECT_FALSE(db->AppendListing("e", "", late));
  s.List({{"c"}}, /*done=*/true, "b");
  EXPECT_FALSE(db->AppendListing("e", "c", late)) << "listing is done";
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.total, 3);
  EXPECT_EQ(c.pending, 3);
  EXPECT_EQ(db->GetExecution("e")->cursor, "c");
  EXPECT_TRUE(db->GetExecution("e")->listing_done);
}

TEST_P(DatabaseConformance, AnsweredItemsAreDoneAtOnceAndCountAsSucceededAndUnchanged) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  ListingStep step;
  step.batches.push_back(Batch({"new.jpg"}));
  step.answered.push_back(Batch({"old1.jpg", "old2.jpg"}));
  step.listed = 3;
  step.cursor = "old2.jpg";
  step.done = true;
  step.answered_at_ms = 777;
  ASSERT_TRUE(db->AppendListing("e", "", step));
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.succeeded, 2);
  EXPECT_EQ(c.unchanged, 2);
  EXPECT_EQ(c.pending, 1);
  ExpectCountsAddUp(c);
  std::vector<BatchRecord> claimed = s.Claim("w", 10);
  ASSERT_EQ(claimed.size(), 1u) << "answered batches are never claimed";
  EXPECT_EQ(claimed[0].items[0].key, "new.jpg");
  int reports = 0;
  db->ForEachBatch("e", kLabels, [&](const BatchReport& b) {
    if (b.items[0].item.key != "old1.jpg") return;
    ++reports;
    EXPECT_EQ(b.state, BatchState::kDone);
    ASSERT_EQ(b.items.size(), 2u);
    EXPECT_EQ(b.items[0].status, ItemStatus::kSucceeded);
    EXPECT_EQ(b.items[0].attempts, 0);
    EXPECT_EQ(b.items[0].stop_ms, 777);
  });
  EXPECT_EQ(reports, 1);
}

TEST_P(DatabaseConformance, ClaimsTakeLowestFirstAndNeverTheSameBatchTwice) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a"}, {"b"}, {"c"}});
  std::vector<BatchRecord> one = s.Claim("w1", 2);
  std::vector<BatchRecord> two = s.Claim("w2", 5);
  ASSERT_EQ(one.size(), 2u);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_LT(one[0].seq, one[1].seq);
  EXPECT_GT(two[0].seq, one[1].seq);
  EXPECT_EQ(one[0].attempt, 1);
  EXPECT_TRUE(s.Claim("w3", 5).empty());
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.running, 3);
  ExpectCountsAddUp(c);
}

TEST_P(DatabaseConformance, ConcurrentClaimersShareTheBatchesWithoutOverlap) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  std::vector<std::vector<std::string>> batches;
  for (int i = 0; i < 200; ++i) batches.push_back({"k" + std::to_string(1000 + i)});
  s.List(batches);
  std::vector<std::vector<int64_t>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        std::vector<BatchRecord> b =
            db->ClaimBatches("e", "w" + std::to_string(t), 3, 0, 1LL << 60);
        if (b.empty()) return;
        for (const BatchRecord& r : b) got[t].push_back(r.seq);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int64_t> all;
  size_t n = 0;
  for (const auto& g : got) {
    n += g.size();
    all.insert(g.begin(), g.end());
  }
  EXPECT_EQ(n, 200u);
  EXPECT_EQ(all.size(), 200u);
}

TEST_P(DatabaseConformance, AnExpiredLeaseGivesTheBatchBackAndRenewalKeepsIt) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a"}, {"b"}});
  std::vector<BatchRecord> a = s.Claim("w1", 1);
  std::vector<BatchRecord> b = s.Claim("w2", 1);
  s.clock.Advance(std::chrono::milliseconds(kLease / 2));
  EXPECT_EQ(db->RenewLeases("e", "w2", s.Until()), 1);
  s.clock.Advance(std::chrono::milliseconds(kLease / 2 + 1));
  auto alive = [](const std::string&) { return false; };
  EXPECT_EQ(db->RecoverOrphans("e", ToUnixMillis(s.clock.Now()), alive), 1);
  std::vector<BatchRecord> again = s.Claim("w3", 5);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].seq, a[0].seq);
  EXPECT_EQ(again[0].attempt, 2);
  EXPECT_EQ(db->RenewLeases("e", "w1", s.Until()), 0) << "w1 holds nothing any more";
}

TEST_P(DatabaseConformance, AClaimTakesAnExpiredLeaseOverBeforeAnyFreshBatch) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a"}, {"b"}, {"c"}, {"d"}, {"e"}});
  BatchRecord stalled = s.Claim("w1", 1).at(0);
  BatchRecord busy = s.Claim("w2", 1).at(0);
  s.clock.Advance(std::chrono::milliseconds(kLease / 2));
  EXPECT_EQ(db->RenewLeases("e", "w2", s.Until()), 1);
  std::vector<BatchRecord> fresh = s.Claim("w2", 1);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].attempt, 1) << "w1's lease still holds: its batch is not taken";
  // w1 stalls past its lease while w2 keeps renewing its own and fresh batches remain: w2's next
  // claim takes w1's batch over first, with no orphan recovery in between.
  s.clock.Advance(std::chrono::milliseconds(kLease / 2 + 1));
  EXPECT_EQ(db->RenewLeases("e", "w2", s.Until()), 2);
  std::vector<BatchRecord> next = s.Claim("w2", 2);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].seq, stalled.seq);
  EXPECT_EQ(next[0].attempt, 2);
  EXPECT_EQ(next[0].items.size(), 1u);
  EXPECT_EQ(next[1].attempt, 1) << "and a fresh batch beside it";
  EXPECT_NE(next[1].seq, busy.seq);
  EXPECT_NE(next[1].seq, fresh[0].seq);
  // The stalled owner, back, is fenced off: its completion and renewal change nothing.
  EXPECT_TRUE(s.Complete("w1", stalled, s.AllSucceeded(stalled)).empty());
  EXPECT_EQ(db->RenewLeases("e", "w1", s.Until()), 0);
  EXPECT_EQ(s.Complete("w2", next[0], s.AllSucceeded(next[0])).size(), 1u);
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.succeeded, 1);
  EXPECT_EQ(c.running, 3);
  EXPECT_EQ(c.pending, 1);
  ExpectCountsAddUp(c);
}

TEST_P(DatabaseConformance, AClaimNeverTakesOverItsOwnExpiredLeaseWhichRenewalKeeps) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a"}, {"b"}});
  BatchRecord first = s.Claim("w", 1).at(0);
  s.clock.Advance(std::chrono::milliseconds(kLease + 1));
  // The owner itself paused past its lease and nobody took the batch: it claims fresh work and
  // renews the batch it still holds.
  std::vector<BatchRecord> second = s.Claim("w", 5);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].seq, first.seq);
  EXPECT_EQ(db->RenewLeases("e", "w", s.Until()), 2);
  EXPECT_TRUE(s.Claim("v", 5).empty()) << "renewed: nothing to take over";
  EXPECT_EQ(s.Complete("w", first, s.AllSucceeded(first)).size(), 1u);
}

TEST_P(DatabaseConformance, AStaleOwnerNeverOverwritesTheNewOne) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a.jpg"}});
  BatchRecord first = s.Claim("w1", 1).at(0);
  s.clock.Advance(std::chrono::milliseconds(kLease + 1));
  db->RecoverOrphans("e", ToUnixMillis(s.clock.Now()), [](const std::string&) { return false; });
  BatchRecord second = s.Claim("w2", 1).at(0);
  EXPECT_TRUE(s.Complete("w2", second, {Succeeded(second.items[0], "Cat")}).size() == 1);
  // The first owner wakes up after its lease was lost and completes: refused, nothing changes.
  EXPECT_TRUE(s.Complete("w1", first, {Succeeded(first.items[0], "Dog")}).empty());
  std::optional<StoredResult> r = db->GetResult("/photos", "a.jpg", "labels");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->response["Labels"][0]["Name"], "Cat");
  LabelQuery dog;
  dog.label = "Dog";
  EXPECT_TRUE(db->QueryLabel(dog).empty());
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.succeeded, 1);
  ExpectCountsAddUp(c);
}

TEST_P(DatabaseConformance, TheSameOwnerWithAnOlderClaimIsRefusedToo) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a.jpg"}});
  BatchRecord first = s.Claim("w", 1).at(0);
  db->ReleaseBatches("e", "w", {{first.seq, first.attempt}});
  BatchRecord second = s.Claim("w", 1).at(0);
  EXPECT_EQ(second.attempt, first.attempt + 1);
  EXPECT_TRUE(s.Complete("w", first, {Failed(first.items[0])}).empty());
  db->ReleaseBatches("e", "w", {{first.seq, first.attempt}});  // a stale release: ignored
  EXPECT_EQ(db->CountItems("e").running, 1);
  EXPECT_EQ(s.Complete("w", second, s.AllSucceeded(second)).size(), 1u);
  EXPECT_EQ(db->CountItems("e").failed, 0);
}

TEST_P(DatabaseConformance, OrphansOfDeadOwnersReturnAtOnce) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a"}, {"b"}});
  s.Claim("dead", 1);
  s.Claim("alive", 1);
  EXPECT_EQ(db->RecoverOrphans("e", ToUnixMillis(s.clock.Now()),
                               [](const std::string& o) { return o == "dead"; }),
            1);
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.pending, 1);
  EXPECT_EQ(c.running, 1);
}

TEST_P(DatabaseConformance, PartsCommittedEarlyAreKeptAndNotRunAgain) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a.jpg", "b.jpg", "c.jpg"}});
  BatchRecord b = s.Claim("w1", 1).at(0);
  ASSERT_EQ(s.Complete("w1", b, {Succeeded(b.items[0]), Failed(b.items[1])}, /*last=*/false).size(),
            1u);
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.succeeded, 1);
  EXPECT_EQ(c.failed, 1);
  EXPECT_EQ(c.running, 1);
  ExpectCountsAddUp(c);
  EXPECT_TRUE(db->GetResult("/photos", "a.jpg", "labels"));
  // The owner dies; the batch comes back with only the item that has no outcome.
  s.clock.Advance(std::chrono::milliseconds(kLease + 1));
  db->RecoverOrphans("e", ToUnixMillis(s.clock.Now()), [](const std::string&) { return false; });
  BatchRecord rest = s.Claim("w2", 1).at(0);
  ASSERT_EQ(rest.items.size(), 1u);
  EXPECT_EQ(rest.items[0].key, "c.jpg");
  EXPECT_EQ(s.Complete("w2", rest, s.AllSucceeded(rest)).size(), 1u);
  c = db->CountItems("e");
  EXPECT_EQ(c.succeeded, 2);
  EXPECT_EQ(c.failed, 1);
  EXPECT_EQ(c.running + c.pending, 0);
  std::vector<std::string> keys;
  db->ForEachBatch("e", kLabels, [&](const BatchReport& r) {
    EXPECT_EQ(r.state, BatchState::kDone);
    for (const ItemOutcome& o : r.items) keys.push_back(o.item.key + ":" +
                                                        std::string(ItemStatusName(o.status)));
    EXPECT_FALSE(r.items[0].response.empty());
  });
  EXPECT_EQ(keys, (std::vector<std::string>{"a.jpg:SUCCEEDED", "b.jpg:FAILED", "c.jpg:SUCCEEDED"}));
}

TEST_P(DatabaseConformance, AClaimOfABatchWhoseItemsAreAllDoneCarriesNone) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a", "b"}});
  BatchRecord b = s.Claim("w", 1).at(0);
  s.Complete("w", b, s.AllSucceeded(b), /*last=*/false);
  db->ReleaseBatches("e", "w", {{b.seq, b.attempt}});
  BatchRecord again = s.Claim("w", 1).at(0);
  EXPECT_TRUE(again.items.empty());
  EXPECT_EQ(s.Complete("w", again, {}).size(), 1u);
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.succeeded, 2);
  EXPECT_EQ(c.pending + c.running, 0);
}

TEST_P(DatabaseConformance, PendingAndRunningBatchesReportTheirItems) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a", "b"}, {"c"}});
  BatchRecord b = s.Claim("w", 1).at(0);
  s.Complete("w", b, {Succeeded(b.items[0])}, /*last=*/false);
  std::vector<std::string> seen;
  db->ForEachBatch("e", kLabels, [&](const BatchReport& r) {
    for (const ItemOutcome& o : r.items) {
      seen.push_back(o.item.key + ":" + std::string(ItemStatusName(o.status)));
    }
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a:SUCCEEDED", "b:PENDING", "c:PENDING"}));
}

TEST_P(DatabaseConformance, OutcomesAreReadInKeyOrderAndCountedByError) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a", "b", "c", "d"}});
  BatchRecord b = s.Claim("w", 1).at(0);
  s.Complete("w", b,
             {Failed(b.items[2], "Corrupt"), Failed(b.items[0], "Corrupt"),
              Failed(b.items[1], "NotAnImage", ItemStatus::kSkipped), Succeeded(b.items[3])});
  std::vector<std::string> failed;
  db->ForEachOutcome("e", ItemStatus::kFailed,
                     [&](const ItemOutcome& o) { failed.push_back(o.item.key); });
  EXPECT_EQ(failed, (std::vector<std::string>{"a", "c"}));
  auto errors = db->CountErrors("e", ItemStatus::kFailed);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], (std::pair<std::string, int64_t>{"Corrupt", 2}));
  EXPECT_EQ(db->CountErrors("e", ItemStatus::kSkipped)[0].first, "NotAnImage");
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.failed, 2);
  EXPECT_EQ(c.skipped, 1);
  EXPECT_EQ(c.succeeded, 1);
  ExpectCountsAddUp(c);
}

TEST_P(DatabaseConformance, RedriveRunsOnlyTheFailedItemsAgain) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a", "b"}, {"c"}});
  for (const BatchRecord& b : s.Claim("w", 5)) {
    std::vector<ItemOutcome> outs;
    for (const ObjectInfo& i : b.items) outs.push_back(i.key == "c" ? Succeeded(i) : Failed(i));
    s.Complete("w", b, outs);
  }
  db->UpdateExecution("e", ExecutionStatus::kRunning,
                      {ExecutionStatus::kFailed, "E", "C", 5, std::nullopt});
  nlohmann::json spec = {{"source", "/photos"}, {"toleratedFailureCount", 10}};
  int64_t n = db->PrepareRedrive(
      "e",
      [](std::vector<ObjectInfo> items) {
        BatchRecord b;
        b.items = std::move(items);
        return std::vector<BatchRecord>{b};
      },
      spec);
  EXPECT_EQ(n, 2);
  std::optional<ExecutionRecord> e = db->GetExecution("e");
  EXPECT_EQ(e->status, ExecutionStatus::kRunning);
  EXPECT_EQ(e->redrive_count, 1);
  EXPECT_EQ(e->spec, spec);
  EXPECT_TRUE(e->error.empty());
  ItemCounts c = db->CountItems("e");
  EXPECT_EQ(c.failed, 0);
  EXPECT_EQ(c.pending, 2);
  EXPECT_EQ(c.succeeded, 1);
  ExpectCountsAddUp(c);
  std::vector<BatchRecord> again = s.Claim("w2", 5);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].items.size(), 2u);
}

TEST_P(DatabaseConformance, AnswersOfTwoSourcesOrTwoKindsNeverCollide) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"dog.jpg"}, {"x"}});
  std::vector<BatchRecord> b = s.Claim("w", 2);
  s.Complete("w", b[0], {Succeeded(b[0].items[0], "Dog")});
  AnswerTarget other{"s3://bucket", "labels", "labels/model-a"};
  s.Complete("w", b[1], {Succeeded(Item("dog.jpg"), "Cat")}, true, other);
  ExecutionFixture t(*db, "inv");
  t.List({{"dog.jpg"}});
  BatchRecord inv = t.Claim("w", 1).at(0);
  ItemOutcome listing = Succeeded(inv.items[0]);
  listing.response = R"({"Key":"dog.jpg"})";
  listing.index.clear();
  t.Complete("w", inv, {listing}, true, AnswerTarget{"/photos", "inventory", "none"});

  EXPECT_EQ(db->GetResult("/photos", "dog.jpg", "labels")->response["Labels"][0]["Name"], "Dog");
  EXPECT_EQ(db->GetResult("s3://bucket", "dog.jpg", "labels")->response["Labels"][0]["Name"],
            "Cat");
  EXPECT_EQ(db->GetResult("/photos", "dog.jpg", "inventory")->response["Key"], "dog.jpg");
  EXPECT_EQ(db->FindResults("dog.jpg").size(), 3u);
  LabelQuery q;
  q.label = "dog";  // case-insensitive
  std::vector<LabelHit> hits = db->QueryLabel(q);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].source, "/photos");
  EXPECT_EQ(hits[0].label, "Dog");
  q.label = "Animal";  // a parent
  EXPECT_EQ(db->QueryLabel(q).size(), 2u);
  q.source = "s3://bucket";
  EXPECT_EQ(db->QueryLabel(q).size(), 1u);
  ResultFilter labels;
  labels.kind = "labels";
  EXPECT_EQ(db->CountResults(labels), 2);
  ResultFilter all;
  EXPECT_EQ(db->CountResults(all), 3);
}

// Every page of a browse until an empty one, each resumed from the previous page's last entry.
std::vector<BrowseEntry> BrowseAll(ResultsTable& table, BrowseQuery q) {
  std::vector<BrowseEntry> all;
  for (int pages = 0; pages < 100; ++pages) {
    std::vector<BrowseEntry> page = table.BrowseResults(q);
    EXPECT_LE(page.size(), static_cast<size_t>(q.limit));
    if (page.empty()) break;
    all.insert(all.end(), page.begin(), page.end());
    q.after_source = page.back().result.source;
    q.after_id = page.back().result.id;
    q.after_confidence = page.back().confidence;
  }
  return all;
}

TEST_P(DatabaseConformance, BrowsingPagesThroughEveryAnswerOnceFromWhereThePreviousPageEnded) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"}, {"x"}});
  std::vector<BatchRecord> b = s.Claim("w", 2);
  ASSERT_EQ(b.size(), 2u);
  // Two answers share a confidence: paging must not lose or repeat either.
  ItemOutcome car = Succeeded(b[0].items[4], "Car", 99);
  car.index = {{"Car", 99, true}, {"Vehicle", 99, false}};
  s.Complete("w", b[0],
             {Succeeded(b[0].items[0], "Dog", 95), Succeeded(b[0].items[1], "Cat", 80),
              Succeeded(b[0].items[2], "Dog", 80), Succeeded(b[0].items[3], "Dog", 80), car});
  AnswerTarget other{"s3://bucket", "labels", "labels/model-a"};
  s.Complete("w", b[1], {Succeeded(Item("a.jpg"), "Dog", 85), Succeeded(Item("z.jpg"), "Dog", 70)},
             true, other);

  BrowseQuery all;
  all.limit = 2;
  std::vector<std::string> seen;
  for (const BrowseEntry& e : BrowseAll(*db, all)) {
    seen.push_back(e.result.source + " " + e.result.id);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"/photos a.jpg", "/photos b.jpg", "/photos c.jpg",
                                            "/photos d.jpg", "/photos e.jpg", "s3://bucket a.jpg",
                                            "s3://bucket z.jpg"}));
  all.source = "s3://bucket";
  EXPECT_EQ(BrowseAll(*db, all).size(), 2u);
  all.kind = "faces";
  EXPECT_TRUE(BrowseAll(*db, all).empty());

  BrowseQuery animals;  // a parent finds every dog and cat, not the car
  animals.label = "animal";
  animals.limit = 2;
  std::vector<BrowseEntry> found = BrowseAll(*db, animals);
  std::multiset<std::string> keys;
  for (size_t i = 0; i < found.size(); ++i) {
    keys.insert(found[i].result.source + " " + found[i].result.id);
    if (i > 0) {
      EXPECT_LE(found[i].confidence, found[i - 1].confidence) << "most confident first";
    }
  }
  EXPECT_EQ(keys, (std::multiset<std::string>{"/photos a.jpg", "/photos b.jpg", "/photos c.jpg",
                                              "/photos d.jpg", "s3://bucket a.jpg",
                                              "s3://bucket z.jpg"}));
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0].confidence, 95);
  EXPECT_EQ(found[0].result.response["Labels"][0]["Name"], "Dog");
  animals.label = "Dog";
  animals.min_confidence = 80;
  EXPECT_EQ(BrowseAll(*db, animals).size(), 4u) << "95, 85 and the two at 80";
  animals.limit = 1;
  EXPECT_EQ(BrowseAll(*db, animals).size(), 4u) << "one at a time across the tie";

  auto facets = db->LabelFacets("", "labels", 2);
  ASSERT_EQ(facets.size(), 2u) << "at most the limit; parents are not facets";
  EXPECT_EQ(facets[0], (std::pair<std::string, int64_t>{"Dog", 5}));
  EXPECT_EQ(facets[1].second, 1);
  facets = db->LabelFacets("s3://bucket", "labels", 10);
  ASSERT_EQ(facets.size(), 1u);
  EXPECT_EQ(facets[0], (std::pair<std::string, int64_t>{"Dog", 2}));
}

TEST_P(DatabaseConformance, AQueryListsAnImageOnceWhateverAnswersCarryTheLabel) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"group.jpg"}, {"solo.jpg"}});
  std::vector<BatchRecord> b = s.Claim("w", 2);
  s.Complete("w", b[0], {Succeeded(b[0].items[0], "Face", 80)});
  s.Complete("w", b[1], {Succeeded(b[1].items[0], "Face", 70)});
  ExecutionFixture faces(*db, "faces");
  faces.List({{"group.jpg"}});
  BatchRecord f = faces.Claim("w", 1).at(0);
  faces.Complete("w", f, {Succeeded(f.items[0], "Face", 95)}, true,
                 AnswerTarget{"/photos", "faces", "faces/blazeface-256"});

  LabelQuery q;
  q.label = "Face";
  std::vector<LabelHit> hits = db->QueryLabel(q);
  ASSERT_EQ(hits.size(), 2u) << "group.jpg has a labels and a faces answer: listed once";
  EXPECT_EQ(hits[0].id, "group.jpg");
  EXPECT_EQ(hits[0].kind, "faces") << "the most confident answer speaks for the image";
  EXPECT_DOUBLE_EQ(hits[0].confidence, 95);
  EXPECT_EQ(hits[1].id, "solo.jpg");
  q.limit = 1;
  q.offset = 1;
  hits = db->QueryLabel(q);
  ASSERT_EQ(hits.size(), 1u) << "limit and offset count images";
  EXPECT_EQ(hits[0].id, "solo.jpg");
}

TEST_P(DatabaseConformance, AnImageWhoseAnswersTieIsListedOnceByItsFirstKind) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"tie.jpg"}});
  BatchRecord b = s.Claim("w", 1).at(0);
  s.Complete("w", b, {Succeeded(b.items[0], "Face", 90)});
  ExecutionFixture faces(*db, "faces");
  faces.List({{"tie.jpg"}});
  BatchRecord f = faces.Claim("w", 1).at(0);
  faces.Complete("w", f, {Succeeded(f.items[0], "Face", 90)}, true,
                 AnswerTarget{"/photos", "faces", "faces/blazeface-256"});

  LabelQuery q;
  q.label = "face";
  std::vector<LabelHit> hits = db->QueryLabel(q);
  ASSERT_EQ(hits.size(), 1u) << "two answers at the same confidence: the image once";
  EXPECT_EQ(hits[0].kind, "faces") << "ties go to the first kind by name";
  EXPECT_DOUBLE_EQ(hits[0].confidence, 90);
}

TEST_P(DatabaseConformance, AReplacedAnswerDropsItsOldIndexEntries) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a.jpg"}});
  BatchRecord b = s.Claim("w", 1).at(0);
  s.Complete("w", b, {Succeeded(b.items[0], "Dog", 80)});
  ExecutionFixture t(*db, "again");
  t.List({{"a.jpg"}});
  BatchRecord b2 = t.Claim("w", 1).at(0);
  t.Complete("w", b2, {Succeeded(b2.items[0], "Cat", 70)});
  LabelQuery q;
  q.label = "Dog";
  EXPECT_TRUE(db->QueryLabel(q).empty());
  q.label = "Cat";
  EXPECT_EQ(db->QueryLabel(q).size(), 1u);
  q.min_confidence = 75;
  EXPECT_TRUE(db->QueryLabel(q).empty());
  EXPECT_EQ(db->GetResult("/photos", "a.jpg", "labels")->execution, "again");
  auto counts = db->LabelCounts("again", 10);
  ASSERT_EQ(counts.size(), 1u) << "parents are not counted";
  EXPECT_EQ(counts[0], (std::pair<std::string, int64_t>{"Cat", 1}));
  EXPECT_TRUE(db->LabelCounts("e", 10).empty());
}

TEST_P(DatabaseConformance, UnchangedMeansTheSameEtagAndTheSameProcessor) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  EXPECT_EQ(db->Unchanged(kLabels, {Item("a.jpg")}), std::vector<bool>{false});
  s.List({{"a.jpg", "b.jpg"}});
  BatchRecord b = s.Claim("w", 1).at(0);
  s.Complete("w", b, s.AllSucceeded(b));
  EXPECT_EQ(db->Unchanged(kLabels, {Item("a.jpg", "e1"), Item("b.jpg", "e2"), Item("c.jpg")}),
            (std::vector<bool>{true, false, false}));
  AnswerTarget other_settings{"/photos", "labels", "labels/model-b"};
  EXPECT_EQ(db->Unchanged(other_settings, {Item("a.jpg")}), std::vector<bool>{false});
  AnswerTarget other_source{"/elsewhere", "labels", "labels/model-a"};
  EXPECT_EQ(db->Unchanged(other_source, {Item("a.jpg")}), std::vector<bool>{false});
}

TEST_P(DatabaseConformance, AnswersUnderAPrefixAreCountedByProcessor) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"2024/a.jpg", "2024/b.jpg", "2025/c.jpg"}});
  BatchRecord b = s.Claim("w", 1).at(0);
  s.Complete("w", b, s.AllSucceeded(b));
  std::vector<AnswerSet> sets = db->AnswersUnder("/photos", "labels", "2024/");
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].processor, "labels/model-a");
  EXPECT_EQ(sets[0].count, 2);
  EXPECT_EQ(db->AnswersUnder("/photos", "labels", "")[0].count, 3);
  EXPECT_TRUE(db->AnswersUnder("/photos", "labels", "2026").empty());
  EXPECT_TRUE(db->AnswersUnder("/photos", "inventory", "").empty());
  EXPECT_TRUE(db->AnswersUnder("/other", "labels", "").empty());
}

TEST_P(DatabaseConformance, ResultsPageInKeyOrder) {
  std::unique_ptr<Database> db = GetParam()();
  ExecutionFixture s(*db);
  s.List({{"a", "b", "c", "d", "e"}});
  BatchRecord b = s.Claim("w", 1).at(0);
  s.Complete("w", b, s.AllSucceeded(b));
  ResultFilter f;
  f.source = "/photos";
  f.kind = "labels";
  f.limit = 2;
  std::vector<std::string> ids;
  for (int page = 0; page < 4; ++page) {
    std::string last;
    db->ForEachResult(f, [&](const StoredResult& r) {
      ids.push_back(r.id);
      last = r.id;
    });
    if (last.empty()) break;
    f.after_id = last;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(db->CountResults(f), 5);
  ResultFilter by_execution;
  by_execution.execution = "nobody";
  EXPECT_EQ(db->CountResults(by_execution), 0);
}

}  // namespace
}  // namespace imagemill::testing
