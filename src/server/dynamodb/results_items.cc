#include "server/dynamodb/results_items.h"

#include <limits>

#include "server/dynamodb/attribute_value.h"

namespace imagemill::server::dynamodb {

Json ResultItem(const StoredResult& r) {
  Json labels = Json::array();
  if (r.response.is_object() && r.response.contains("Labels") && r.response["Labels"].is_array()) {
    labels = r.response["Labels"];
  }
  Json item = {{"id", {{"S", r.id}}},
               {"labels", ToAttributeValue(labels)},
               {"bucket", {{"S", r.bucket}}},
               {"key", {{"S", r.key}}},
               {"etag", {{"S", r.etag}}},
               {"size", {{"N", std::to_string(r.size)}}},
               {"processor", {{"S", r.processor}}},
               {"execution", {{"S", r.execution}}},
               {"updatedAt", {{"S", r.updated_at}}}};
  if (r.response.is_object()) {
    if (r.response.contains("LabelModelVersion") && r.response["LabelModelVersion"].is_string()) {
      item["labelModelVersion"] = {{"S", r.response["LabelModelVersion"]}};
    }
    if (r.response.contains("ImageProperties")) {
      item["imageProperties"] = ToAttributeValue(r.response["ImageProperties"]);
    }
  }
  return item;
}

std::optional<Json> ResultsItems::Get(const std::string& id) {
  std::optional<StoredResult> r = table_.GetResult(id);
  if (!r) return std::nullopt;
  return ResultItem(*r);
}

void ResultsItems::Scan(const Json* start, const ScanFn& fn) {
  const std::string after = start ? (*start)["id"]["S"].get<std::string>() : "";
  bool go_on = true;
  table_.ForEachResult("", std::numeric_limits<int>::max(), [&](const StoredResult& r) {
    if (!go_on || (start && r.id <= after)) return;
    go_on = fn(r.id, Json{{"id", {{"S", r.id}}}}, ResultItem(r));
  });
}

std::string ResultsItems::CheckStartKey(const Json& key) {
  if (key.is_object() && key.size() == 1 && key.contains("id") && key["id"].is_object() &&
      key["id"].size() == 1 && key["id"].contains("S") && key["id"]["S"].is_string()) {
    return "";
  }
  return "The provided starting key is invalid: give the LastEvaluatedKey of the page before, "
         "{\"id\": {\"S\": ...}}";
}

int64_t ResultsItems::Count() {
  int64_t n = 0;
  table_.ForEachResult("", std::numeric_limits<int>::max(), [&](const StoredResult&) { ++n; });
  return n;
}

}  // namespace imagemill::server::dynamodb
