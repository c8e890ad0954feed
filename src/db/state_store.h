// StateStore and ResultsTable: the durable side of a map run.
//
// StateStore holds executions, their batches (claimed under leases) and each item's outcome.
// ResultsTable holds one row per image, keyed by `id` (the object key, as the seed's DynamoDB
// table), and a label index. One database implements both, because a finished batch's results,
// its item outcomes and its DONE mark commit in one transaction: processing is at least once,
// results are exactly once.
//
// Contract for implementations: thread-safe; every method is atomic; failures of the database
// itself throw sqlite::DatabaseError or an equivalent (they abort the run, they are not per-item).
// SQLite (sqlite_database.h) serves the processes of one machine; PostgreSQL implements the same
// interface for many machines (lease-based claiming with SKIP LOCKED).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "objectstore/object_store.h"

namespace imagemill {

enum class ExecutionStatus { kRunning, kSucceeded, kFailed, kAborted };
std::string_view ExecutionStatusName(ExecutionStatus s);  // "RUNNING", "SUCCEEDED", ...
std::optional<ExecutionStatus> ParseExecutionStatus(std::string_view s);

struct ExecutionRecord {
  std::string name;
  std::string map_run_id;
  ExecutionStatus status = ExecutionStatus::kRunning;
  nlohmann::json spec;  // the ExecutionSpec as JSON: what the execution was asked to do
  int64_t start_ms = 0;
  int64_t stop_ms = 0;  // 0 while running
  std::string error;    // "States.ExceedToleratedFailureThreshold", ...
  std::string cause;
  int redrive_count = 0;
  // Listing progress, saved with the batches it produced.
  std::string cursor;  // the last key batched
  bool listing_done = false;
  int64_t listed = 0;     // items listed into the map run so far
  int64_t unchanged = 0;  // of those, skipped because their ETag already has a result
  std::string manifest;   // where the result writer put manifest.json, if anywhere
};

struct BatchRecord {
  int64_t seq = 0;
  std::vector<ObjectInfo> items;
  uint64_t bytes = 0;
  int attempts = 0;  // claims so far, this one included
};

enum class ItemStatus { kSucceeded, kFailed, kSkipped };
std::string_view ItemStatusName(ItemStatus s);  // "SUCCEEDED", "FAILED", "SKIPPED"

// One entry of the label index: a detected label (direct) or one of its parents.
struct LabelEntry {
  std::string name;
  double confidence = 0;
  bool direct = true;
};

struct ItemOutcome {
  ObjectInfo item;
  ItemStatus status = ItemStatus::kSucceeded;
  std::string error;  // FAILED/SKIPPED: a code name ("Corrupt", "NotAnImage", ...)
  std::string cause;  // FAILED/SKIPPED: the message, naming the object
  int64_t start_ms = 0;
  int64_t stop_ms = 0;
  int attempts = 1;
  std::string response;  // SUCCEEDED: the DetectLabels-shaped answer, serialised JSON
  std::vector<LabelEntry> labels;  // SUCCEEDED: the label index entries
};

struct FinishedBatch {
  int64_t seq = 0;
  std::vector<ItemOutcome> outcomes;
};

// Groups items, in order, into batches (the map run's ItemBatcher rule).
using BatchCutter = std::function<std::vector<BatchRecord>(std::vector<ObjectInfo>)>;

// DescribeMapRun's itemCounts, plus skipped (not images, or unchanged since their last result).
struct ItemCounts {
  int64_t pending = 0;
  int64_t running = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t timed_out = 0;
  int64_t aborted = 0;
  int64_t total = 0;
  int64_t results_written = 0;
  int64_t skipped = 0;
  nlohmann::json ToJson() const;
};

// What one listed page adds to an execution, saved atomically.
struct ListingStep {
  std::vector<BatchRecord> batches;
  std::string cursor;
  bool done = false;
  int64_t listed = 0;     // items this step listed
  int64_t unchanged = 0;  // of those, skipped as unchanged
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Creates `proposed` unless an execution with its name exists; returns the stored one.
  // `*created` tells which happened.
  virtual ExecutionRecord CreateOrGetExecution(const ExecutionRecord& proposed, bool* created) = 0;
  virtual std::optional<ExecutionRecord> GetExecution(std::string_view name) = 0;
  // Newest first.
  virtual std::vector<ExecutionRecord> ListExecutions(int limit) = 0;
  // The newest RUNNING or ABORTED execution whose spec equals `spec`, if any.
  virtual std::optional<ExecutionRecord> FindUnfinished(const nlohmann::json& spec) = 0;
  virtual void FinishExecution(std::string_view name, ExecutionStatus status,
                               std::string_view error, std::string_view cause, int64_t stop_ms) = 0;
  virtual void SetManifest(std::string_view name, std::string_view manifest) = 0;

