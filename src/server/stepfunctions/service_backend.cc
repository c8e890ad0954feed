#include "server/stepfunctions/service_backend.h"

#include <spdlog/spdlog.h>

#include <condition_variable>

namespace imagemill::server::stepfunctions {
namespace {

using Json = nlohmann::json;
constexpr auto kStartWait = std::chrono::seconds(60);

// Counts what an execution run by this server does into the server's metrics.
class MetricsSink : public ProgressSink {
 public:
  MetricsSink(Metrics* metrics, std::string name) : metrics_(metrics), name_(std::move(name)) {}
  void Update(const ProgressSnapshot& s) override {
    if (metrics_ != nullptr && s.counts.succeeded > succeeded_) {
      metrics_->CountImages(s.counts.succeeded - succeeded_, std::chrono::steady_clock::now());
    }
    succeeded_ = std::max(succeeded_, s.counts.succeeded);
  }
  void Finish(const ProgressSnapshot& s) override {
    Update(s);
    if (metrics_ != nullptr) metrics_->CountItems("succeeded", "", s.counts.succeeded);
  }
  void Note(std::string_view message) override { spdlog::info("execution {}: {}", name_, message); }

 private:
  Metrics* metrics_;
  const std::string name_;
  int64_t succeeded_ = 0;
};

// The seed's Bucket as the source it names.
std::string SourceOf(const std::string& bucket) {
  if (bucket.starts_with("/") || bucket.starts_with("file://") || bucket.starts_with("s3://")) {
    return bucket;
  }
  return "s3://" + bucket;
}

// The Bucket a source was named by, for the input shown back: a bucket's name, a folder's
// absolute path.
std::string BucketOf(const std::string& source) {
  if (source.starts_with("s3://")) return source.substr(5);
  if (source.starts_with("file://")) return source.substr(7);
  return source;
}

}  // namespace

struct ServiceBackend::Running {
  std::thread thread;
  std::atomic<bool> interrupt{false};
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;  // guarded by mu
  Status status;          // guarded by mu: how the work ended
};

Result<service::StartRequest> SeedStartRequest(const std::string& input,
                                               const SeedDefaults& defaults) {
  Json in = Json::parse(input, nullptr, false);
  if (!in.is_object() || !in.contains("myStateInput") || !in["myStateInput"].is_object()) {
    return Status::InvalidArgument(
        "the input must be the seed's {\"myStateInput\": {\"Bucket\": \"...\", \"Prefix\": "
        "\"...\"}}");
  }
  const Json& s = in["myStateInput"];
  if (!s.contains("Bucket") || !s["Bucket"].is_string() || s["Bucket"].get<std::string>().empty()) {
    return Status::InvalidArgument("myStateInput.Bucket must name the bucket (or folder) to label");
  }
  for (const char* member : {"Prefix", "Key"}) {
    if (s.contains(member) && !s[member].is_string()) {
      return Status::InvalidArgument(std::string("myStateInput.") + member + " must be a string");
    }
  }
  if (s.contains("Prefix") && s.contains("Key")) {
    return Status::InvalidArgument("myStateInput takes a Prefix or a Key, not both");
  }
  service::StartRequest r;
  r.source = SourceOf(s["Bucket"]);
  r.prefix = s.contains("Key") ? s["Key"].get<std::string>() : s.value("Prefix", std::string());
  r.processor = defaults.processor;
  r.max_items_per_batch = defaults.max_items_per_batch;
  r.result_writer = defaults.result_writer;
  return r;
}

ServiceBackend::ServiceBackend(service::ExecutionService& service, SeedDefaults defaults,
                               Metrics* metrics)
    : service_(service), defaults_(std::move(defaults)), metrics_(metrics) {}

ServiceBackend::~ServiceBackend() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, r] : running_) r->interrupt = true;
  for (auto& [name, r] : running_) {
    if (r->thread.joinable()) r->thread.join();
  }
}

void ServiceBackend::Reap() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = running_.begin(); it != running_.end();) {
    bool finished;
    {
      std::lock_guard<std::mutex> l(it->second->mu);
      finished = it->second->finished;
    }
    if (finished) {
      it->second->thread.join();
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
}

Status ServiceBackend::Launch(
    const std::string& name,
    std::function<Status(const std::atomic<bool>* interrupt, ProgressSink* sink)> work) {
  Reap();
  Running* r = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_.count(name) > 0) {
      return Status::InvalidArgument("execution " + name + " is already running in this server");
    }
    if (static_cast<int>(running_.size()) >= defaults_.max_running) {
      return Status::Throttled(std::to_string(running_.size()) +
                               " executions are running in this server, its limit "
                               "(--max-running-executions): wait for one to end");
    }
    auto owned = std::make_unique<Running>();
    r = owned.get();
    running_[name] = std::move(owned);
    r->thread = std::thread([this, r, name, work] {
      MetricsSink sink(metrics_, name);
      Status s = work(&r->interrupt, &sink);
      if (!s.ok()) spdlog::warn("execution {}: {}", name, s.message());
      {
        std::lock_guard<std::mutex> l(r->mu);
        r->status = s;
        r->finished = true;
      }
      r->cv.notify_all();
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + kStartWait;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::unique_lock<std::mutex> l(r->mu);
      if (r->finished) return r->status;
      r->cv.wait_for(l, std::chrono::milliseconds(2));
      if (r->finished) return r->status;
    }
    Result<service::ExecutionView> view = service_.Describe(name);
    if (view.ok() && view->record.status == ExecutionStatus::kRunning) return Status::Ok();
  }
  return Status::Io("execution " + name + " did not start within 60 s (see the server's log)");
}

