#include "server/stepfunctions/stepfunctions_api.h"

#include <algorithm>
#include <cctype>

#include "util/ids.h"

namespace imagemill::server::stepfunctions {
namespace {

constexpr size_t kMaxInputBytes = 256 * 1024;

AwsError Error(const char* type, std::string message) { return {400, type, std::move(message)}; }

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

// Step Functions' rule for names: 1 to 80 characters, none of whitespace, brackets, wildcards,
// the special characters " # % \ ^ | ~ ` $ & , ; : / or control characters.
bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 80) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || std::isspace(c)) return false;
    if (std::string_view("<>{}[]?*\"#%\\^|~`$&,;:/").find(static_cast<char>(c)) !=
        std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// A string member, or the error: missing (when required) or of another type.
AwsResult<std::string> Member(const Json& r, const char* name, bool required) {
  if (!r.contains(name)) {
    if (!required) return std::string();
    return Error("ValidationException",
                 std::string("1 validation error detected: Value null at '") + name +
                     "' failed to satisfy constraint: Member must "
                     "not be null");
  }
  if (!r[name].is_string()) {
    return Error("ValidationException", std::string(name) + " must be a string.");
  }
  return r[name].get<std::string>();
}

AwsResult<int> MaxResults(const Json& r) {
  if (!r.contains("maxResults")) return 100;
  if (!r["maxResults"].is_number_integer() || r["maxResults"] < 0 || r["maxResults"] > 1000) {
    return Error("ValidationException",
                 "1 validation error detected: Value at 'maxResults' "
                 "failed to satisfy constraint: Member must have value "
                 "between 0 and 1000");
  }
  int n = r["maxResults"];
  return n == 0 ? 100 : n;
}

Json Counts(const ExecutionInfo& e) {
  return {{"pending", e.pending},     {"running", e.running},
          {"succeeded", e.succeeded}, {"failed", e.failed},
          {"timedOut", e.timed_out},  {"aborted", e.aborted},
          {"total", e.total},         {"resultsWritten", e.results_written}};
}

}  // namespace

std::string SeedDefinition() {
  static const Json kDefinition = {
      {"Comment",
       "The seed's Distributed Map: label every image under a prefix, record the "
       "labels (imagemill runs each state itself)"},
      {"StartAt", "Map"},
      {"States",
       {{"Map",
         {{"Type", "Map"},
          {"ItemProcessor",
           {{"ProcessorConfig", {{"Mode", "DISTRIBUTED"}, {"ExecutionType", "EXPRESS"}}},
            {"StartAt", "DetectLabels"},
            {"States",
             {{"DetectLabels",
               {{"Type", "Task"},
                {"Resource", "arn:aws:states:::aws-sdk:rekognition:detectLabels"},
                {"Retry",
                 {{{"ErrorEquals", {"States.ALL"}},
                   {"IntervalSeconds", 2},
                   {"MaxAttempts", 6},
                   {"BackoffRate", 2}}}},
                {"Next", "PutItem"}}},
              {"PutItem",
               {{"Type", "Task"},
                {"Resource", "arn:aws:states:::dynamodb:putItem"},
                {"End", true}}}}}}},
          {"ItemReader",
           {{"Resource", "arn:aws:states:::s3:listObjectsV2"},
            {"Parameters",
             {{"Bucket.$", "$.myStateInput.Bucket"}, {"Prefix.$", "$.myStateInput.Prefix"}}}}},
          {"ItemSelector",
           {{"Bucket.$", "$.myStateInput.Bucket"}, {"Name.$", "$$.Map.Item.Value.Key"}}},
          {"ItemBatcher", {{"MaxItemsPerBatch", 100}}},
          {"MaxConcurrency", 500},
          {"ToleratedFailurePercentage", 5},
          {"ResultWriter",
           {{"Resource", "arn:aws:states:::s3:putObject"},
            {"Parameters", {{"Prefix", "imageLabelJobs"}}}}},
          {"End", true}}}}}};
  return kDefinition.dump(2);
}

