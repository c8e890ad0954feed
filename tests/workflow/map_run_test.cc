#include "workflow/map_run.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include "objectstore/faulty_store.h"
#include "objectstore/local_store.h"
#include "objectstore/memory_store.h"
#include "db/database.h"
#include "db/database_error.h"
#include "support/fake_clock.h"
#include "support/fake_processor.h"
#include "support/forwarding_database.h"
#include "support/temp_dir.h"
#include "workflow/batcher.h"
#include "workflow/noop_processor.h"
#include "workflow/tolerance.h"

namespace imagemill {
namespace {

using testing::FakeProcessor;
using testing::TempDir;

class MapRunTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = std::move(OpenDatabase("mem:", OpenMode::kCreate)).value(); }

  // 'n' good images "img/0000.jpg".., plus the given extra objects.
  void Fill(int n) {
    for (int i = 0; i < n; ++i) {
      char key[32];
      std::snprintf(key, sizeof(key), "img/%04d.jpg", i);
      ASSERT_TRUE(source().Put(key, i % 2 == 0 ? "cat 90" : "dog 70").ok());
    }
  }
  ObjectStore& source() { return memory_; }

  ExecutionSpec Spec() {
    ExecutionSpec s;
    s.source = "mem://photos";
    s.processor = processor_.Name();
    s.kind = processor_.Kind();
    s.max_items_per_batch = 10;
    s.tolerated_failure_percentage = 5;
    return s;
  }
  RunOptions Options() {
    RunOptions o;
    o.pipeline.fetchers = 3;
    o.pipeline.workers = 2;
    o.retry.interval_seconds = 0.001;
    o.retry.max_attempts = 3;
    return o;
  }
  RunSummary MustRun(const ExecutionSpec& spec, const std::string& name, RunOptions options,
                     ObjectStore* store = nullptr) {
    MapRun run(store != nullptr ? *store : source(), *db_, *db_, processor_, std::move(options));
    Result<RunSummary> r = run.Run(spec, name);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RunSummary();
  }

  std::optional<StoredResult> Answer(const std::string& id, const std::string& source = "mem://photos") {
    return db_->GetResult(source, id, "labels");
  }
  size_t Hits(const std::string& label, double min_confidence = 0) {
    LabelQuery q;
    q.label = label;
    q.min_confidence = min_confidence;
    return db_->QueryLabel(q).size();
  }
  // Keys with an outcome of `status` in `name`'s batches.
  std::set<std::string> Keys(const std::string& name, ItemStatus status) {
    std::set<std::string> keys;
    db_->ForEachBatch(name, {"mem://photos", "labels", processor_.Name()},
                      [&](const BatchReport& b) {
                        for (const ItemOutcome& o : b.items) {
                          if (o.status == status) keys.insert(o.item.key);
                        }
                      });
    return keys;
  }

  TempDir dir_;
  MemoryStore memory_{"mem://photos"};
  std::unique_ptr<Database> db_;
  FakeProcessor processor_;
};

TEST_F(MapRunTest, BadObjectsFailAloneWithinTolerance) {
  Fill(200);
  ASSERT_TRUE(source().Put("img/bad1.jpg", "corrupt bytes").ok());
  ASSERT_TRUE(source().Put("img/bad2.jpg", "corrupt again").ok());
  ASSERT_TRUE(source().Put("notes.txt", "text file").ok());
  RunSummary s = MustRun(Spec(), "e1", Options());
  EXPECT_EQ(s.execution.status, ExecutionStatus::kSucceeded) << s.execution.cause;
  EXPECT_EQ(s.counts.total, 203);
  EXPECT_EQ(s.counts.succeeded, 200);
  EXPECT_EQ(s.counts.failed, 2);
  EXPECT_EQ(s.counts.skipped, 1);
  EXPECT_EQ(s.counts.pending + s.counts.running, 0);
  EXPECT_EQ(s.counts.results_written, 200);
  std::optional<StoredResult> r = Answer("img/0001.jpg");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->response["Labels"][0]["Name"], "dog");
  EXPECT_FALSE(Answer("img/bad1.jpg").has_value());
  EXPECT_EQ(Hits("CAT"), 100u);         // case-insensitive, indexed
  EXPECT_EQ(Hits("thing", 80), 100u);   // parents indexed too
  std::vector<std::string> failed;
  db_->ForEachOutcome("e1", ItemStatus::kFailed, [&](const ItemOutcome& o) {
    failed.push_back(o.item.key);
    EXPECT_EQ(o.error, "Corrupt");
    EXPECT_NE(o.cause.find(o.item.key), std::string::npos);
    EXPECT_EQ(o.attempts, 1);  // permanent errors are not retried
  });
  EXPECT_EQ(failed, (std::vector<std::string>{"img/bad1.jpg", "img/bad2.jpg"}));
}

