#include "server/dynamodb/results_items.h"

#include <algorithm>
#include <set>

#include "server/dynamodb/attribute_value.h"
#include "service/seed_item.h"

namespace imagemill::server::dynamodb {
namespace {

constexpr const char* kKind = "labels";
constexpr int kChunk = 256;  // answers read per query while scanning

}  // namespace

Json ResultItem(const StoredResult& r) {
  Json item = ToAttributeValue(service::SeedItem(r))["M"];
  item["source"] = {{"S", r.source}};
  item["etag"] = {{"S", r.etag}};
  item["size"] = {{"N", std::to_string(r.size)}};
  item["processor"] = {{"S", r.processor}};
  item["execution"] = {{"S", r.execution}};
  item["updatedAt"] = {{"S", r.updated_at}};
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
  std::optional<StoredResult> newest;
  for (StoredResult& r : db_.FindResults(id)) {
    if (r.kind == kKind && (!newest || r.updated_at > newest->updated_at)) newest = std::move(r);
  }
  if (!newest) return std::nullopt;
  return ResultItem(*newest);
}

std::vector<std::string> ResultsItems::Sources() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!sources_.empty() && now - sources_time_ < std::chrono::seconds(1)) return sources_;
  std::set<std::string> sources;
  ExecutionFilter f;
  f.limit = 1000;
  while (true) {
    std::vector<ExecutionRecord> page = db_.ListExecutions(f);
    for (const ExecutionRecord& e : page) {
      if (e.spec.is_object() && e.spec.contains("source") && e.spec["source"].is_string()) {
        sources.insert(e.spec["source"].get<std::string>());
      }
    }
    if (static_cast<int>(page.size()) < f.limit) break;
    f.after = std::make_pair(page.back().start_ms, page.back().name);
  }
  sources_.assign(sources.begin(), sources.end());
  sources_time_ = now;
  return sources_;
}

void ResultsItems::Scan(const Json* start, const ScanFn& fn) {
  std::string start_source, start_id;
  if (start != nullptr) {
    start_id = (*start)["id"]["S"].get<std::string>();
    if (start->contains("source")) start_source = (*start)["source"]["S"].get<std::string>();
  }
  for (const std::string& source : Sources()) {
    if (start != nullptr && source < start_source) continue;
    ResultFilter filter;
    filter.source = source;
    filter.kind = kKind;
    filter.limit = kChunk;
    if (start != nullptr && source == start_source) filter.after_id = start_id;
    while (true) {
      int n = 0;
      bool go_on = true;
      db_.ForEachResult(filter, [&](const StoredResult& r) {
        ++n;
        filter.after_id = r.id;
        if (!go_on) return;
        go_on = fn(r.id, Json{{"id", {{"S", r.id}}}, {"source", {{"S", r.source}}}}, ResultItem(r));
      });
      if (!go_on) return;
      if (n < kChunk) break;
    }
  }
}

std::string ResultsItems::CheckStartKey(const Json& key) {
  auto is_s = [&](const char* name) {
    return key.contains(name) && key[name].is_object() && key[name].size() == 1 &&
           key[name].contains("S") && key[name]["S"].is_string();
  };
  if (key.is_object() && is_s("id") && (key.size() == 1 || (key.size() == 2 && is_s("source")))) {
    return "";
  }
  return "The provided starting key is invalid: give the LastEvaluatedKey of the page before "
         "as it came ({\"id\": {\"S\": ...}, \"source\": {\"S\": ...}})";
}

int64_t ResultsItems::Count() {
  ResultFilter all;
  all.kind = kKind;
  return db_.CountResults(all);
}

}  // namespace imagemill::server::dynamodb