ServiceInfo StepFunctionsApi::Service() {
  return {"AWSStepFunctions", "states", "1.0", "ThrottlingException"};
}

StepFunctionsApi::StepFunctionsApi(ArnContext arn, ExecutionBackend& backend, Clock& clock)
    : arn_(std::move(arn)),
      backend_(backend),
      clock_(clock),
      created_ms_(ToUnixMillis(clock.Now())) {}

std::string StepFunctionsApi::StateMachineArn() const {
  return server::StateMachineArn(arn_, kStateMachineName);
}

std::string StepFunctionsApi::ExecutionArnOf(const std::string& name) const {
  return server::ExecutionArn(arn_, kStateMachineName, name);
}

std::optional<AwsError> StepFunctionsApi::CheckStateMachine(const Json& r, bool required) {
  AwsResult<std::string> arn = Member(r, "stateMachineArn", required);
  if (!arn.ok()) return arn.error();
  if (arn->empty() && !required) return std::nullopt;
  if (!ParseArn(*arn) || ParseArn(*arn)->service != "states") {
    return Error("InvalidArn", "Invalid Arn: '" + *arn + "'");
  }
  if (*arn != StateMachineArn()) {
    return Error("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + *arn +
                                                 "' (this server runs one state "
                                                 "machine, " +
                                                 StateMachineArn() + ")");
  }
  return std::nullopt;
}

AwsResult<ExecutionInfo> StepFunctionsApi::Execution(const Json& r, const char* member) {
  AwsResult<std::string> arn = Member(r, member, true);
  if (!arn.ok()) return arn.error();
  std::optional<std::string> name = ExecutionNameFromArn(arn_, kStateMachineName, *arn);
  if (!name) {
    if (!ParseArn(*arn)) return Error("InvalidArn", "Invalid Arn: '" + *arn + "'");
    return Error("ExecutionDoesNotExist", "Execution Does Not Exist: '" + *arn + "'");
  }
  std::optional<ExecutionInfo> info = backend_.Describe(*name);
  if (!info) return Error("ExecutionDoesNotExist", "Execution Does Not Exist: '" + *arn + "'");
  return *info;
}

AwsResult<Json> StepFunctionsApi::ListStateMachines(const Json&) {
  return Json{{"stateMachines",
               {{{"stateMachineArn", StateMachineArn()},
                 {"name", kStateMachineName},
                 {"type", "STANDARD"},
                 {"creationDate", Seconds(created_ms_)}}}}};
}

AwsResult<Json> StepFunctionsApi::DescribeStateMachine(const Json& r) {
  if (auto e = CheckStateMachine(r, true)) return *e;
  return Json{{"stateMachineArn", StateMachineArn()},
              {"name", kStateMachineName},
              {"status", "ACTIVE"},
              {"definition", SeedDefinition()},
              {"roleArn", "arn:aws:iam::" + arn_.account + ":role/imagemill"},
              {"type", "STANDARD"},
              {"creationDate", Seconds(created_ms_)}};
}