  // Appends a listed page's batches (numbered after the existing ones) and moves the cursor,
  // if the cursor still is `expected_cursor` and listing is not done; false (changing nothing)
  // when another lister got there first.
  virtual bool AppendListing(std::string_view name, std::string_view expected_cursor,
                             const ListingStep& step) = 0;

  // Claims up to `max` PENDING batches, lowest seq first, for `owner` until `lease_until_ms`.
  virtual std::vector<BatchRecord> ClaimBatches(std::string_view name, std::string_view owner,
                                                int max, int64_t lease_until_ms) = 0;
  // Extends the leases `owner` holds on its RUNNING batches.
  virtual void RenewLeases(std::string_view name, std::string_view owner,
                           int64_t lease_until_ms) = 0;
  // Gives `owner`'s RUNNING batches in `seqs` back (PENDING).
  virtual void ReleaseBatches(std::string_view name, std::string_view owner,
                              const std::vector<int64_t>& seqs) = 0;
  // RUNNING batches whose lease expired before `now_ms`, or whose owner `owner_is_dead` says has
  // died, go back to PENDING. Returns how many.
  virtual int64_t RecoverOrphans(std::string_view name, int64_t now_ms,
                                 const std::function<bool(const std::string&)>& owner_is_dead) = 0;

  // For each finished batch, in one transaction: upserts its results (and label index) by id,
  // records every item's outcome, and marks the batch DONE. Batches `owner` no longer holds
  // (its lease was lost) are left alone; returns the seqs actually completed.
  virtual std::vector<int64_t> CompleteBatches(std::string_view name, std::string_view owner,
                                               std::string_view bucket,
                                               std::string_view processor,
                                               const std::vector<FinishedBatch>& batches) = 0;

  virtual ItemCounts CountItems(std::string_view name) = 0;

  // Every outcome with `status`. FAILED and SKIPPED come in key order; SUCCEEDED in the order
  // they were batched (key order within one listing; a redrive's batches after the first run's),
  // each with its response.
  virtual void ForEachOutcome(std::string_view name, ItemStatus status,
                              const std::function<void(const ItemOutcome&)>& fn) = 0;
  // Every item of a batch not DONE, in key order.
  virtual void ForEachPendingItem(std::string_view name,
                                  const std::function<void(const ObjectInfo&)>& fn) = 0;

  // Redrive: FAILED items become new PENDING batches (as `cut` groups them),
  // their outcomes are forgotten, the execution is RUNNING again and its redrive count grows.
  // Returns the number of items to run again.
  virtual int64_t PrepareRedrive(std::string_view name, const BatchCutter& cut) = 0;
};

struct StoredResult {
  std::string id;
  std::string bucket;
  std::string key;
  std::string etag;
  uint64_t size = 0;
  std::string processor;
  std::string execution;
  std::string updated_at;
  nlohmann::json response;
  nlohmann::json ToJson() const;
};

struct LabelHit {
  std::string id;
  std::string label;
  double confidence = 0;
};

class ResultsTable {
 public:
  virtual ~ResultsTable() = default;
  virtual std::optional<StoredResult> GetResult(std::string_view id) = 0;
  // Images carrying `label` (exact name, case-insensitive) at >= min_confidence, most confident
  // first.
  virtual std::vector<LabelHit> QueryLabel(std::string_view label, double min_confidence,
                                           int limit) = 0;
  // Every stored result, in id order; only those `execution` wrote when it is not empty.
  virtual void ForEachResult(std::string_view execution, int limit,
                             const std::function<void(const StoredResult&)>& fn) = 0;
  // The labels (not parents) found most often in the results `execution` wrote, with counts.
  virtual std::vector<std::pair<std::string, int64_t>> LabelCounts(std::string_view execution,
                                                                   int limit) = 0;
  // True when no result is stored at all.
  virtual bool Empty() = 0;
  // For each item: does a result with the same id, ETag and processor already exist?
  virtual std::vector<bool> Unchanged(const std::vector<ObjectInfo>& items,
                                      std::string_view processor) = 0;
};

}  // namespace imagemill