TEST_F(MapRunTest, ZeroToleranceFailsAndStopsEarly) {
  ASSERT_TRUE(source().Put("a/000-bad.jpg", "corrupt").ok());
  Fill(300);
  ExecutionSpec spec = Spec();
  spec.tolerated_failure_percentage = 0;
  RunOptions o = Options();
  o.max_concurrency = 1;
  o.pipeline.workers = 1;
  o.pipeline.fetchers = 1;
  RunSummary s = MustRun(spec, "strict", o);
  EXPECT_EQ(s.execution.status, ExecutionStatus::kFailed);
  EXPECT_EQ(s.execution.error, "States.ExceedToleratedFailureThreshold");
  EXPECT_NE(s.execution.cause.find("1 of"), std::string::npos) << s.execution.cause;
  EXPECT_EQ(s.counts.failed, 1);
  EXPECT_GT(s.counts.pending, 0) << "no new batch may start once the tolerance is exceeded";
  EXPECT_LT(processor_.total_processed(), 301);
}

TEST_F(MapRunTest, ToleratedFailureCountIsHonoured) {
  Fill(50);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(source().Put("z/bad" + std::to_string(i), "corrupt").ok());
  }
  ExecutionSpec spec = Spec();
  spec.tolerated_failure_percentage.reset();
  spec.tolerated_failure_count = 3;
  EXPECT_EQ(MustRun(spec, "count3", Options()).execution.status, ExecutionStatus::kSucceeded);
  spec.tolerated_failure_count = 2;
  spec.force = true;
  EXPECT_EQ(MustRun(spec, "count2", Options()).execution.status, ExecutionStatus::kFailed);
}

TEST_F(MapRunTest, FinishedExecutionReturnsItsStoredResult) {
  Fill(30);
  RunSummary first = MustRun(Spec(), "again", Options());
  ASSERT_EQ(first.execution.status, ExecutionStatus::kSucceeded);
  int64_t processed = processor_.total_processed();
  RunSummary second = MustRun(Spec(), "again", Options());
  EXPECT_TRUE(second.already_finished);
  EXPECT_EQ(second.counts.succeeded, 30);
  EXPECT_EQ(processor_.total_processed(), processed);
}

TEST_F(MapRunTest, SameNameWithDifferentJobIsRefused) {
  Fill(5);
  MustRun(Spec(), "taken", Options());
  ExecutionSpec other = Spec();
  other.prefix = "img/00";
  MapRun run(source(), *db_, *db_, processor_, Options());
  Result<RunSummary> r = run.Run(other, "taken");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("taken"), std::string::npos);
}

TEST_F(MapRunTest, ASpecOfAnotherKindThanItsProcessorIsRefusedBeforeAnythingIsStored) {
  Fill(5);
  ExecutionSpec unkinded = Spec();
  unkinded.kind = "";
  MapRun run(source(), *db_, *db_, processor_, Options());
  Result<RunSummary> r = run.Run(unkinded, "unkinded");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("gives '" + processor_.Kind() + "'"), std::string::npos)
      << r.status().message();
  EXPECT_FALSE(db_->GetExecution("unkinded").has_value());
}

TEST_F(MapRunTest, NewExecutionSkipsUnchangedItemsUnlessForced) {
  Fill(40);
  MustRun(Spec(), "first", Options());
  ASSERT_TRUE(source().Put("img/0003.jpg", "cat 99").ok());  // changed: new ETag
  ASSERT_TRUE(source().Put("img/new.jpg", "dog 88").ok());   // new
  int64_t before = processor_.total_processed();
  RunSummary second = MustRun(Spec(), "second", Options());
  EXPECT_EQ(second.counts.total, 41);
  EXPECT_EQ(second.counts.succeeded, 41) << "unchanged items succeed with their stored answer";
  EXPECT_EQ(second.counts.unchanged, 39);
  EXPECT_EQ(second.counts.skipped, 0);
  EXPECT_EQ(processor_.total_processed() - before, 2);
  EXPECT_EQ(Answer("img/0003.jpg")->response["Labels"][0]["Confidence"], 99.0);
  EXPECT_EQ(Keys("second", ItemStatus::kSucceeded).size(), 41u) << "every item is accounted for";

  ExecutionSpec forced = Spec();
  forced.force = true;
  RunSummary third = MustRun(forced, "third", Options());
  EXPECT_EQ(third.counts.succeeded, 41);
}