AwsResult<Json> StepFunctionsApi::StartExecution(const Json& r) {
  if (auto e = CheckStateMachine(r, true)) return *e;
  AwsResult<std::string> name = Member(r, "name", false);
  if (!name.ok()) return name.error();
  AwsResult<std::string> input = Member(r, "input", false);
  if (!input.ok()) return input.error();
  if (name->empty()) *name = NewUuid();
  if (!ValidName(*name)) {
    return Error("InvalidName",
                 "Invalid Name: '" + *name +
                     "' (1 to 80 characters, without "
                     "spaces, brackets, wildcards or any of \" # % \\ ^ | ~ ` $ & , ; : /)");
  }
  if (input->empty()) *input = "{}";
  if (input->size() > kMaxInputBytes) {
    return Error("InvalidExecutionInput", "The input is over 256 KB.");
  }
  if (Json::parse(*input, nullptr, false).is_discarded()) {
    return Error("InvalidExecutionInput",
                 "Invalid State Machine Execution Input: the input is "
                 "not JSON: '" +
                     input->substr(0, 200) + "'");
  }
  if (std::optional<ExecutionInfo> existing = backend_.Describe(*name)) {
    const bool same_input = Json::parse(existing->input, nullptr, false) == Json::parse(*input);
    if (existing->status == "RUNNING" && same_input) {
      return Json{{"executionArn", ExecutionArnOf(*name)},
                  {"startDate", Seconds(existing->start_ms)}};
    }
    return Error("ExecutionAlreadyExists",
                 "Execution Already Exists: '" + ExecutionArnOf(*name) + "'" +
                     (same_input ? " (it has finished: start one under another name, or "
                                   "RedriveExecution it)"
                                 : " (with another input)"));
  }
  if (Status s = backend_.Start(*name, *input); !s.ok()) {
    if (s.code() == Code::kThrottled) return Error("ExecutionLimitExceeded", s.message());
    if (s.code() == Code::kInvalidArgument || s.code() == Code::kNotFound ||
        s.code() == Code::kPermissionDenied) {
      return Error("InvalidExecutionInput",
                   "Invalid State Machine Execution Input: " + s.message());
    }
    return AwsError::Internal("the execution could not start: " + s.message());
  }
  std::optional<ExecutionInfo> started = backend_.Describe(*name);
  const int64_t start_ms = started ? started->start_ms : ToUnixMillis(clock_.Now());
  return Json{{"executionArn", ExecutionArnOf(*name)}, {"startDate", Seconds(start_ms)}};
}

AwsResult<Json> StepFunctionsApi::DescribeExecution(const Json& r) {
  AwsResult<ExecutionInfo> e = Execution(r, "executionArn");
  if (!e.ok()) return e.error();
  Json out = {{"executionArn", ExecutionArnOf(e->name)},
              {"stateMachineArn", StateMachineArn()},
              {"name", e->name},
              {"status", e->status},
              {"startDate", Seconds(e->start_ms)},
              {"input", e->input},
              {"inputDetails", {{"included", true}}}};
  if (e->stop_ms > 0) out["stopDate"] = Seconds(e->stop_ms);
  if (!e->map_run_id.empty()) {
    out["mapRunArn"] = MapRunArn(arn_, kStateMachineName, e->name, e->map_run_id);
  }
  if (e->status == "SUCCEEDED") {
    out["output"] = e->output;
    out["outputDetails"] = {{"included", true}};
  }
  if (!e->error.empty()) out["error"] = e->error;
  if (!e->cause.empty()) out["cause"] = e->cause;
  return out;
}

AwsResult<Json> StepFunctionsApi::ListExecutions(const Json& r) {
  if (r.contains("mapRunArn")) {
    if (r.contains("stateMachineArn")) {
      return Error("ValidationException", "Give stateMachineArn or mapRunArn, not both.");
    }
    // A map run's children are imagemill's items, which are not executions of their own.
    return Json{{"executions", Json::array()}};
  }
  if (auto e = CheckStateMachine(r, true)) return *e;
  ListFilter filter;
  AwsResult<std::string> status = Member(r, "statusFilter", false);
  if (!status.ok()) return status.error();
  static const char* kStatuses[] = {"RUNNING",   "SUCCEEDED", "FAILED",
                                    "TIMED_OUT", "ABORTED",   "PENDING_REDRIVE"};
  if (!status->empty() &&
      std::find(std::begin(kStatuses), std::end(kStatuses), *status) == std::end(kStatuses)) {
    return Error(
        "ValidationException",
        "1 validation error detected: Value '" + *status +
            "' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum "
            "value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]");
  }
  filter.status = *status;
  AwsResult<int> max = MaxResults(r);
  if (!max.ok()) return max.error();
  AwsResult<std::string> token = Member(r, "nextToken", false);
  if (!token.ok()) return token.error();
  filter.after = *token;
  filter.limit = *max + 1;  // one more tells whether there is a next page
  std::vector<ExecutionInfo> list = backend_.List(filter);
  Json out = {{"executions", Json::array()}};
  for (size_t i = 0; i < list.size() && static_cast<int>(i) < *max; ++i) {
    const ExecutionInfo& e = list[i];
    Json item = {{"executionArn", ExecutionArnOf(e.name)},
                 {"stateMachineArn", StateMachineArn()},
                 {"name", e.name},
                 {"status", e.status},
                 {"startDate", Seconds(e.start_ms)}};
    if (e.stop_ms > 0) item["stopDate"] = Seconds(e.stop_ms);
    if (!e.map_run_id.empty()) {
      item["mapRunArn"] = MapRunArn(arn_, kStateMachineName, e.name, e.map_run_id);
    }
    out["executions"].push_back(std::move(item));
  }
  if (static_cast<int>(list.size()) > *max) out["nextToken"] = list[*max - 1].name;
  return out;
}

