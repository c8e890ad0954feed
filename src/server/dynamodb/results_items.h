// ResultsItems: the results table as DynamoDB items (item_source.h). An item is the seed's
// (its Lambda's put_item): `id`, the object's key, and `labels`, DetectLabels' Labels array as
// attribute values; then imagemill's own attributes: `bucket`, `key`, `etag`, `size`,
// `processor`, `execution`, `updatedAt`, and, when the answer has them, `labelModelVersion` and
// `imageProperties`.
#pragma once

#include "db/state_store.h"
#include "server/dynamodb/item_source.h"

namespace imagemill::server::dynamodb {

// The item for one stored answer.
Json ResultItem(const StoredResult& result);

class ResultsItems : public ItemSource {
 public:
  // `table` must outlive this.
  explicit ResultsItems(ResultsTable& table) : table_(table) {}

  std::optional<Json> Get(const std::string& id) override;
  void Scan(const Json* start, const ScanFn& fn) override;
  std::string CheckStartKey(const Json& key) override;
  int64_t Count() override;

 private:
  ResultsTable& table_;
};

}  // namespace imagemill::server::dynamodb