TEST_F(MapRunTest, TransientErrorsAreRetriedWithBackoff) {
  Fill(20);
  std::atomic<int> throttles{0};
  FaultyStore faulty(source(), [&](FaultyStore::Op op, std::string_view key) {
    if (op == FaultyStore::Op::kGet && key == "img/0007.jpg" && throttles.fetch_add(1) < 2) {
      return Status::Throttled("img/0007.jpg: SlowDown");
    }
    if (op == FaultyStore::Op::kGet && key == "img/0009.jpg") {
      return Status::Io("img/0009.jpg: connection reset");
    }
    return Status::Ok();
  });
  ExecutionSpec spec = Spec();
  spec.tolerated_failure_count = 1;
  RunSummary s = MustRun(spec, "retry", Options(), &faulty);
  EXPECT_EQ(s.counts.succeeded, 19);
  EXPECT_EQ(s.counts.failed, 1);
  int seen = 0;
  db_->ForEachBatch("retry", {"mem://photos", "labels", "fake"}, [&](const BatchReport& b) {
    for (const ItemOutcome& o : b.items) {
      if (o.item.key == "img/0007.jpg") {
        EXPECT_EQ(o.attempts, 3);
        ++seen;
      }
    }
  });
  EXPECT_EQ(seen, 1);
  db_->ForEachOutcome("retry", ItemStatus::kFailed, [&](const ItemOutcome& o) {
    EXPECT_EQ(o.item.key, "img/0009.jpg");
    EXPECT_EQ(o.error, "Io");
    EXPECT_EQ(o.attempts, 4);  // the first try and MaxAttempts (3) retries
  });
}

TEST_F(MapRunTest, RedriveRunsOnlyWhatFailed) {
  Fill(30);
  std::atomic<bool> broken{true};
  FaultyStore faulty(source(), [&](FaultyStore::Op op, std::string_view key) {
    if (broken && op == FaultyStore::Op::kGet && key.ends_with("5.jpg")) {
      return Status::Io(std::string(key) + ": disk error");
    }
    return Status::Ok();
  });
  ExecutionSpec spec = Spec();
  spec.tolerated_failure_percentage = 0;
  RunOptions o = Options();
  o.retry.max_attempts = 0;
  RunSummary first = MustRun(spec, "redo", o, &faulty);
  ASSERT_EQ(first.execution.status, ExecutionStatus::kFailed);
  broken = false;
  Batcher batcher(spec.max_items_per_batch, 0);
  int64_t again = db_->PrepareRedrive(
      "redo", [&](std::vector<ObjectInfo> items) { return batcher.Cut(std::move(items)); },
      spec.ToJson());
  EXPECT_EQ(again, first.counts.failed);
  int64_t before = processor_.total_processed();
  RunSummary second = MustRun(spec, "redo", o, &faulty);
  EXPECT_EQ(second.execution.status, ExecutionStatus::kSucceeded) << second.execution.cause;
  EXPECT_EQ(second.execution.redrive_count, 1);
  EXPECT_EQ(second.counts.succeeded, 30);
  EXPECT_EQ(second.counts.failed, 0);
  // Only what failed or never ran was run again.
  EXPECT_EQ(processor_.total_processed() - before, 30 - first.counts.succeeded);
  for (int i = 0; i < 30; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "img/%04d.jpg", i);
    EXPECT_EQ(processor_.ProcessedCount(key), 1) << key;
  }
}

