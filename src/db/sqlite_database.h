// SqliteDatabase: the StateStore and ResultsTable in one SQLite file (WAL mode), the embedded
// default. Several processes on one machine may share the file; each claims batches under its
// own lease. Opened through OpenDatabase (database.h); nothing outside src/db/ names this class.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "db/database.h"
#include "db/sqlite.h"

namespace imagemill {

class SqliteDatabase final : public Database {
 public:
  // Opens or creates the database at `path` and brings its schema to the current version.
  // Throws DatabaseError.
  explicit SqliteDatabase(const std::string& path);

  std::string Describe() const override { return "sqlite:" + conn_.path(); }

  // StateStore (sqlite_database.cc)
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

  // ResultsTable (sqlite_results.cc)
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

 private:
  ExecutionRecord ReadExecution(sqlite::Statement& st);
  void InsertBatches(std::string_view name, const std::vector<BatchRecord>& batches,
                     const ListingStep* answered);
  // The id of `uri` in `sources`; 0 when it has none and `create` is false. REQUIRES: mu_ held.
  int64_t SourceId(std::string_view uri, bool create);
  // The keys of `seq`'s items that already have an outcome. REQUIRES: mu_ held.
  std::vector<ItemOutcome> DoneItems(std::string_view name, int64_t seq, const AnswerTarget* target);

  std::mutex mu_;
  sqlite::Connection conn_;  // guarded by mu_
  sqlite::WalCheckpointer checkpointer_;  // copies the WAL into the database off mu_
  std::unordered_map<std::string, int64_t> source_ids_;  // guarded by mu_
};

}  // namespace imagemill
