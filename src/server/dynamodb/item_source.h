// ItemSource: what the DynamoDB API reads, the results table seen as items keyed by `id` in
// attribute-value JSON. The server's implementation reads the results table
// (server/dynamodb/results_items.h); tests use MemoryItemSource.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace imagemill::server::dynamodb {

using Json = nlohmann::json;

// Implementations are thread-safe. Failures of the database underneath throw (the API answers
// them as InternalServerError).
class ItemSource {
 public:
  virtual ~ItemSource() = default;
  // The item stored under `id`, or nullopt.
  virtual std::optional<Json> Get(const std::string& id) = 0;
  // Every item in a stable order, from the one after `start` (null: from the first), until `fn`
  // returns false. `fn` gets each item's id and its key: the LastEvaluatedKey to resume after
  // it, {"id": {"S": ...}} plus whatever else the source needs to find its place again.
  using ScanFn = std::function<bool(const std::string& id, const Json& key, const Json& item)>;
  virtual void Scan(const Json* start, const ScanFn& fn) = 0;
  // An ExclusiveStartKey this source can resume from ("" when it is one; else a message saying
  // what is wrong with it).
  virtual std::string CheckStartKey(const Json& key) = 0;
  // How many items there are.
  virtual int64_t Count() = 0;
};

// Items in memory, for tests.
class MemoryItemSource : public ItemSource {
 public:
  void Put(const std::string& id, Json item) {
    std::lock_guard<std::mutex> lock(mu_);
    items_[id] = std::move(item);
  }
  std::optional<Json> Get(const std::string& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = items_.find(id);
    if (it == items_.end()) return std::nullopt;
    return it->second;
  }
  void Scan(const Json* start, const ScanFn& fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = start ? items_.upper_bound((*start)["id"]["S"].get<std::string>()) : items_.begin();
    for (; it != items_.end(); ++it) {
      if (!fn(it->first, Json{{"id", {{"S", it->first}}}}, it->second)) return;
    }
  }
  std::string CheckStartKey(const Json& key) override {
    if (key.is_object() && key.size() == 1 && key.contains("id") && key["id"].is_object() &&
        key["id"].contains("S") && key["id"]["S"].is_string()) {
      return "";
    }
    return "The provided starting key is invalid: it must be {\"id\": {\"S\": ...}}";
  }
  int64_t Count() override {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int64_t>(items_.size());
  }

 private:
  std::mutex mu_;
  std::map<std::string, Json> items_;  // guarded by mu_
};

}  // namespace imagemill::server::dynamodb