TEST_F(MapRunTest, InterruptedRunResumesWithoutRedoingFinishedBatches) {
  Fill(400);
  std::atomic<bool> interrupt{false};
  std::atomic<int> gets{0};
  FaultyStore slow(source(), [&](FaultyStore::Op op, std::string_view) {
    if (op == FaultyStore::Op::kGet && gets.fetch_add(1) == 120) interrupt = true;
    return Status::Ok();
  });
  RunOptions o = Options();
  o.interrupt = &interrupt;
  RunSummary first = MustRun(Spec(), "resume", o, &slow);
  EXPECT_EQ(first.execution.status, ExecutionStatus::kAborted);
  EXPECT_LT(first.counts.succeeded, 400);
  EXPECT_GT(first.counts.succeeded, 0);
  int64_t done_before = first.counts.succeeded;
  std::set<std::string> done_keys = Keys("resume", ItemStatus::kSucceeded);

  RunSummary second = MustRun(Spec(), "resume", Options());
  EXPECT_TRUE(second.resumed);
  EXPECT_EQ(second.execution.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(second.counts.succeeded, 400);
  EXPECT_EQ(second.counts.total, 400);
  EXPECT_EQ(static_cast<int64_t>(done_keys.size()), done_before);
  for (const std::string& k : done_keys) EXPECT_EQ(processor_.ProcessedCount(k), 1) << k;
}

TEST_F(MapRunTest, ByteLimitCutsBatches) {
  Fill(10);  // each object is 6 bytes
  ExecutionSpec spec = Spec();
  spec.max_input_bytes_per_batch = 13;
  RunSummary s = MustRun(spec, "bytes", Options());
  EXPECT_EQ(s.counts.succeeded, 10);
}

TEST_F(MapRunTest, ListsAFolderToo) {
  TempDir photos;
  for (int i = 0; i < 25; ++i) photos.Write("d" + std::to_string(i % 3) + "/" + std::to_string(i), "cat 80");
  auto local = std::move(LocalStore::Open(photos.path(), false).value());
  ExecutionSpec spec = Spec();
  spec.source = photos.path();
  spec.prefix = "d1";
  RunSummary s = MustRun(spec, "folder", Options(), local.get());
  EXPECT_EQ(s.counts.total, 8);
  EXPECT_EQ(s.counts.succeeded, 8);
  EXPECT_TRUE(Answer("d1/1", photos.path()).has_value());
}

// Completing batches takes `delay` longer; counts the batches claimed and not yet completed.
class SlowWriterState final : public testing::ForwardingDatabase {
 public:
  SlowWriterState(Database& db, std::chrono::milliseconds delay)
      : ForwardingDatabase(db), delay_(delay) {}
  int max_outstanding() const { return max_outstanding_; }

  std::vector<BatchRecord> ClaimBatches(std::string_view n, std::string_view owner, int max,
                                        int64_t now, int64_t until) override {
    std::vector<BatchRecord> b = target_.ClaimBatches(n, owner, max, now, until);
    outstanding_ += static_cast<int>(b.size());
    max_outstanding_ = std::max(max_outstanding_.load(), outstanding_.load());
    return b;
  }
  std::vector<int64_t> CompleteBatches(std::string_view n, std::string_view owner,
                                       const AnswerTarget& target,
                                       const std::vector<FinishedBatch>& batches) override {
    std::this_thread::sleep_for(delay_);
    std::vector<int64_t> done = target_.CompleteBatches(n, owner, target, batches);
    for (const FinishedBatch& b : batches) outstanding_ -= b.last ? 1 : 0;
    return done;
  }

 private:
  std::chrono::milliseconds delay_;
  std::atomic<int> outstanding_{0};
  std::atomic<int> max_outstanding_{0};
};

TEST_F(MapRunTest, ABatchHoldsItsSlotUntilItsOutcomesAreWritten) {
  Fill(200);
  SlowWriterState slow(*db_, std::chrono::milliseconds(30));
  RunOptions o = Options();
  o.max_concurrency = 3;
  MapRun run(source(), slow, slow, processor_, o);
  Result<RunSummary> s = run.Run(Spec(), "slow-writer");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->counts.succeeded, 200);
  // Outcomes waiting for the writer never pile up beyond the batches allowed in flight.
  EXPECT_LE(slow.max_outstanding(), 3);
  EXPECT_GE(slow.max_outstanding(), 2);
}

