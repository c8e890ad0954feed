// ResultsItems: the results table as DynamoDB items (item_source.h): the answers of kind
// "labels", every source's. An item is the seed's (its Lambda's put_item, service/seed_item.h):
// `id`, the object's key, and `labels`, DetectLabels' Labels array, as attribute values; then
// imagemill's own attributes: `source`, `etag`, `size`, `processor`, `execution`, `updatedAt`,
// and, when the answer has them, `labelModelVersion` and `imageProperties`.
//
// Two sources may hold the same key: GetItem answers the most recent answer, Scan answers each
// (its LastEvaluatedKey carries the source too, so a scan resumes where it stopped).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "db/database.h"
#include "server/dynamodb/item_source.h"

namespace imagemill::server::dynamodb {

// The item for one stored answer.
Json ResultItem(const StoredResult& result);

class ResultsItems : public ItemSource {
 public:
  // `db` must outlive this.
  explicit ResultsItems(Database& db) : db_(db) {}

  std::optional<Json> Get(const std::string& id) override;
  void Scan(const Json* start, const ScanFn& fn) override;
  std::string CheckStartKey(const Json& key) override;
  int64_t Count() override;

 private:
  // The sources answers can come from (those of the executions), sorted; cached for a second.
  std::vector<std::string> Sources();

  Database& db_;
  std::mutex mu_;
  std::vector<std::string> sources_;                    // guarded by mu_
  std::chrono::steady_clock::time_point sources_time_;  // guarded by mu_
};

}  // namespace imagemill::server::dynamodb
