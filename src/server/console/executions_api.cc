#include "server/console/executions_api.h"

#include "util/ids.h"

namespace imagemill::server::console {

using Json = nlohmann::json;

namespace {

constexpr size_t kItemsShown = 100;

Json OutcomesJson(const std::vector<ItemOutcome>& outcomes) {
  Json out = Json::array();
  for (const ItemOutcome& o : outcomes) {
    out.push_back({{"key", o.item.key}, {"error", o.error}, {"cause", o.cause},
                   {"attempts", o.attempts}, {"startMs", o.start_ms}, {"stopMs", o.stop_ms}});
  }
  return out;
}

// The status an action's error answers with.
int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case Code::kNotFound: return 404;
    case Code::kThrottled: return 429;
    case Code::kInvalidArgument: return 409;
    default: return 500;
  }
}

}  // namespace

Response JsonResponse(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response ErrorResponse(int status, const std::string& message) {
  return JsonResponse(status, {{"message", message}});
}

ExecutionsApi::ExecutionsApi(service::ExecutionService& service,
                             stepfunctions::ExecutionBackend* backend, Clock& clock)
    : service_(service), backend_(backend), clock_(clock) {}

Json ExecutionsApi::ToJson(const service::ExecutionView& v) {
  Json j = v.ToJson();
  const ExecutionRecord& r = v.record;
  const ItemCounts& c = v.counts;
  const int64_t end_ms = r.stop_ms > 0 ? r.stop_ms : ToUnixMillis(clock_.Now());
  const double seconds = std::max(0.001, (end_ms - r.start_ms) / 1000.0);
  const int64_t done = c.succeeded + c.failed + c.skipped;
  const double rate = done / seconds;
  j["startMs"] = r.start_ms;
  j["stopMs"] = r.stop_ms;
  j["listed"] = r.listed;
  j["seconds"] = seconds;
  j["rate"] = rate;
  const int64_t left = c.pending + c.running;
  j["eta"] = r.status == ExecutionStatus::kRunning && rate > 0 ? Json(left / rate) : Json(nullptr);
  j["toleratedFailurePercentage"] =
      v.spec.tolerated_failure_percentage.value_or(v.spec.tolerated_failure_count ? 0 : 5);
  j["toleratedFailureCount"] = v.spec.tolerated_failure_count.value_or(0);
  j["source"] = v.spec.source;
  j["prefix"] = v.spec.prefix;
  return j;
}

Response ExecutionsApi::List(const QueryParams& query) {
  ExecutionFilter filter;
  filter.limit = 50;
  if (const std::string status = query.Get("status"); !status.empty()) {
    filter.status = ParseExecutionStatus(status);
    if (!filter.status) {
      return ErrorResponse(400, "status " + status +
                                    " is not one of RUNNING, SUCCEEDED, FAILED, ABORTED");
    }
  }
  Json list = Json::array();
  for (const service::ExecutionView& v : service_.List(filter)) list.push_back(ToJson(v));
  return JsonResponse(200, {{"executions", list}, {"actions", backend_ != nullptr}});
}

Response ExecutionsApi::Describe(const std::string& name) {
  Result<service::ExecutionView> view = service_.Describe(name);
  if (!view.ok()) return ErrorResponse(404, view.status().message());
  Json j = ToJson(*view);
  j["failedItems"] = OutcomesJson(service_.Outcomes(name, ItemStatus::kFailed, kItemsShown));
  j["skippedItems"] = OutcomesJson(service_.Outcomes(name, ItemStatus::kSkipped, kItemsShown));
  j["labelsFound"] = service_.db().LabelCounts(name, 20);
  j["actions"] = backend_ != nullptr;
  return JsonResponse(200, j);
}

Response ExecutionsApi::ActionAnswer(const Status& s, const std::string& name) {
  if (!s.ok()) return ErrorResponse(HttpStatusOf(s), s.message());
  return JsonResponse(200, {{"name", name}});
}

Response ExecutionsApi::Start(const std::string& body) {
  if (backend_ == nullptr) return ErrorResponse(409, "this server does not run executions");
  const Json in = Json::parse(body, nullptr, false);
  if (!in.is_object() || !in.contains("bucket") || !in["bucket"].is_string() ||
      in["bucket"].get<std::string>().empty()) {
    return ErrorResponse(400,
                         "give the bucket (or folder) to label: {\"bucket\": \"photos\", "
                         "\"prefix\": \"sample/\"}");
  }
  if (in.contains("prefix") && !in["prefix"].is_string()) {
    return ErrorResponse(400, "prefix must be a string (\"\" for every object)");
  }
  // The name Step Functions would give a console start: unique, and readable in a list.
  const std::string name =
      "console-" + FormatIso8601(clock_.Now()).substr(0, 19) + "-" + NewUuid().substr(0, 8);
  std::string clean;
  for (char ch : name) clean.push_back(ch == ':' ? '-' : ch);
  const Json input = {{"myStateInput",
                       {{"Bucket", in["bucket"]}, {"Prefix", in.value("prefix", std::string())}}}};
  Status s = backend_->Start(clean, input.dump());
  if (!s.ok() && s.code() == Code::kInvalidArgument) return ErrorResponse(400, s.message());
  return ActionAnswer(s, clean);
}

Response ExecutionsApi::Stop(const std::string& name) {
  if (backend_ == nullptr) return ErrorResponse(409, "this server does not run executions");
  if (!service_.Describe(name).ok()) return ErrorResponse(404, "no execution named " + name);
  return ActionAnswer(backend_->Stop(name, "States.Aborted", "stopped from the console"), name);
}

Response ExecutionsApi::Redrive(const std::string& name) {
  if (backend_ == nullptr) return ErrorResponse(409, "this server does not run executions");
  if (!service_.Describe(name).ok()) return ErrorResponse(404, "no execution named " + name);
  return ActionAnswer(backend_->Redrive(name), name);
}

}  // namespace imagemill::server::console