TEST_F(MapRunTest, AProcessorThatAnswersFromTheListingReadsNoObject) {
  Fill(120);
  ASSERT_TRUE(source().Put("big.jpg", std::string(64, 'x')).ok());
  FaultyStore counting(source(), [](FaultyStore::Op, std::string_view) { return Status::Ok(); });
  RunOptions o = Options();
  o.pipeline.max_object_bytes = 32;  // big.jpg is over it: only a read would fail it
  for (bool reads : {false, true}) {
    NoopProcessor noop(reads);
    MapRun run(counting, *db_, *db_, noop, o);
    const int64_t gets_before = counting.calls(FaultyStore::Op::kGet);
    ExecutionSpec spec = Spec();
    spec.processor = noop.Name();
    spec.kind = noop.Kind();
    spec.force = reads;  // the second run: everything is unchanged since the first
    Result<RunSummary> s = run.Run(spec, reads ? "inventory-read" : "inventory");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    const int64_t gets = counting.calls(FaultyStore::Op::kGet) - gets_before;
    if (reads) {
      EXPECT_EQ(gets, 120);
      EXPECT_EQ(s->counts.succeeded, 120);
      EXPECT_EQ(s->counts.failed, 1);  // TooLarge, without a read
    } else {
      EXPECT_EQ(gets, 0);
      EXPECT_EQ(s->counts.succeeded, 121);
    }
  }
}

// Puts `n` objects "img/NNNN.jpg" of 300 KiB (as large as photos: each travels to a worker on its
// own); those from `wait_from` on are held in the processor until it opens.
void PutHeld(ObjectStore& store, int n, int wait_from) {
  for (int i = 0; i < n; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "img/%04d.jpg", i);
    std::string bytes = i < wait_from ? "cat 90" : "wait 50";
    bytes.resize(300 << 10, ' ');
    ASSERT_TRUE(store.Put(key, bytes).ok());
  }
}

TEST_F(MapRunTest, AnInterruptKeepsWhatFinishedInTheBatchesInHand) {
  PutHeld(source(), 100, 79);
  ExecutionSpec spec = Spec();
  spec.max_items_per_batch = 100;  // one batch: nothing of it may be lost
  std::atomic<bool> interrupt{false};
  RunOptions o = Options();
  o.interrupt = &interrupt;
  o.pipeline.fetchers = 1;
  RunSummary first;
  std::thread run([&] { first = MustRun(spec, "ctrl-c", o); });
  for (int i = 0; i < 1000 && processor_.total_processed() < 79; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(processor_.total_processed(), 79);
  interrupt = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  processor_.Open();  // the items in hand finish
  run.join();
  EXPECT_EQ(first.execution.status, ExecutionStatus::kAborted);
  EXPECT_GE(first.counts.succeeded, 79);
  EXPECT_LT(first.counts.succeeded, 100);
  for (int i = 0; i < 79; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "img/%04d.jpg", i);
    EXPECT_TRUE(Answer(key).has_value()) << key << " finished before the interrupt";
  }
  RunSummary second = MustRun(spec, "ctrl-c", Options());
  EXPECT_EQ(second.execution.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(second.counts.succeeded, 100);
  for (int i = 0; i < 100; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "img/%04d.jpg", i);
    EXPECT_EQ(processor_.ProcessedCount(key), 1) << key;
  }
}

TEST_F(MapRunTest, FinishedItemsOfALongBatchAreCommittedWhileItRuns) {
  PutHeld(source(), 50, 30);
  ExecutionSpec spec = Spec();
  spec.max_items_per_batch = 50;
  RunOptions o = Options();
  o.commit_every = std::chrono::milliseconds(10);
  o.pipeline.fetchers = 1;  // in key order: the held items come last
  RunSummary s;
  std::thread run([&] { s = MustRun(spec, "long", o); });
  int64_t stored = 0;
  for (int i = 0; i < 1000 && stored < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stored = db_->CountItems("long").succeeded;
  }
  EXPECT_EQ(stored, 30) << "a crash now would keep the 30 finished items";
  EXPECT_EQ(db_->CountItems("long").running, 20);
  processor_.Open();
  run.join();
  EXPECT_EQ(s.counts.succeeded, 50);
  EXPECT_EQ(Keys("long", ItemStatus::kSucceeded).size(), 50u);
}

