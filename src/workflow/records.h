// The records of a map run: what the engine reads from and writes to the database (src/db/),
// whatever backend holds them. Plain values; no behaviour beyond naming and JSON forms.
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
  int64_t unchanged = 0;  // of those, answered from a stored result with the same ETag
  std::string manifest;   // where the result writer put manifest.json, if anywhere
};

// A batch as claimed: the items still to do (a batch whose first owner committed some of its
// items before losing it comes back without them) and the claim's fencing token, `attempt`.
struct BatchRecord {
  int64_t seq = 0;
  std::vector<ObjectInfo> items;
  uint64_t bytes = 0;
  int attempt = 0;  // claims so far, this one included: with the owner, the claim's identity
};

enum class ItemStatus { kSucceeded, kFailed, kSkipped, kPending };
std::string_view ItemStatusName(ItemStatus s);  // "SUCCEEDED", "FAILED", "SKIPPED", "PENDING"

// One entry of the label index: a name a query can find the answer by (a detected label, or one
// of its parents), with its confidence.
struct IndexEntry {
  std::string name;
  double confidence = 0;
  bool direct = true;  // false: a parent of a detected label
};

struct ItemOutcome {
  ObjectInfo item;
  ItemStatus status = ItemStatus::kSucceeded;
  std::string error;  // FAILED/SKIPPED: a code name ("Corrupt", "NotAnImage", ...)
  std::string cause;  // FAILED/SKIPPED: the message, naming the object
  int64_t start_ms = 0;
  int64_t stop_ms = 0;
  int attempts = 1;          // tries; 0 for an item answered from its stored result
  // SUCCEEDED: the answer, serialised JSON; empty for an answer that is the item's listing
  // entry, which results tables build when read (workflow/listing_answer.h).
  std::string response;
  std::vector<IndexEntry> index;  // SUCCEEDED: the answer's index entries
};

// Outcomes of one claimed batch, written by its owner. `last`: every item of the batch has its
// outcome here or in an earlier part, and the batch is done; otherwise a part committed early
// (the batch stays claimed, and a later claim gets only the items without an outcome).
struct FinishedBatch {
  int64_t seq = 0;
  int attempt = 0;  // the claim's fencing token (BatchRecord::attempt)
  bool last = true;
  std::vector<ItemOutcome> outcomes;
};

// Where a finished batch's answers go in the results table.
struct AnswerTarget {
  std::string source;     // the store's URI (s3://bucket, /srv/photos)
  std::string kind;       // Processor::Kind(): "labels", "faces", "text", "inventory"
  std::string processor;  // Processor::Name(): what made the answers, with its settings
};

// Groups items, in order, into batches (the map run's ItemBatcher rule).
using BatchCutter = std::function<std::vector<BatchRecord>(std::vector<ObjectInfo>)>;

// DescribeMapRun's itemCounts, plus what imagemill adds: skipped (objects that are not images it
// can label) and unchanged (succeeded items answered from a stored result with the same ETag,
// counted in succeeded too). total = pending + running + succeeded + failed + skipped.
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
  int64_t unchanged = 0;
  nlohmann::json ToJson() const;
};

// What one listed page adds to an execution, saved atomically.
struct ListingStep {
  std::vector<BatchRecord> batches;   // items to run
  std::vector<BatchRecord> answered;  // items unchanged since their stored answer: done at once
  std::string cursor;
  bool done = false;
  int64_t listed = 0;  // items this step listed
  int64_t answered_at_ms = 0;  // the time recorded for the answered items
};

// One batch as the result writer reports it: a child execution of the map run.
enum class BatchState { kPending, kRunning, kDone };
struct BatchReport {
  int64_t seq = 0;
  BatchState state = BatchState::kPending;
  int attempts = 0;
  // Every item of the batch, in key order: with its outcome where it has one (a succeeded item
  // with its answer), kPending where not.
  std::vector<ItemOutcome> items;
};

// A stored answer: one per (source, id, kind).
struct StoredResult {
  std::string source;  // the store's URI
  std::string id;      // the object's key, the seed's DynamoDB `id`
  std::string kind;
  std::string etag;
  uint64_t size = 0;
  std::string processor;
  std::string execution;
  std::string updated_at;
  nlohmann::json response;
  nlohmann::json ToJson() const;
};

struct LabelHit {
  std::string source;
  std::string id;
  std::string kind;
  std::string label;
  double confidence = 0;
};

// Answers of one processor under a source and prefix: what a run with another processor would
// replace (ResultsTable::AnswersUnder).
struct AnswerSet {
  std::string processor;
  int64_t count = 0;
};

}  // namespace imagemill