AwsResult<Json> StepFunctionsApi::StopExecution(const Json& r) {
  AwsResult<ExecutionInfo> e = Execution(r, "executionArn");
  if (!e.ok()) return e.error();
  AwsResult<std::string> error = Member(r, "error", false);
  AwsResult<std::string> cause = Member(r, "cause", false);
  if (!error.ok()) return error.error();
  if (!cause.ok()) return cause.error();
  if (e->status != "RUNNING") {
    // AWS answers a stopped execution's stop date again.
    return Json{{"stopDate", Seconds(e->stop_ms > 0 ? e->stop_ms : ToUnixMillis(clock_.Now()))}};
  }
  if (Status s = backend_.Stop(e->name, *error, *cause); !s.ok()) {
    return Error("ValidationException", s.message());
  }
  return Json{{"stopDate", Seconds(ToUnixMillis(clock_.Now()))}};
}

AwsResult<Json> StepFunctionsApi::RedriveExecution(const Json& r) {
  AwsResult<ExecutionInfo> e = Execution(r, "executionArn");
  if (!e.ok()) return e.error();
  if (e->status != "FAILED" && e->status != "ABORTED" && e->status != "TIMED_OUT") {
    return Error("ExecutionNotRedrivable", "Execution is " + e->status +
                                               ": only FAILED, ABORTED or TIMED_OUT executions "
                                               "can be redriven.");
  }
  if (Status s = backend_.Redrive(e->name); !s.ok()) {
    return Error("ExecutionNotRedrivable", s.message());
  }
  return Json{{"redriveDate", Seconds(ToUnixMillis(clock_.Now()))}};
}

AwsResult<Json> StepFunctionsApi::ListMapRuns(const Json& r) {
  AwsResult<ExecutionInfo> e = Execution(r, "executionArn");
  if (!e.ok()) return e.error();
  AwsResult<int> max = MaxResults(r);
  if (!max.ok()) return max.error();
  Json runs = Json::array();
  if (!e->map_run_id.empty()) {
    Json item = {{"executionArn", ExecutionArnOf(e->name)},
                 {"mapRunArn", MapRunArn(arn_, kStateMachineName, e->name, e->map_run_id)},
                 {"stateMachineArn", StateMachineArn()},
                 {"startDate", Seconds(e->start_ms)}};
    if (e->stop_ms > 0) item["stopDate"] = Seconds(e->stop_ms);
    runs.push_back(std::move(item));
  }
  return Json{{"mapRuns", std::move(runs)}};
}

