// MemoryDatabase: the StateStore and ResultsTable in this process's memory (`--db mem:`). The fake
// every engine test can use, held to the same conformance suite as the real backends; it keeps
// nothing after the process ends.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "db/database.h"

namespace imagemill {

class MemoryDatabase final : public Database {
 public:
  std::string Describe() const override { return "mem:"; }

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
  enum class State { kPending, kRunning, kDone };
  struct Batch {
    State state = State::kPending;
    std::vector<ObjectInfo> items;  // every item, as listed
    uint64_t bytes = 0;
    std::string owner;
    int64_t lease_until_ms = 0;
    int attempts = 0;
    std::vector<ItemOutcome> succeeded;  // outcomes committed so far
  };
  struct Execution {
    ExecutionRecord record;
    std::map<int64_t, Batch> batches;
    std::map<std::string, std::pair<int64_t, ItemOutcome>> others;  // failed, skipped: key → batch
  };
  struct Row {
    StoredResult result;
    std::string response_text;
    std::vector<IndexEntry> index;
  };
  using RowKey = std::tuple<std::string, std::string, std::string>;  // source, id, kind

  Execution* Find(std::string_view name);          // REQUIRES: mu_ held
  bool HasOutcome(const Execution& e, int64_t seq, const std::string& key) const;
  void AddBatches(Execution& e, const std::vector<BatchRecord>& batches);
  static bool Matches(const Row& row, const ResultFilter& f);

  std::mutex mu_;
  std::map<std::string, Execution, std::less<>> executions_;  // guarded by mu_
  std::map<RowKey, Row> results_;                             // guarded by mu_
};

}  // namespace imagemill