TEST_F(MapRunTest, AStopFromAnotherProcessEndsTheRunResumably) {
  PutHeld(source(), 40, 20);
  RunSummary s;
  RunOptions o = Options();
  o.pipeline.fetchers = 1;
  std::thread run([&] { s = MustRun(Spec(), "stop-me", o); });
  for (int i = 0; i < 1000 && processor_.total_processed() < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(db_->UpdateExecution("stop-me", ExecutionStatus::kRunning,
                                   {ExecutionStatus::kAborted, "States.Aborted", "asked to stop",
                                    1, std::nullopt}));
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the run reads its status
  processor_.Open();
  run.join();
  EXPECT_EQ(s.execution.status, ExecutionStatus::kAborted);
  EXPECT_EQ(s.execution.error, "States.Aborted");
  EXPECT_GE(s.counts.succeeded, 20);
  EXPECT_EQ(MustRun(Spec(), "stop-me", Options()).counts.succeeded, 40);
}

TEST_F(MapRunTest, AnInterruptedWorkerHandsItsBatchesBackAndLeavesTheExecutionRunning) {
  PutHeld(source(), 40, 20);
  ExecutionSpec spec = Spec();
  {
    // The execution exists, RUNNING, as `run --no-work` leaves it for the workers.
    ExecutionRecord e;
    e.name = "shared";
    e.map_run_id = "m";
    e.spec = spec.ToJson();
    e.start_ms = 1;
    bool created = false;
    db_->CreateOrGetExecution(e, &created);
  }
  std::atomic<bool> interrupt{false};
  RunOptions o = Options();
  o.shared = true;
  o.interrupt = &interrupt;
  o.pipeline.fetchers = 1;
  RunSummary s;
  std::thread run([&] { s = MustRun(spec, "shared", o); });
  for (int i = 0; i < 1000 && processor_.total_processed() < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  interrupt = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  processor_.Open();
  run.join();
  EXPECT_EQ(s.execution.status, ExecutionStatus::kRunning);
  EXPECT_EQ(db_->GetExecution("shared")->status, ExecutionStatus::kRunning)
      << "the other workers go on";
  EXPECT_EQ(db_->CountItems("shared").running, 0) << "what it held is back in the queue";
  EXPECT_GE(db_->CountItems("shared").succeeded, 20);

  // A stopped execution is not a worker's to resume.
  ASSERT_TRUE(db_->UpdateExecution("shared", ExecutionStatus::kRunning,
                                   {ExecutionStatus::kAborted, "States.Aborted", "stopped", 2,
                                    std::nullopt}));
  o.interrupt = nullptr;
  EXPECT_TRUE(MustRun(spec, "shared", o).already_finished);
  EXPECT_EQ(db_->GetExecution("shared")->status, ExecutionStatus::kAborted);
  EXPECT_EQ(MustRun(spec, "shared", Options()).counts.succeeded, 40);
}

TEST_F(MapRunTest, ARunWithoutWorkListsAndProcessesNothing) {
  Fill(30);
  std::atomic<bool> interrupt{false};
  RunOptions o = Options();
  o.work = false;
  o.interrupt = &interrupt;
  RunSummary s;
  std::thread run([&] { s = MustRun(Spec(), "lister", o); });
  for (int i = 0; i < 1000 && !db_->GetExecution("lister").value_or(ExecutionRecord{}).listing_done;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // it would have claimed by now
  interrupt = true;
  run.join();
  EXPECT_EQ(processor_.total_processed(), 0);
  EXPECT_EQ(db_->CountItems("lister").pending, 30) << "listed, left for the workers";
  EXPECT_EQ(s.execution.status, ExecutionStatus::kAborted);
  EXPECT_EQ(MustRun(Spec(), "lister", Options()).counts.succeeded, 30);
}

TEST_F(MapRunTest, TheToleranceCauseGivesTheFinalCounts) {
  Fill(7);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(source().Put("img/bad" + std::to_string(i) + ".jpg", "corrupt").ok());
  }
  ExecutionSpec spec = Spec();
  spec.tolerated_failure_percentage = 0;
  RunSummary s = MustRun(spec, "three-bad", Options());
  EXPECT_EQ(s.execution.status, ExecutionStatus::kFailed);
  EXPECT_EQ(s.counts.failed, 3);
  EXPECT_NE(s.execution.cause.find("3 of 10 items failed (30.00%)"), std::string::npos)
      << s.execution.cause;
}

TEST_F(MapRunTest, ResultFilesMissingAfterACrashAreWrittenByTheNextRun) {
  Fill(12);
  ExecutionSpec spec = Spec();
  spec.result_writer = "mem://out";
  RunOptions o = Options();
  // Finished, but the process died before the files were written: no destination this time.
  RunSummary first = MustRun(spec, "lost-manifest", o);
  ASSERT_EQ(first.execution.status, ExecutionStatus::kSucceeded);
  EXPECT_TRUE(first.execution.manifest.empty());
  MemoryStore out("mem://out");
  o.result_store = &out;
  o.result_prefix = "jobs";
  RunSummary second = MustRun(spec, "lost-manifest", o);
  EXPECT_TRUE(second.already_finished);
  EXPECT_EQ(second.execution.manifest,
            "mem://out/jobs/" + second.execution.map_run_id + "/manifest.json");
  EXPECT_TRUE(out.Get("jobs/" + second.execution.map_run_id + "/manifest.json", std::nullopt).ok());
  EXPECT_EQ(processor_.total_processed(), 12) << "nothing ran again";
}

TEST_F(MapRunTest, AFollowerWaitsForTheManifestTheEndingProcessWrites) {
  Fill(4);
  ExecutionSpec spec = Spec();
  spec.result_writer = "mem://out";
  {
    // Another process ended the execution and is still writing its result files.
    ExecutionRecord e;
    e.name = "ended";
    e.map_run_id = "m";
    e.spec = spec.ToJson();
    e.start_ms = 1;
    bool created = false;
    db_->CreateOrGetExecution(e, &created);
    ASSERT_TRUE(db_->UpdateExecution("ended", ExecutionStatus::kRunning,
                                     {ExecutionStatus::kSucceeded, "", "", 2, std::nullopt}));
  }
  MemoryStore out("mem://out");
  RunOptions o = Options();
  o.shared = true;
  o.result_store = &out;
  RunSummary s;
  std::thread follower([&] { s = MustRun(spec, "ended", o); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(db_->UpdateExecution("ended", ExecutionStatus::kSucceeded,
                                   {ExecutionStatus::kSucceeded, "", "", 2,
                                    std::string("mem://out/m/manifest.json")}));
  follower.join();
  EXPECT_EQ(s.execution.manifest, "mem://out/m/manifest.json")
      << "its summary names the manifest the other process wrote";

  // A writer that died leaves no manifest: the follower gives up after its bound, not never.
  ASSERT_TRUE(db_->UpdateExecution("ended", ExecutionStatus::kSucceeded,
                                   {ExecutionStatus::kSucceeded, "", "", 2, std::string()}));
  testing::FakeClock clock;
  o.clock = &clock;
  EXPECT_TRUE(MustRun(spec, "ended", o).execution.manifest.empty());
  EXPECT_GE(clock.Steady().time_since_epoch(), std::chrono::hours(24 * 365 * 50) + std::chrono::seconds(60));
  EXPECT_EQ(processor_.total_processed(), 0);
}

// Fails every commit after the first with a full disk.
class FullDisk final : public testing::ForwardingDatabase {
 public:
  using ForwardingDatabase::ForwardingDatabase;
  std::vector<int64_t> CompleteBatches(std::string_view n, std::string_view owner,
                                       const AnswerTarget& target,
                                       const std::vector<FinishedBatch>& batches) override {
    if (commits_++ > 0) throw DatabaseError(DatabaseError::Kind::kFull, "database x: disk is full");
    return target_.CompleteBatches(n, owner, target, batches);
  }

 private:
  std::atomic<int> commits_{0};
};

TEST_F(MapRunTest, AFailingDatabaseEndsTheRunAbortedAndResumable) {
  Fill(100);
  FullDisk full(*db_);
  RunOptions o = Options();
  o.max_concurrency = 1;
  MapRun run(source(), full, full, processor_, o);
  Result<RunSummary> s = run.Run(Spec(), "full");
  ASSERT_TRUE(s.ok()) << "a database failure is a run's end, not an exception";
  EXPECT_EQ(s->execution.status, ExecutionStatus::kAborted);
  EXPECT_EQ(s->execution.error, "imagemill.DatabaseFailed");
  EXPECT_NE(s->execution.cause.find("disk is full"), std::string::npos);
  RunSummary resumed = MustRun(Spec(), "full", Options());
  EXPECT_EQ(resumed.execution.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(resumed.counts.succeeded, 100);
}

// Hands the first batch it sees completed to another owner just before the completion lands, as
// a worker that stalled past its lease would find it.
class TakenOver final : public testing::ForwardingDatabase {
 public:
  using ForwardingDatabase::ForwardingDatabase;
  std::vector<int64_t> CompleteBatches(std::string_view n, std::string_view owner,
                                       const AnswerTarget& target,
                                       const std::vector<FinishedBatch>& batches) override {
    if (!taken_.exchange(true)) {
      target_.RecoverOrphans(n, 1LL << 60, [](const std::string&) { return true; });
      target_.ClaimBatches(n, "thief", 1000, 0, 0);  // a lease that has already run out
    }
    return target_.CompleteBatches(n, owner, target, batches);
  }

 private:
  std::atomic<bool> taken_{false};
};

TEST_F(MapRunTest, ACompletionAfterTheLeaseWasLostIsRefusedAndTheBatchRunsAgain) {
  Fill(30);
  TakenOver taken(*db_);
  RunOptions o = Options();
  o.lease = std::chrono::milliseconds(200);
  MapRun run(source(), taken, taken, processor_, o);
  Result<RunSummary> s = run.Run(Spec(), "taken-over");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GE(s->refused, 1);
  EXPECT_EQ(s->execution.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(s->counts.succeeded, 30);
  EXPECT_EQ(Keys("taken-over", ItemStatus::kSucceeded).size(), 30u);
}

TEST(InFlightBatchesTest, FollowsTheRateBetweenTheFloorAndTheCap) {
  EXPECT_EQ(InFlightBatches(4, 30, 100), 4);  // images: the floor
  EXPECT_EQ(InFlightBatches(4, 0, 100), 4);
  EXPECT_EQ(InFlightBatches(4, std::nan(""), 100), 4);
  const int fast = InFlightBatches(4, 100000, 100);  // 10,000 items in kWorkInHand (0.1 s)
  EXPECT_GE(fast, 100);
  EXPECT_LE(fast, 101);
  EXPECT_EQ(InFlightBatches(4, 1e9, 100), kMaxAdaptiveInFlight);
  EXPECT_EQ(InFlightBatches(4, 1e6, 0), kMaxAdaptiveInFlight);  // a batch has at least one item
  EXPECT_EQ(InFlightBatches(300, 1e9, 100), 300);  // never below the floor
}

TEST(BatcherTest, CutsByItemsAndBytes) {
  Batcher by_items(3, 0);
  std::vector<ObjectInfo> items;
  for (int i = 0; i < 7; ++i) items.push_back({"k" + std::to_string(i), 10, "", ""});
  std::vector<BatchRecord> b = by_items.Cut(items);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].items.size(), 3u);
  EXPECT_EQ(b[2].items.size(), 1u);

  Batcher by_bytes(100, 25);
  items[3].size = 100;  // larger than the limit: travels alone
  b = by_bytes.Cut(items);
  std::vector<size_t> sizes;
  for (const BatchRecord& r : b) sizes.push_back(r.items.size());
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 1, 1, 2, 1}));
}

}  // namespace
}  // namespace imagemill

namespace imagemill {
namespace {

TEST(ToleranceTest, PercentageWaitsForTheTotalButZeroAndCountsDoNot) {
  Tolerance five(5.0, std::nullopt);
  EXPECT_FALSE(five.Exceeded(60, 1000, /*total_is_final=*/false));
  EXPECT_TRUE(five.Exceeded(60, 1000, true));
  EXPECT_FALSE(five.Exceeded(50, 1000, true));  // exactly 5 % is tolerated
  EXPECT_TRUE(Tolerance(0.0, std::nullopt).Exceeded(1, 1000000, false));
  EXPECT_TRUE(Tolerance(std::nullopt, 3).Exceeded(4, 1000000, false));
  EXPECT_FALSE(Tolerance(std::nullopt, 3).Exceeded(3, 10, true));
  EXPECT_TRUE(Tolerance(std::nullopt, std::nullopt).Exceeded(1, 10, false));
  EXPECT_FALSE(Tolerance(std::nullopt, std::nullopt).Exceeded(0, 10, true));
}

}  // namespace
}  // namespace imagemill