AwsResult<Json> StepFunctionsApi::DescribeMapRun(const Json& r) {
  AwsResult<std::string> arn = Member(r, "mapRunArn", true);
  if (!arn.ok()) return arn.error();
  auto parts = MapRunFromArn(arn_, kStateMachineName, *arn);
  if (!parts) {
    if (!ParseArn(*arn)) return Error("InvalidArn", "Invalid Arn: '" + *arn + "'");
    return Error("ResourceNotFound", "Map Run Does Not Exist: '" + *arn + "'");
  }
  std::optional<ExecutionInfo> e = backend_.Describe(parts->first);
  if (!e || e->map_run_id != parts->second) {
    return Error("ResourceNotFound", "Map Run Does Not Exist: '" + *arn + "'");
  }
  Json out = {{"mapRunArn", *arn},
              {"executionArn", ExecutionArnOf(e->name)},
              {"status", e->map_run_status},
              {"startDate", Seconds(e->start_ms)},
              {"maxConcurrency", e->max_concurrency},
              {"toleratedFailurePercentage", e->tolerated_failure_percentage},
              {"toleratedFailureCount", e->tolerated_failure_count},
              {"itemCounts", Counts(*e)},
              {"executionCounts", Counts(*e)}};
  if (e->stop_ms > 0) out["stopDate"] = Seconds(e->stop_ms);
  return out;
}

AwsResult<Json> StepFunctionsApi::UpdateMapRun(const Json& r) {
  AwsResult<std::string> arn = Member(r, "mapRunArn", true);
  if (!arn.ok()) return arn.error();
  auto parts = MapRunFromArn(arn_, kStateMachineName, *arn);
  if (!parts) return Error("ResourceNotFound", "Map Run Does Not Exist: '" + *arn + "'");
  std::optional<int64_t> concurrency, count;
  std::optional<double> percentage;
  if (r.contains("maxConcurrency")) {
    if (!r["maxConcurrency"].is_number_integer() || r["maxConcurrency"] < 0) {
      return Error("ValidationException", "maxConcurrency must be an integer >= 0.");
    }
    concurrency = r["maxConcurrency"].get<int64_t>();
  }
  if (r.contains("toleratedFailurePercentage")) {
    if (!r["toleratedFailurePercentage"].is_number() || r["toleratedFailurePercentage"] < 0 ||
        r["toleratedFailurePercentage"] > 100) {
      return Error("ValidationException", "toleratedFailurePercentage must be 0 to 100.");
    }
    percentage = r["toleratedFailurePercentage"].get<double>();
  }
  if (r.contains("toleratedFailureCount")) {
    if (!r["toleratedFailureCount"].is_number_integer() || r["toleratedFailureCount"] < 0) {
      return Error("ValidationException", "toleratedFailureCount must be an integer >= 0.");
    }
    count = r["toleratedFailureCount"].get<int64_t>();
  }
  if (!concurrency && !percentage && !count) {
    return Error("ValidationException",
                 "Give at least one of maxConcurrency, "
                 "toleratedFailurePercentage, toleratedFailureCount.");
  }
  std::optional<ExecutionInfo> e = backend_.Describe(parts->first);
  if (!e || e->map_run_id != parts->second) {
    return Error("ResourceNotFound", "Map Run Does Not Exist: '" + *arn + "'");
  }
  if (Status s = backend_.UpdateMapRun(e->name, concurrency, percentage, count); !s.ok()) {
    return Error("ValidationException", s.message());
  }
  return Json::object();
}

