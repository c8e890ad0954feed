// PostgresDatabase: the StateStore and ResultsTable in a PostgreSQL database, shared by
// imagemill processes on many machines.
//
// The queue is the `batches` table, holding only batches not yet done. A claim is one short
// transaction (FOR UPDATE SKIP LOCKED, several batches at once); no transaction stays open while
// items are processed. A lease's fencing token is its owner and the batch's attempt number: the
// completing transaction deletes the batch from the queue only where both still match, writes
// its results and its DONE mark (`batches_done`, keyed by the batch) and commits them together,
// so a worker that stalled past its lease never commits over the batch's next owner; such a
// refused completion is counted (StaleCompletions). Each call is one transaction, run again by
// pg::Connection after a transient failure (see postgres_connection.h).
//
// Keys, ids and execution names are PostgreSQL text: valid UTF-8 without NUL bytes (every S3
// key is). Leases are compared with times the callers pass, so machines sharing a database need
// clocks in step (NTP) to within a small part of the lease.
//
// Thread-safe: one connection per process, calls serialised by a mutex.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "db/postgres_connection.h"
#include "db/state_store.h"

namespace imagemill {

class PostgresDatabase final : public StateStore, public ResultsTable {
 public:
  // Connects to `uri` (postgresql://..., or "" for the PG* variables) and creates or migrates the
  // schema. Throws pg::Error. `clock` (backoff) must outlive the database.
  explicit PostgresDatabase(const std::string& uri, Clock& clock = Clock::Real(),
                            pg::RetryOptions retry = {});
  ~PostgresDatabase() override;

  ExecutionRecord CreateOrGetExecution(const ExecutionRecord& proposed, bool* created) override;
  std::optional<ExecutionRecord> GetExecution(std::string_view name) override;
  std::vector<ExecutionRecord> ListExecutions(int limit) override;
  std::optional<ExecutionRecord> FindUnfinished(const nlohmann::json& spec) override;
  void FinishExecution(std::string_view name, ExecutionStatus status, std::string_view error,
                       std::string_view cause, int64_t stop_ms) override;
  void SetManifest(std::string_view name, std::string_view manifest) override;
  bool AppendListing(std::string_view name, std::string_view expected_cursor,
                     const ListingStep& step) override;
  std::vector<BatchRecord> ClaimBatches(std::string_view name, std::string_view owner, int max,
                                        int64_t lease_until_ms) override;
  void RenewLeases(std::string_view name, std::string_view owner, int64_t lease_until_ms) override;
  void ReleaseBatches(std::string_view name, std::string_view owner,
                      const std::vector<int64_t>& seqs) override;
  int64_t RecoverOrphans(std::string_view name, int64_t now_ms,
                         const std::function<bool(const std::string&)>& owner_is_dead) override;
  std::vector<int64_t> CompleteBatches(std::string_view name, std::string_view owner,
                                       std::string_view bucket, std::string_view processor,
                                       const std::vector<FinishedBatch>& batches) override;
  ItemCounts CountItems(std::string_view name) override;
  void ForEachOutcome(std::string_view name, ItemStatus status,
                      const std::function<void(const ItemOutcome&)>& fn) override;
  void ForEachPendingItem(std::string_view name,
                          const std::function<void(const ObjectInfo&)>& fn) override;
  int64_t PrepareRedrive(std::string_view name, const BatchCutter& cut) override;

  std::optional<StoredResult> GetResult(std::string_view id) override;
  std::vector<LabelHit> QueryLabel(std::string_view label, double min_confidence,
                                   int limit) override;
  void ForEachResult(std::string_view execution, int limit,
                     const std::function<void(const StoredResult&)>& fn) override;
  std::vector<std::pair<std::string, int64_t>> LabelCounts(std::string_view execution,
                                                           int limit) override;
  bool Empty() override;
  std::vector<bool> Unchanged(const std::vector<ObjectInfo>& items,
                              std::string_view processor) override;

  // Completions of `name`'s batches refused because another claim had taken them over.
  int64_t StaleCompletions(std::string_view name);
  // "postgresql://user@host:port/db".
  const std::string& target() const { return conn_.target(); }
  // The server process of this database's connection (tests terminate it).
  int BackendPid();

 private:
  std::mutex mu_;
  pg::Connection conn_;  // guarded by mu_
};

}  // namespace imagemill