Status ServiceBackend::Start(const std::string& name, const std::string& input) {
  Result<service::StartRequest> request = SeedStartRequest(input, defaults_);
  if (!request.ok()) return request.status();
  if (Status s = ValidateExecutionName(name); !s.ok()) return s;
  Result<ExecutionSpec> spec = service_.MakeSpec(*request);
  if (!spec.ok()) return spec.status();
  return Launch(name,
                [this, spec = *spec, name](const std::atomic<bool>* interrupt, ProgressSink* sink) {
                  return service_.Run(spec, name, sink, interrupt).status();
                });
}

Status ServiceBackend::Redrive(const std::string& name) {
  return Launch(name, [this, name](const std::atomic<bool>* interrupt, ProgressSink* sink) {
    return service_.Redrive(name, {}, sink, interrupt).status();
  });
}

Status ServiceBackend::Stop(const std::string& name, const std::string& error,
                            const std::string& cause) {
  Status s = service_.Stop(name, error, cause);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = running_.find(name);
  if (it != running_.end()) it->second->interrupt = true;
  return s;
}

Status ServiceBackend::UpdateMapRun(const std::string& name,
                                    std::optional<int64_t> max_concurrency,
                                    std::optional<double> tolerated_failure_percentage,
                                    std::optional<int64_t> tolerated_failure_count) {
  service::MapRunUpdate u;
  if (max_concurrency) {
    u.max_concurrency = static_cast<int>(std::min<int64_t>(*max_concurrency, 1'000'000));
  }
  u.tolerated_failure_percentage = tolerated_failure_percentage;
  u.tolerated_failure_count = tolerated_failure_count;
  return service_.UpdateMapRun(name, u);
}

ExecutionInfo ServiceBackend::Info(const service::ExecutionView& v) const {
  ExecutionInfo e;
  const ExecutionRecord& r = v.record;
  e.name = r.name;
  e.status = std::string(ExecutionStatusName(r.status));
  e.map_run_status = e.status;
  e.start_ms = r.start_ms;
  e.stop_ms = r.stop_ms;
  e.error = r.error;
  e.cause = r.cause;
  e.map_run_id = r.map_run_id;
  e.redrive_count = r.redrive_count;
  e.input = Json{{"myStateInput", {{"Bucket", BucketOf(v.spec.source)}, {"Prefix", v.spec.prefix}}}}
                .dump();
  if (r.status == ExecutionStatus::kSucceeded) {
    Json output = Json::object();
    if (!r.manifest.empty()) {
      const std::string& m = r.manifest;
      if (m.starts_with("s3://")) {
        const size_t slash = m.find('/', 5);
        output["ResultWriterDetails"] = {
            {"Bucket", m.substr(5, slash - 5)},
            {"Key", slash == std::string::npos ? "" : m.substr(slash + 1)}};
      } else {
        output["ResultWriterDetails"] = {{"Bucket", ""}, {"Key", m}};
      }
    }
    e.output = output.dump();
  }
  const ExecutionSpec limits = v.spec.Effective();  // with UpdateMapRun's changes
  e.max_concurrency = limits.updates.max_concurrency.value_or(service_.engine().max_concurrency);
  e.tolerated_failure_percentage =
      limits.tolerated_failure_percentage.value_or(limits.tolerated_failure_count ? 0 : 5);
  e.tolerated_failure_count = limits.tolerated_failure_count.value_or(0);
  const ItemCounts& c = v.counts;
  e.pending = c.pending;
  e.running = c.running;
  e.succeeded = c.succeeded;
  e.failed = c.failed;
  e.timed_out = c.timed_out;
  e.aborted = c.aborted;
  e.total = c.total;
  e.results_written = c.results_written;
  return e;
}

std::optional<ExecutionInfo> ServiceBackend::Describe(const std::string& name) {
  Result<service::ExecutionView> v = service_.Describe(name);
  if (!v.ok()) return std::nullopt;
  return Info(*v);
}

std::vector<ExecutionInfo> ServiceBackend::List(const ListFilter& filter) {
  ExecutionFilter f;
  if (!filter.status.empty()) f.status = ParseExecutionStatus(filter.status);
  if (!filter.status.empty() && !f.status) return {};  // TIMED_OUT, PENDING_REDRIVE: none here
  f.limit = filter.limit;
  if (!filter.after.empty()) {
    Result<service::ExecutionView> after = service_.Describe(filter.after);
    if (!after.ok()) return {};
    f.after = std::make_pair(after->record.start_ms, filter.after);
  }
  std::vector<ExecutionInfo> out;
  for (const service::ExecutionView& v : service_.List(f)) out.push_back(Info(v));
  return out;
}

}  // namespace imagemill::server::stepfunctions
