// PostgresDatabase: the StateStore and ResultsTable in a PostgreSQL database, shared by
// imagemill processes on many machines. Opened through OpenDatabase (database.h).
//
// The queue is the `batches` table, holding only batches not yet done. A claim is one statement
// (FOR UPDATE SKIP LOCKED, several batches at once); no transaction stays open while items are
// processed. A lease's fencing token is its owner and the batch's attempt number: the
// completing call (the server-side function imagemill_complete, one round trip) writes a part
// only where both still match, and its results, outcomes and — for a batch's last part — DONE
// mark commit together, so a worker that stalled past its lease never commits over the batch's
// next owner; such a refused completion is counted (StaleCompletions). Being one statement, it
// holds no lock while waiting for its process, which may stall at any moment. Every call is retried by
// pg::Connection after a transient failure (see postgres_connection.h) and is safe to retry.
//
// Keys, ids and execution names are PostgreSQL text: valid UTF-8 without NUL bytes (every S3
// key is). Leases are compared with times the callers pass, so machines sharing a database need
// clocks in step (NTP) to within a small part of the lease.
//
// Thread-safe. A process uses two connections: one for completions and listing (the writer's and
// the lister's threads), one for the rest (claims, leases, reads), so a claim never waits behind
// a commit. The second is made on first use.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "db/database.h"
#include "db/postgres_connection.h"

namespace imagemill {

class PostgresDatabase final : public Database {
 public:
  // Connects to `uri` (postgresql://..., or "postgresql://" alone for the PG* variables) and
  // creates or migrates the schema. Throws pg::Error. `clock` (backoff) must outlive the database.
  explicit PostgresDatabase(const std::string& uri, Clock& clock = Clock::Real(),
                            pg::RetryOptions retry = {});
  ~PostgresDatabase() override;

  // Whether the database at `uri` holds imagemill's schema (any version), looked at without
  // changing anything. Throws pg::Error.
  static bool HasSchema(const std::string& uri, pg::RetryOptions retry = {});

  // The URI as given, without its password (pasteable with the same PG* variables).
  std::string Describe() const override { return pg::WithoutPassword(uri_); }
  // The URI as given, with its password: for more connections to the same database (the event
  // rules), never for messages. And the retry options the database was opened with.
  const std::string& ConnectionUri() const { return uri_; }
  const pg::RetryOptions& retry() const { return retry_; }

  // StateStore (postgres_database.cc, postgres_batches.cc)
  ExecutionRecord CreateOrGetExecution(const ExecutionRecord& proposed, bool* created) override;
  std::optional<ExecutionRecord> GetExecution(std::string_view name) override;
  std::vector<ExecutionRecord> ListExecutions(const ExecutionFilter& filter) override;
  std::optional<ExecutionRecord> FindUnfinished(const nlohmann::json& spec) override;
  bool UpdateExecution(std::string_view name, ExecutionStatus from,
                       const ExecutionUpdate& update) override;
  bool AppendListing(std::string_view name, std::string_view expected_cursor,
                     const ListingStep& step) override;
  std::vector<BatchRecord> ClaimBatches(std::string_view name, std::string_view owner, int max,
                                        int64_t now_ms, int64_t lease_until_ms) override;
  int64_t RenewLeases(std::string_view name, std::string_view owner,
                      int64_t lease_until_ms) override;
  void ReleaseBatches(std::string_view name, std::string_view owner,
                      const std::vector<std::pair<int64_t, int>>& claims) override;
  int64_t RecoverOrphans(std::string_view name, int64_t now_ms,
                         const std::function<bool(const std::string&)>& owner_is_dead) override;
  std::vector<int64_t> CompleteBatches(std::string_view name, std::string_view owner,
                                       const AnswerTarget& target,
                                       const std::vector<FinishedBatch>& batches) override;
  ItemCounts CountItems(std::string_view name) override;
  void ForEachOutcome(std::string_view name, ItemStatus status,
                      const std::function<void(const ItemOutcome&)>& fn) override;
  std::vector<std::pair<std::string, int64_t>> CountErrors(std::string_view name,
                                                           ItemStatus status) override;
  void ForEachBatch(std::string_view name, const AnswerTarget& target,
                    const std::function<void(const BatchReport&)>& fn) override;
  int64_t PrepareRedrive(std::string_view name, const BatchCutter& cut,
                         const nlohmann::json& spec) override;

  // ResultsTable (postgres_results.cc)
  std::optional<StoredResult> GetResult(std::string_view source, std::string_view id,
                                        std::string_view kind) override;
  std::vector<StoredResult> FindResults(std::string_view id) override;
  std::vector<LabelHit> QueryLabel(const LabelQuery& query) override;
  void ForEachResult(const ResultFilter& filter,
                     const std::function<void(const StoredResult&)>& fn) override;
  int64_t CountResults(const ResultFilter& filter) override;
  std::vector<std::pair<std::string, int64_t>> LabelCounts(std::string_view execution,
                                                           int limit) override;
  std::vector<BrowseEntry> BrowseResults(const BrowseQuery& query) override;
  std::vector<std::pair<std::string, int64_t>> LabelFacets(std::string_view source,
                                                           std::string_view kind,
                                                           int limit) override;
  std::vector<bool> Unchanged(const AnswerTarget& target,
                              const std::vector<ObjectInfo>& items) override;
  std::vector<AnswerSet> AnswersUnder(std::string_view source, std::string_view kind,
                                      std::string_view prefix) override;

  // Completions of `name`'s batches refused because another claim had taken them over.
  int64_t StaleCompletions(std::string_view name);
  // The server processes of this database's connections (tests terminate them); 0 for one not
  // connected.
  int BackendPid();

 private:
  // One connection and the mutex that serialises its users.
  struct Line {
    std::mutex mu;
    std::unique_ptr<pg::Connection> conn;  // guarded by mu; made on first use for reads_
  };
  // The line for claims, leases and reads, connected if it was not.
  pg::Connection& Reads(std::unique_lock<std::mutex>& lock);

  const std::string uri_;
  Clock& clock_;
  const pg::RetryOptions retry_;
  Line writes_;  // completions, listing, execution changes
  Line reads_;   // the rest
};

}  // namespace imagemill