AwsResult<Json> StepFunctionsApi::GetExecutionHistory(const Json& r) {
  AwsResult<ExecutionInfo> e = Execution(r, "executionArn");
  if (!e.ok()) return e.error();
  const bool data = !r.contains("includeExecutionData") || r["includeExecutionData"] == true;
  const std::string map_run = e->map_run_id.empty()
                                  ? std::string()
                                  : MapRunArn(arn_, kStateMachineName, e->name, e->map_run_id);
  std::vector<Json> events;
  auto add = [&](int64_t ms, const char* type, const char* details_name, Json details) {
    Json ev = {{"timestamp", Seconds(ms)},
               {"type", type},
               {"id", static_cast<int64_t>(events.size() + 1)},
               {"previousEventId", static_cast<int64_t>(events.size())}};
    if (details_name != nullptr) ev[details_name] = std::move(details);
    events.push_back(std::move(ev));
  };
  Json started = {{"roleArn", "arn:aws:iam::" + arn_.account + ":role/imagemill"}};
  if (data) {
    started["input"] = e->input;
    started["inputDetails"] = {{"truncated", false}};
  }
  add(e->start_ms, "ExecutionStarted", "executionStartedEventDetails", started);
  add(e->start_ms, "MapStateEntered", "stateEnteredEventDetails", {{"name", "Map"}});
  if (!map_run.empty()) {
    add(e->start_ms, "MapRunStarted", "mapRunStartedEventDetails", {{"mapRunArn", map_run}});
  }
  if (e->stop_ms > 0) {
    const Json failure = {{"error", e->error}, {"cause", e->cause}};
    if (e->status == "SUCCEEDED") {
      add(e->stop_ms, "MapRunSucceeded", nullptr, nullptr);
      Json exited = {{"name", "Map"}};
      if (data) exited["output"] = e->output;
      add(e->stop_ms, "MapStateExited", "stateExitedEventDetails", exited);
      Json done = Json::object();
      if (data) done["output"] = e->output;
      add(e->stop_ms, "ExecutionSucceeded", "executionSucceededEventDetails", done);
    } else if (e->status == "FAILED") {
      add(e->stop_ms, "MapRunFailed", "mapRunFailedEventDetails", failure);
      add(e->stop_ms, "ExecutionFailed", "executionFailedEventDetails", failure);
    } else {
      add(e->stop_ms, "MapRunAborted", nullptr, nullptr);
      add(e->stop_ms, "ExecutionAborted", "executionAbortedEventDetails", failure);
    }
  }
  if (r.contains("reverseOrder") && r["reverseOrder"] == true) {
    std::reverse(events.begin(), events.end());
  }
  AwsResult<int> max = MaxResults(r);
  if (!max.ok()) return max.error();
  size_t from = 0;
  if (r.contains("nextToken") && r["nextToken"].is_string()) {
    from = std::strtoul(r["nextToken"].get<std::string>().c_str(), nullptr, 10);
  }
  Json out = {{"events", Json::array()}};
  for (size_t i = from; i < events.size() && i < from + static_cast<size_t>(*max); ++i) {
    out["events"].push_back(events[i]);
  }
  if (from + static_cast<size_t>(*max) < events.size()) {
    out["nextToken"] = std::to_string(from + *max);
  }
  return out;
}

void StepFunctionsApi::Register(ApiRouter& router) {
  router.AddService(Service());
  const std::string p = Service().target_prefix + ".";
  using Method = AwsResult<Json> (StepFunctionsApi::*)(const Json&);
  const std::pair<const char*, Method> kOps[] = {
      {"ListStateMachines", &StepFunctionsApi::ListStateMachines},
      {"DescribeStateMachine", &StepFunctionsApi::DescribeStateMachine},
      {"StartExecution", &StepFunctionsApi::StartExecution},
      {"DescribeExecution", &StepFunctionsApi::DescribeExecution},
      {"ListExecutions", &StepFunctionsApi::ListExecutions},
      {"StopExecution", &StepFunctionsApi::StopExecution},
      {"RedriveExecution", &StepFunctionsApi::RedriveExecution},
      {"ListMapRuns", &StepFunctionsApi::ListMapRuns},
      {"DescribeMapRun", &StepFunctionsApi::DescribeMapRun},
      {"UpdateMapRun", &StepFunctionsApi::UpdateMapRun},
      {"GetExecutionHistory", &StepFunctionsApi::GetExecutionHistory}};
  for (const auto& [name, method] : kOps) {
    router.AddOperation(p + name, Lane::kPool,
                        [this, method = method](const Json& r) { return (this->*method)(r); });
  }
}

}  // namespace imagemill::server::stepfunctions
