// ForwardingDatabase: a Database that passes every call to another one (LevelDB's EnvWrapper idea).
// A test overrides the calls it wants to slow down, count or fail.
#pragma once

#include "db/database.h"

namespace imagemill::testing {

class ForwardingDatabase : public Database {
 public:
  explicit ForwardingDatabase(Database& target) : target_(target) {}

  std::string Describe() const override { return target_.Describe(); }
  ExecutionRecord CreateOrGetExecution(const ExecutionRecord& proposed, bool* created) override {
    return target_.CreateOrGetExecution(proposed, created);
  }
  std::optional<ExecutionRecord> GetExecution(std::string_view name) override {
    return target_.GetExecution(name);
  }
  std::vector<ExecutionRecord> ListExecutions(const ExecutionFilter& filter) override {
    return target_.ListExecutions(filter);
  }
  std::optional<ExecutionRecord> FindUnfinished(const nlohmann::json& spec) override {
    return target_.FindUnfinished(spec);
  }
  bool UpdateExecution(std::string_view name, ExecutionStatus from,
                       const ExecutionUpdate& update) override {
    return target_.UpdateExecution(name, from, update);
  }
  bool AppendListing(std::string_view name, std::string_view expected_cursor,
                     const ListingStep& step) override {
    return target_.AppendListing(name, expected_cursor, step);
  }
  std::vector<BatchRecord> ClaimBatches(std::string_view name, std::string_view owner, int max,
                                        int64_t now_ms, int64_t lease_until_ms) override {
    return target_.ClaimBatches(name, owner, max, now_ms, lease_until_ms);
  }
  int64_t RenewLeases(std::string_view name, std::string_view owner,
                      int64_t lease_until_ms) override {
    return target_.RenewLeases(name, owner, lease_until_ms);
  }
  void ReleaseBatches(std::string_view name, std::string_view owner,
                      const std::vector<std::pair<int64_t, int>>& claims) override {
    target_.ReleaseBatches(name, owner, claims);
  }
  int64_t RecoverOrphans(std::string_view name, int64_t now_ms,
                         const std::function<bool(const std::string&)>& owner_is_dead) override {
    return target_.RecoverOrphans(name, now_ms, owner_is_dead);
  }
  std::vector<int64_t> CompleteBatches(std::string_view name, std::string_view owner,
                                       const AnswerTarget& target,
                                       const std::vector<FinishedBatch>& batches) override {
    return target_.CompleteBatches(name, owner, target, batches);
  }
  ItemCounts CountItems(std::string_view name) override { return target_.CountItems(name); }
  void ForEachOutcome(std::string_view name, ItemStatus status,
                      const std::function<void(const ItemOutcome&)>& fn) override {
    target_.ForEachOutcome(name, status, fn);
  }
  std::vector<std::pair<std::string, int64_t>> CountErrors(std::string_view name,
                                                           ItemStatus status) override {
    return target_.CountErrors(name, status);
  }
  void ForEachBatch(std::string_view name, const AnswerTarget& target,
                    const std::function<void(const BatchReport&)>& fn) override {
    target_.ForEachBatch(name, target, fn);
  }
  int64_t PrepareRedrive(std::string_view name, const BatchCutter& cut,
                         const nlohmann::json& spec) override {
    return target_.PrepareRedrive(name, cut, spec);
  }
  std::optional<StoredResult> GetResult(std::string_view source, std::string_view id,
                                        std::string_view kind) override {
    return target_.GetResult(source, id, kind);
  }
  std::vector<StoredResult> FindResults(std::string_view id) override {
    return target_.FindResults(id);
  }
  std::vector<LabelHit> QueryLabel(const LabelQuery& query) override {
    return target_.QueryLabel(query);
  }
  void ForEachResult(const ResultFilter& filter,
                     const std::function<void(const StoredResult&)>& fn) override {
    target_.ForEachResult(filter, fn);
  }
  int64_t CountResults(const ResultFilter& filter) override { return target_.CountResults(filter); }
  std::vector<BrowseEntry> BrowseResults(const BrowseQuery& query) override {
    return target_.BrowseResults(query);
  }
  std::vector<std::pair<std::string, int64_t>> LabelFacets(std::string_view source,
                                                           std::string_view kind,
                                                           int limit) override {
    return target_.LabelFacets(source, kind, limit);
  }
  std::vector<std::pair<std::string, int64_t>> LabelCounts(std::string_view execution,
                                                           int limit) override {
    return target_.LabelCounts(execution, limit);
  }
  std::vector<bool> Unchanged(const AnswerTarget& target,
                              const std::vector<ObjectInfo>& items) override {
    return target_.Unchanged(target, items);
  }
  std::vector<AnswerSet> AnswersUnder(std::string_view source, std::string_view kind,
                                      std::string_view prefix) override {
    return target_.AnswersUnder(source, kind, prefix);
  }

 protected:
  Database& target_;
};

}  // namespace imagemill::testing
