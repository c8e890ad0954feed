// FakeExecutionBackend: executions in memory for the Step Functions API's tests: Start makes a
// RUNNING one (an input without myStateInput is InvalidArgument); tests finish them by hand.
#pragma once

#include <map>
#include <nlohmann/json.hpp>

#include "server/stepfunctions/execution_backend.h"

namespace imagemill::testing {

using server::stepfunctions::ExecutionBackend;
using server::stepfunctions::ExecutionInfo;
using server::stepfunctions::ListFilter;

class FakeExecutionBackend : public ExecutionBackend {
 public:
  Status Start(const std::string& name, const std::string& input) override {
    nlohmann::json in = nlohmann::json::parse(input);
    if (!in.contains("myStateInput")) return Status::InvalidArgument("no myStateInput");
    ExecutionInfo e;
    e.name = name;
    e.status = "RUNNING";
    e.map_run_status = "RUNNING";
    e.start_ms = 1'700'000'000'000 + static_cast<int64_t>(executions.size()) * 1000;
    e.input = input;
    e.map_run_id = "run-" + name;
    e.tolerated_failure_percentage = 5;
    executions[name] = e;
    return Status::Ok();
  }
  std::optional<ExecutionInfo> Describe(const std::string& name) override {
    auto it = executions.find(name);
    if (it == executions.end()) return std::nullopt;
    return it->second;
  }
  std::vector<ExecutionInfo> List(const ListFilter& f) override {
    std::vector<ExecutionInfo> out;
    for (auto it = executions.rbegin(); it != executions.rend(); ++it) {
      if (!f.after.empty() && it->first >= f.after) continue;
      if (!f.status.empty() && it->second.status != f.status) continue;
      if (static_cast<int>(out.size()) == f.limit) break;
      out.push_back(it->second);
    }
    return out;
  }
  Status Stop(const std::string& name, const std::string& error,
              const std::string& cause) override {
    ExecutionInfo& e = executions.at(name);
    e.status = e.map_run_status = "ABORTED";
    e.error = error;
    e.cause = cause;
    e.stop_ms = e.start_ms + 500;
    return Status::Ok();
  }
  Status Redrive(const std::string& name) override {
    ++executions.at(name).redrive_count;
    executions.at(name).status = "RUNNING";
    return Status::Ok();
  }
  Status UpdateMapRun(const std::string& name, std::optional<int64_t> c, std::optional<double> p,
                      std::optional<int64_t> n) override {
    ExecutionInfo& e = executions.at(name);
    if (c) e.max_concurrency = *c;
    if (p) e.tolerated_failure_percentage = *p;
    if (n) e.tolerated_failure_count = *n;
    return Status::Ok();
  }
  std::map<std::string, ExecutionInfo> executions;  // by name: List answers newest name first
};

}  // namespace imagemill::testing
