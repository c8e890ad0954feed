// StateStore: the durable side of a map run — executions, their batches (claimed under leases)
// and each item's outcome. Implemented by every database backend (database.h); the contract is
// checked by one conformance suite over all of them (tests/support/state_store_conformance.h).
//
// Contract for implementations:
// - Thread-safe; every method is atomic. Several processes (on one machine for SQLite, on many
//   for PostgreSQL) may share one database: everything here stays right when they do.
// - A batch is held by at most one claim at a time. A claim's identity is (owner, attempt); a
//   completion, renewal or release carrying another identity changes nothing (fencing).
// - Completing a batch writes its answers into the ResultsTable, its items' outcomes and, with its
//   last part, its DONE mark, in one transaction: processing is at least once, results exactly
//   once.
// - Failures of the database itself throw DatabaseError (database_error.h): they end the run,
//   which stays resumable; they are never an item's error.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "workflow/records.h"

namespace imagemill {

// What ListExecutions returns: newest first.
struct ExecutionFilter {
  std::optional<ExecutionStatus> status;
  int limit = 100;
  // Pagination: only executions strictly after this one in the order (start_ms desc, name).
  std::optional<std::pair<int64_t, std::string>> after;
};

// A change of an execution's status, made only if it is in the expected status (compare and set).
struct ExecutionUpdate {
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::string error;
  std::string cause;
  int64_t stop_ms = 0;  // 0 while running
  std::optional<std::string> manifest;  // set when given
  // Replaces the stored spec when given (UpdateMapRun: its "mapRunUpdates").
  std::optional<nlohmann::json> spec;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Creates `proposed` unless an execution with its name exists; returns the stored one.
  // `*created` tells which happened.
  virtual ExecutionRecord CreateOrGetExecution(const ExecutionRecord& proposed, bool* created) = 0;
  virtual std::optional<ExecutionRecord> GetExecution(std::string_view name) = 0;
  virtual std::vector<ExecutionRecord> ListExecutions(const ExecutionFilter& filter) = 0;
  // The newest RUNNING or ABORTED execution whose spec equals `spec` but for the limits
  // UpdateMapRun changed (SpecIdentity, workflow/execution_spec.h), if any.
  virtual std::optional<ExecutionRecord> FindUnfinished(const nlohmann::json& spec) = 0;
  // Applies `update` if the execution's status is `from`; false (changing nothing) otherwise.
  virtual bool UpdateExecution(std::string_view name, ExecutionStatus from,
                               const ExecutionUpdate& update) = 0;

  // Appends a listed page's batches (numbered after the existing ones; `answered` ones done at
  // once, their items succeeded with their stored answers) and moves the cursor, if the cursor
  // still is `expected_cursor` and listing is not done; false (changing nothing) when another
  // lister got there first.
  virtual bool AppendListing(std::string_view name, std::string_view expected_cursor,
                             const ListingStep& step) = 0;

  // Claims up to `max` batches for `owner` until `lease_until_ms`, lowest seq first, among the
  // PENDING ones and the RUNNING ones of other owners whose lease expired before `now_ms` (their
  // owner died or stalled: the claim takes them over, and the grown attempt fences the old owner
  // off). Since batches are claimed in seq order, a batch whose lease ran out comes before every
  // batch never claimed: the next claim of any process takes it over, however much work is left.
  // Each comes with the items that have no outcome yet.
  virtual std::vector<BatchRecord> ClaimBatches(std::string_view name, std::string_view owner,
                                                int max, int64_t now_ms,
                                                int64_t lease_until_ms) = 0;
  // Extends the leases `owner` holds on its RUNNING batches; returns how many it holds.
  virtual int64_t RenewLeases(std::string_view name, std::string_view owner,
                              int64_t lease_until_ms) = 0;
  // Gives `owner`'s claims in `claims` (seq, attempt) back: PENDING again.
  virtual void ReleaseBatches(std::string_view name, std::string_view owner,
                              const std::vector<std::pair<int64_t, int>>& claims) = 0;
  // RUNNING batches whose lease expired before `now_ms`, or whose owner `owner_is_dead` says has
  // died, go back to PENDING. Returns how many. (A claim takes over expired leases by itself;
  // this is for owners known dead before their lease ends, and a process's own lost claims.)
  virtual int64_t RecoverOrphans(std::string_view name, int64_t now_ms,
                                 const std::function<bool(const std::string&)>& owner_is_dead) = 0;

  // For each batch part, in one transaction: upserts its answers (and their index entries) into
  // `target`, records every item's outcome, and, for a batch's last part, marks it DONE. Parts
  // whose claim (owner, attempt) no longer holds the batch are left alone; returns the seqs whose
  // parts were written.
  virtual std::vector<int64_t> CompleteBatches(std::string_view name, std::string_view owner,
                                               const AnswerTarget& target,
                                               const std::vector<FinishedBatch>& batches) = 0;

  virtual ItemCounts CountItems(std::string_view name) = 0;
  // FAILED or SKIPPED outcomes, in key order.
  virtual void ForEachOutcome(std::string_view name, ItemStatus status,
                              const std::function<void(const ItemOutcome&)>& fn) = 0;
  // FAILED or SKIPPED outcomes counted by error code, most frequent first.
  virtual std::vector<std::pair<std::string, int64_t>> CountErrors(std::string_view name,
                                                                   ItemStatus status) = 0;
  // Every batch in seq order with every item: what the result writer writes. Succeeded items
  // carry their answer as stored under `target` now.
  virtual void ForEachBatch(std::string_view name, const AnswerTarget& target,
                            const std::function<void(const BatchReport&)>& fn) = 0;

  // Redrive: FAILED items become new PENDING batches (as `cut` groups them), their outcomes are
  // forgotten, the spec becomes `spec` (a redrive may change the tolerance), the execution is
  // RUNNING again and its redrive count grows. Returns the number of items to run again.
  virtual int64_t PrepareRedrive(std::string_view name, const BatchCutter& cut,
                                 const nlohmann::json& spec) = 0;
};

}  // namespace imagemill
