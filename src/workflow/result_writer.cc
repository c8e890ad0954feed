#include "workflow/result_writer.h"

#include <map>

#include "util/clock.h"

namespace imagemill {
namespace {

std::string JoinKey(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  return a.back() == '/' ? a + b : a + "/" + b;
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One item's entry in its batch's Output.
nlohmann::json ItemEntry(const ItemOutcome& o) {
  nlohmann::json e = {{"Name", o.item.key}, {"Status", ItemStatusName(o.status)}};
  if (o.status == ItemStatus::kSucceeded) {
    e["Output"] = nlohmann::json::parse(o.response, nullptr, false);
  } else {
    e["Error"] = o.error;
    e["Cause"] = o.cause;
  }
  return e;
}

}  // namespace

ResultWriter::ResultWriter(ObjectStore& dest, std::string prefix, WriterConfig config,
                           const RetryPolicy& retry, Clock& clock, size_t records_per_file,
                           StateMachineArns arns)
    : dest_(dest),
      prefix_(std::move(prefix)),
      config_(std::move(config)),
      retry_(retry),
      clock_(clock),
      records_per_file_(std::max<size_t>(1, records_per_file)),
      arns_(std::move(arns)) {}

Result<std::string> ResultWriter::Write(StateStore& state, const ExecutionRecord& e,
                                        const ExecutionSpec& spec) {
  const std::string dir = JoinKey(prefix_, e.map_run_id);
  const StateMachineArns& arns = arns_;
  const std::string map_run_arn = arns.MapRun(e.name, e.map_run_id);
  const std::string bucket = spec.source.starts_with("s3://") ? spec.source.substr(5) : spec.source;
  const bool jsonl = config_.output_type == "JSONL";
  nlohmann::json files = {{"FAILED", nlohmann::json::array()},
                          {"PENDING", nlohmann::json::array()},
                          {"SUCCEEDED", nlohmann::json::array()}};
  struct Category {
    std::string body;
    size_t records = 0;
    int file_index = 0;
  };
  std::map<std::string, Category> open;
  Status failure;

  auto flush = [&](const std::string& status, Category& c) {
    if (c.records == 0 || !failure.ok()) return;
    if (!jsonl) c.body += "]";
    std::string key = JoinKey(dir, status + "_" + std::to_string(c.file_index++) + ".json");
    Status s = CallWithRetry(retry_, clock_, [&] {
      return dest_.Put(key, c.body, jsonl ? "application/jsonl" : "application/json");
    });
    if (!s.ok()) failure = s;
    files[status].push_back({{"Key", key}, {"Size", c.body.size()}});
    c.body.clear();
    c.records = 0;
  };
  auto emit = [&](const std::string& status, const nlohmann::json& record) {
    Category& c = open[status];
    if (jsonl) {
      c.body += Dump(record) + "\n";
    } else {
      c.body += c.records == 0 ? "[" : ",";
      c.body += Dump(record);
    }
    if (++c.records == records_per_file_) flush(status, c);
  };

  state.ForEachBatch(e.name, AnswerTarget{spec.source, spec.kind, spec.processor},
                     [&](const BatchReport& b) {
    if (!failure.ok()) return;
    nlohmann::json items = nlohmann::json::array();
    nlohmann::json output = nlohmann::json::array();
    int64_t start = 0, stop = 0;
    std::vector<const ItemOutcome*> failed;
    bool pending = false;
    for (const ItemOutcome& o : b.items) {
      items.push_back({{"Bucket", bucket}, {"Name", o.item.key}});
      if (o.status == ItemStatus::kPending) {
        pending = true;
        continue;
      }
      output.push_back(ItemEntry(o));
      if (o.status == ItemStatus::kFailed) failed.push_back(&o);
      if (o.start_ms > 0 && (start == 0 || o.start_ms < start)) start = o.start_ms;
      stop = std::max(stop, o.stop_ms);
    }
    const std::string status = pending ? "PENDING" : !failed.empty() ? "FAILED" : "SUCCEEDED";
    if (status == "SUCCEEDED" && config_.transformation != "NONE") {
      if (config_.transformation == "COMPACT") {
        emit(status, output);
      } else {
        for (const nlohmann::json& entry : output) emit(status, entry);  // FLATTEN
      }
      return;
    }
    nlohmann::json r;
    r["ExecutionArn"] = arns.Child(e.map_run_id, b.seq);
    r["Input"] = Dump(nlohmann::json{{"Items", items}});
    r["InputDetails"] = {{"Included", true}};
    r["Name"] = StateMachineArns::ChildName(e.map_run_id, b.seq);
    r["RedriveCount"] = e.redrive_count;
    r["StateMachineArn"] = arns.ChildStateMachine();
    r["Status"] = status;
    if (status == "PENDING") {
      r["RedriveStatus"] = "NOT_REDRIVABLE";
      r["RedriveStatusReason"] = "Execution has not started";
      emit(status, r);
      return;
    }
    r["StartDate"] = FormatIso8601(FromUnixMillis(start));
    r["StopDate"] = FormatIso8601(FromUnixMillis(stop));
    r["Output"] = Dump(output);
    r["OutputDetails"] = {{"Included", true}};
    if (status == "FAILED") {
      std::string cause = std::to_string(failed.size()) + " of " +
                          std::to_string(b.items.size()) + " items failed:";
      for (size_t i = 0; i < failed.size() && i < 10; ++i) {
        cause += " " + failed[i]->item.key + ": " + failed[i]->error + ": " + failed[i]->cause + ";";
      }
      if (failed.size() > 10) cause += " ...";
      r["Error"] = failed.size() == 1 ? failed[0]->error : std::string("States.TaskFailed");
      r["Cause"] = cause;
      r["RedriveStatus"] = "REDRIVABLE";
      r["RedriveStatusReason"] = "";
    } else {
      r["RedriveStatus"] = "NOT_REDRIVABLE";
      r["RedriveStatusReason"] = "Execution is SUCCEEDED and cannot be redriven";
    }
    emit(status, r);
  });
  for (auto& [status, c] : open) flush(status, c);
  if (!failure.ok()) return failure;

  nlohmann::json manifest = {{"DestinationBucket", dest_.Bucket()},
                             {"MapRunArn", map_run_arn},
                             {"ResultFiles", files}};
  std::string key = JoinKey(dir, "manifest.json");
  const std::string body = manifest.dump(2);
  Status s = CallWithRetry(retry_, clock_, [&] { return dest_.Put(key, body, "application/json"); });
  if (!s.ok()) return s;
  return JoinKey(dest_.Uri(), key);
}

}  // namespace imagemill
