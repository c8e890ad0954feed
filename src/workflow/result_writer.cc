#include "workflow/result_writer.h"

#include "util/clock.h"

namespace imagemill {
namespace {

std::string JoinKey(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  return a.back() == '/' ? a + b : a + "/" + b;
}

std::string RedriveStatus(ExecutionStatus s) {
  return s == ExecutionStatus::kSucceeded ? "NOT_REDRIVABLE" : "REDRIVABLE";
}

}  // namespace

ResultWriter::ResultWriter(ObjectStore& dest, std::string prefix, size_t records_per_file)
    : dest_(dest), prefix_(std::move(prefix)), records_per_file_(std::max<size_t>(1, records_per_file)) {}

Result<std::string> ResultWriter::Write(StateStore& state, const ExecutionRecord& e) {
  const std::string dir = JoinKey(JoinKey(prefix_, e.name), e.map_run_id);
  const std::string bucket = e.spec.value("source", "");
  const std::string map_run_arn = "arn:imagemill:states:local:mapRun:" + e.name + "/" + e.map_run_id;
  const std::string machine_arn = "arn:imagemill:states:local:stateMachine:imagemill";
  nlohmann::json files = {{"FAILED", nlohmann::json::array()},
                          {"PENDING", nlohmann::json::array()},
                          {"SUCCEEDED", nlohmann::json::array()},
                          {"SKIPPED", nlohmann::json::array()}};
  Status failure;
  int64_t child = 0;

  auto record = [&](const ObjectInfo& item, std::string_view status) {
    nlohmann::json r;
    r["ExecutionArn"] = map_run_arn + ":" + std::to_string(child);
    r["Name"] = std::to_string(child++);
    r["StateMachineArn"] = machine_arn;
    r["Input"] = nlohmann::json{{"Bucket", bucket}, {"Name", item.key}}.dump();
    r["InputDetails"] = {{"Included", true}};
    r["Status"] = std::string(status);
    r["RedriveCount"] = e.redrive_count;
    r["RedriveStatus"] = RedriveStatus(e.status);
    return r;
  };

  // Streams one category into files of at most records_per_file_ records.
  auto write_category = [&](const std::string& category, auto&& for_each) {
    std::string body;
    size_t n = 0;
    int file_index = 0;
    auto flush = [&]() {
      if (n == 0 || !failure.ok()) return;
      body += "]";
      std::string key = JoinKey(dir, category + "_" + std::to_string(file_index++) + ".json");
      Status s = dest_.Put(key, body, "application/json");
      if (!s.ok()) failure = s;
      files[category].push_back({{"Key", key}, {"Size", body.size()}});
      body.clear();
      n = 0;
    };
    for_each([&](nlohmann::json r) {
      body += n == 0 ? "[" : ",";
      body += r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      if (++n == records_per_file_) flush();
    });
    flush();
  };

  auto outcomes = [&](ItemStatus status) {
    return [&, status](auto&& emit) {
      state.ForEachOutcome(e.name, status, [&](const ItemOutcome& o) {
        nlohmann::json r = record(o.item, ItemStatusName(o.status));
        r["StartDate"] = FormatIso8601(FromUnixMillis(o.start_ms));
        r["StopDate"] = FormatIso8601(FromUnixMillis(o.stop_ms));
        if (status == ItemStatus::kSucceeded) {
          r["Output"] = o.response;
          r["OutputDetails"] = {{"Included", true}};
        } else {
          r["Error"] = o.error;
          r["Cause"] = o.cause;
        }
        emit(std::move(r));
      });
    };
  };
  write_category("SUCCEEDED", outcomes(ItemStatus::kSucceeded));
  write_category("FAILED", outcomes(ItemStatus::kFailed));
  write_category("SKIPPED", outcomes(ItemStatus::kSkipped));
  write_category("PENDING", [&](auto&& emit) {
    state.ForEachPendingItem(e.name, [&](const ObjectInfo& item) { emit(record(item, "PENDING")); });
  });
  if (!failure.ok()) return failure;

  nlohmann::json manifest = {{"DestinationBucket", dest_.Bucket()},
                             {"MapRunArn", map_run_arn},
                             {"ResultFiles", files}};
  std::string key = JoinKey(dir, "manifest.json");
  if (Status s = dest_.Put(key, manifest.dump(2), "application/json"); !s.ok()) return s;
  return JoinKey(dest_.Uri(), key);
}

}  // namespace imagemill
