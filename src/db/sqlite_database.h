// SqliteDatabase: the StateStore and ResultsTable in one SQLite file (WAL mode), the embedded
// default. Several processes on one machine may share the file; each claims batches under its
// own lease.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "db/sqlite.h"
#include "db/state_store.h"

namespace imagemill {

class SqliteDatabase final : public StateStore, public ResultsTable {
 public:
  // Opens or creates the database at `path` and its schema. Throws sqlite::DatabaseError.
  explicit SqliteDatabase(const std::string& path);

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

 private:
  void CreateSchema();
  ExecutionRecord ReadExecution(sqlite::Statement& st);
  void InsertBatches(std::string_view name, const std::vector<BatchRecord>& batches);

  std::mutex mu_;
  sqlite::Connection conn_;  // guarded by mu_
  sqlite::WalCheckpointer checkpointer_;  // copies the WAL into the database off mu_
};

// The items of a batch as stored: per item its key, size, ETag and LastModified, each string as
// "<length>:<bytes>" and the size as "<decimal>:". Any bytes round-trip (a key that is not UTF-8
// too), and reading it back costs a scan, not a JSON parse. Decode throws DatabaseError on text
// that is not such a list.
std::string EncodeBatchItems(const std::vector<ObjectInfo>& items);
std::vector<ObjectInfo> DecodeBatchItems(std::string_view text);

// The succeeded outcomes of a finished batch as stored: per item what EncodeBatchItems writes,
// then its start and stop times (Unix ms) and attempts as "<decimal>:". Outcomes that did not
// succeed are left out. Decode throws DatabaseError on text that is not such a list.
std::string EncodeSucceeded(const std::vector<ItemOutcome>& outcomes);
std::vector<ItemOutcome> DecodeSucceeded(std::string_view text);

}  // namespace imagemill
