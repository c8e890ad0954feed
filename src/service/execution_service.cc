#include "service/execution_service.h"

#include <opencv2/core.hpp>

#include <cmath>
#include <ctime>
#include <limits>

#include "objectstore/store_check.h"
#include "util/clock.h"
#include "util/ids.h"
#include "workflow/batcher.h"
#include "workflow/tolerance.h"

namespace imagemill::service {
namespace {

std::string DefaultExecutionName() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "run-%Y%m%d-%H%M%S", &tm);
  return std::string(buf) + "-" + NewUuid().substr(0, 4);
}

bool IsRemote(const std::string& uri) {
  return uri.starts_with("s3://") || uri.starts_with("mem://");
}

std::string Percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", p);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// NotFound for an unknown execution, saying where to look.
Status NoSuchExecution(const std::string& name, const Database& db) {
  return Status::NotFound("no execution named '" + name + "' in " + db.Describe() +
                          " (imagemill executions list shows them)");
}

}  // namespace

std::string ShellQuote(const std::string& arg) {
  const bool plain = !arg.empty() && arg.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-_./:=@%+,") == std::string::npos;
  if (plain) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

nlohmann::json ExecutionView::ToJson() const {
  const ExecutionRecord& e = record;
  nlohmann::json j = {{"name", e.name},
                      {"status", ExecutionStatusName(e.status)},
                      {"startDate", FormatIso8601(FromUnixMillis(e.start_ms))},
                      {"input", e.spec},
                      {"mapRunId", e.map_run_id},
                      {"itemCounts", counts.ToJson()},
                      {"redriveCount", e.redrive_count},
                      {"listingDone", e.listing_done}};
  const ExecutionSpec limits = spec.Effective();  // with UpdateMapRun's changes
  if (limits.tolerated_failure_percentage) {
    j["toleratedFailurePercentage"] = *limits.tolerated_failure_percentage;
  }
  if (limits.tolerated_failure_count) j["toleratedFailureCount"] = *limits.tolerated_failure_count;
  if (e.stop_ms > 0) j["stopDate"] = FormatIso8601(FromUnixMillis(e.stop_ms));
  if (!e.error.empty()) j["error"] = e.error;
  if (!e.cause.empty()) j["cause"] = e.cause;
  if (!e.manifest.empty()) j["manifest"] = e.manifest;
  return j;
}

ExecutionService::ExecutionService(Database& db, EngineOptions engine,
                                   ProcessorCache* processors)
    : db_(db), engine_(std::move(engine)), processors_(processors) {}

Result<std::shared_ptr<Processor>> ExecutionService::OpenProcessor(
    ProcessorSettings settings) const {
  settings.max_pixels =
      engine_.max_pixels > 0 ? engine_.max_pixels : std::numeric_limits<uint64_t>::max();
  if (processors_ != nullptr) return processors_->Get(settings);
  Result<std::unique_ptr<Processor>> made = MakeProcessor(settings);
  if (!made.ok()) return made.status();
  return std::shared_ptr<Processor>(std::move(made).value());
}

Result<ExecutionSpec> ExecutionService::MakeSpec(const StartRequest& r) const {
  Result<StoreLocation> where = ParseStoreUri(r.source);
  if (!where.ok()) return where.status();
  ExecutionSpec spec;
  spec.source = where->store_uri;
  spec.prefix = where->prefix;
  if (!r.prefix.empty()) {
    if (!spec.prefix.empty()) {
      return Status::InvalidArgument("the prefix is given twice (in " + r.source +
                                     " and --prefix); give it once");
    }
    spec.prefix = r.prefix;
  }
  if (!IsRemote(spec.source)) {
    Result<std::unique_ptr<ObjectStore>> local = OpenObjectStore(spec.source);
    if (!local.ok()) return local.status();
    spec.source = (*local)->Uri();
  }
  if (!r.result_writer.empty()) {
    Result<StoreLocation> rw = ParseStoreUri(r.result_writer);
    if (!rw.ok()) return rw.status();
    spec.result_writer = r.result_writer;
    if (!IsRemote(rw->store_uri)) {
      StoreOptions create;
      create.create_if_missing = true;
      Result<std::unique_ptr<ObjectStore>> dir = OpenObjectStore(rw->store_uri, create);
      if (!dir.ok()) return dir.status();
      spec.result_writer = (*dir)->Uri();
    }
    spec.writer_config = r.writer_config;
  }
  ProcessorSettings processor = r.processor;
  processor.max_pixels = engine_.max_pixels;
  Result<std::string> name = ProcessorName(processor);
  if (!name.ok()) return name.status();
  Result<std::string> kind = ProcessorKind(processor);
  if (!kind.ok()) return kind.status();
  spec.processor = *name;
  spec.kind = *kind;
  spec.processor_settings = processor.ToJson();
  spec.max_items_per_batch = r.max_items_per_batch;
  spec.max_input_bytes_per_batch = r.max_input_bytes_per_batch;
  spec.tolerated_failure_percentage = r.tolerated_failure_percentage;
  spec.tolerated_failure_count = r.tolerated_failure_count;
  if (!spec.tolerated_failure_percentage && !spec.tolerated_failure_count) {
    spec.tolerated_failure_percentage = 5;  // the seed's ToleratedFailurePercentage
  }
  spec.force = r.force;
  spec.replace = r.replace;
  if (Status s = spec.Validate(); !s.ok()) return s;
  return spec;
}

std::string ExecutionService::NameFor(const ExecutionSpec& spec, ProgressSink* progress) {
  if (std::optional<ExecutionRecord> open = db_.FindUnfinished(spec.ToJson())) {
    if (progress != nullptr) {
      progress->Note("resuming unfinished execution " + open->name +
                     " of the same job (give --execution-name to start another)");
    }
    return open->name;
  }
  return DefaultExecutionName();
}

Result<RunReport> ExecutionService::Run(const ExecutionSpec& spec, const std::string& name,
                                        ProgressSink* progress,
                                        const std::atomic<bool>* interrupt) {
  if (Status s = ValidateExecutionName(name); !s.ok()) return s;
  return RunSpec(spec, name, progress, interrupt, db_.GetExecution(name).has_value());
}

Result<RunReport> ExecutionService::RunSpec(const ExecutionSpec& spec, const std::string& name,
                                            ProgressSink* progress,
                                            const std::atomic<bool>* interrupt, bool exists,
                                            bool shared) {
  Result<std::unique_ptr<ObjectStore>> source = OpenCheckedStore(spec.source, engine_.store);
  if (!source.ok()) {
    return Status(source.status().code(),
                  "cannot read the source: " + source.status().ToString());
  }
  Result<ProcessorSettings> settings = ProcessorSettings::FromSpec(spec);
  if (!settings.ok()) return settings.status();
  cv::setNumThreads(std::max(1, engine_.dnn_threads));
  Result<std::shared_ptr<Processor>> processor = OpenProcessor(*settings);
  if (!processor.ok()) return processor.status();
  if ((*processor)->Name() != spec.processor) {
    return Status::InvalidArgument(
        "execution " + name + " was made by processor '" + spec.processor +
        "', and its stored settings now make '" + (*processor)->Name() +
        "' (the label model or its calibration changed); start a new execution");
  }
  if (!exists && !spec.replace) {
    for (const AnswerSet& other : db_.AnswersUnder(spec.source, spec.kind, spec.prefix)) {
      if (other.processor == spec.processor) continue;
      return Status::InvalidArgument(
          spec.source + " already holds " + std::to_string(other.count) + " " + spec.kind +
          " answers under '" + spec.prefix + "' made by '" + other.processor +
          "'; this run's settings make '" + spec.processor +
          "'. To replace them, run again with --replace; to keep them and try these settings, "
          "use another database (--db sqlite:trial.db)");
    }
  }
  RunOptions options = engine_.ToRunOptions(spec);
  options.progress = progress;
  options.interrupt = interrupt;
  options.shared = shared;
  std::unique_ptr<ObjectStore> result_store;
  if (!spec.result_writer.empty()) {
    Result<StoreLocation> where = ParseStoreUri(spec.result_writer);
    if (!where.ok()) return where.status();
    StoreOptions ro = engine_.store;
    ro.create_if_missing = true;
    Result<std::unique_ptr<ObjectStore>> dest = OpenCheckedStore(where->store_uri, ro);
    if (!dest.ok()) {
      return Status(dest.status().code(), "cannot write to the --result-writer destination: " +
                                              dest.status().ToString());
    }
    result_store = std::move(dest).value();
    options.result_store = result_store.get();
    options.result_prefix = where->prefix;
  }
  MapRun run(**source, db_, db_, **processor, options);
  Result<RunSummary> summary = run.Run(spec, name);
  if (!summary.ok()) return summary.status();
  if (summary->counts.total == 0 && !summary->already_finished) {
    NoteEmptyListing(spec, **source, progress);
  }
  return Report(std::move(summary).value(), spec);
}

void ExecutionService::NoteEmptyListing(const ExecutionSpec& spec, ObjectStore& source,
                                        ProgressSink* progress) {
  if (progress == nullptr) return;
  std::string where = source.Uri();
  if (!spec.prefix.empty()) where += (where.ends_with("/") ? "" : "/") + spec.prefix;
  std::string note = "no objects under " + where;
  auto sample = [&](std::string_view prefix) {
    std::string keys;
    Result<ListPage> page = source.List(prefix, "", 3);
    if (!page.ok()) return keys;
    for (const ObjectInfo& o : page->objects) keys += (keys.empty() ? "'" : ", '") + o.key + "'";
    return keys;
  };
  if (spec.prefix.empty()) {
    note += ": the source is empty";
  } else if (spec.prefix.ends_with("/")) {
    const std::string bare = spec.prefix.substr(0, spec.prefix.size() - 1);
    if (std::string keys = sample(bare); !keys.empty()) {
      note += "; keys start with '" + bare + "' without the trailing '/' (" + keys +
              "): did you mean --prefix " + ShellQuote(bare) + "?";
    }
  } else if (std::string keys = sample(""); !keys.empty()) {
    note += "; the prefix is a plain string matched from the start of each key, and keys look "
            "like " + keys;
  }
  progress->Note(note);
}

RunReport ExecutionService::Report(RunSummary summary, const ExecutionSpec& spec) {
  RunReport r;
  const ExecutionRecord& e = summary.execution;
  r.spec = spec;
  r.failed_by_error = db_.CountErrors(e.name, ItemStatus::kFailed);
  r.skipped_by_error = db_.CountErrors(e.name, ItemStatus::kSkipped);
  for (const auto& [error, n] : r.failed_by_error) r.failed_total += n;
  r.failed = Outcomes(e.name, ItemStatus::kFailed, 10);
  for (const auto& [error, n] : r.skipped_by_error) r.skipped_total += n;
  r.skipped = Outcomes(e.name, ItemStatus::kSkipped, 5);
  r.found = db_.LabelCounts(e.name, 12);
  std::string db_flag;
  if (db_.Describe() != kDefaultDatabaseUri) db_flag = " --db " + ShellQuote(db_.Describe());
  const std::string name = ShellQuote(e.name);
  if (e.status == ExecutionStatus::kAborted) {
    r.next_step = "resume with: imagemill resume " + name + db_flag;
  } else if (e.status == ExecutionStatus::kFailed && e.error == kExceedToleratedFailureThreshold) {
    int64_t lasting = 0;
    for (const auto& [error, n] : r.failed_by_error) {
      if (!IsRetryable(ParseCodeName(error).value_or(Code::kInternal))) lasting += n;
    }
    const ItemCounts& c = summary.counts;
    if (lasting == 0) {
      r.next_step = "the failures were transient: run them again with: imagemill redrive " +
                    name + db_flag;
    } else {
      const double pct = c.total > 0 ? 100.0 * static_cast<double>(c.failed) /
                                           static_cast<double>(c.total) : 100.0;
      const double accept = std::ceil(pct * 100.0) / 100.0;
      r.next_step = std::to_string(lasting) +
                    " items failed in a way a redrive meets again (damaged or unreadable); fix "
                    "or remove them, then: imagemill redrive " + name + db_flag +
                    "\n  or accept them: imagemill redrive " + name + db_flag +
                    " --tolerated-failure-percentage " + Percent(accept);
    }
  } else if (e.status == ExecutionStatus::kFailed) {
    r.next_step = "after fixing the cause, run it again with: imagemill redrive " + name + db_flag;
  }
  r.summary = std::move(summary);
  return r;
}

Result<RunReport> ExecutionService::Resume(const std::string& name, ProgressSink* progress,
                                           const std::atomic<bool>* interrupt) {
  std::optional<ExecutionRecord> e = db_.GetExecution(name);
  if (!e) {
    return NoSuchExecution(name, db_);
  }
  Result<ExecutionSpec> spec = ExecutionSpec::FromJson(e->spec);
  if (!spec.ok()) return spec.status();
  return RunSpec(*spec, name, progress, interrupt, true);
}

Result<RunReport> ExecutionService::Work(const std::string& name, ProgressSink* progress,
                                         const std::atomic<bool>* interrupt) {
  std::optional<ExecutionRecord> e = db_.GetExecution(name);
  if (!e) {
    return NoSuchExecution(name, db_);
  }
  if (e->status != ExecutionStatus::kRunning) {
    return Status::InvalidArgument("execution '" + name + "' is " +
                                   std::string(ExecutionStatusName(e->status)) +
                                   ", not RUNNING: a worker only joins running executions");
  }
  Result<ExecutionSpec> spec = ExecutionSpec::FromJson(e->spec);
  if (!spec.ok()) return spec.status();
  return RunSpec(*spec, name, progress, interrupt, true, /*shared=*/true);
}

Result<RunReport> ExecutionService::Redrive(const std::string& name, const RedriveRequest& request,
                                            ProgressSink* progress,
                                            const std::atomic<bool>* interrupt) {
  std::optional<ExecutionRecord> e = db_.GetExecution(name);
  if (!e) {
    return NoSuchExecution(name, db_);
  }
  Result<ExecutionSpec> spec = ExecutionSpec::FromJson(e->spec);
  if (!spec.ok()) return spec.status();
  const bool results_missing = !spec->result_writer.empty() && e->manifest.empty();
  if (e->status == ExecutionStatus::kSucceeded) {
    if (results_missing) return RunSpec(*spec, name, progress, interrupt, true);
    return Status::InvalidArgument("execution '" + name +
                                   "' succeeded; there is nothing to redrive");
  }
  if (e->status == ExecutionStatus::kRunning) {
    return Status::InvalidArgument("execution '" + name +
                                   "' is running; `imagemill resume " + ShellQuote(name) +
                                   "` continues it if its process is gone");
  }
  if (request.tolerated_failure_percentage || request.tolerated_failure_count) {
    spec->tolerated_failure_percentage = request.tolerated_failure_percentage;
    spec->tolerated_failure_count = request.tolerated_failure_count;
    // The redrive's tolerance replaces any UpdateMapRun set.
    spec->updates.tolerated_failure_percentage.reset();
    spec->updates.tolerated_failure_count.reset();
    if (Status s = spec->Validate(); !s.ok()) return s;
  }
  Batcher batcher(spec->max_items_per_batch, spec->max_input_bytes_per_batch);
  int64_t n = db_.PrepareRedrive(
      name, [&](std::vector<ObjectInfo> items) { return batcher.Cut(std::move(items)); },
      spec->ToJson());
  if (progress != nullptr) {
    progress->Note("redriving " + name + ": " + std::to_string(n) +
                   " failed items run again, with everything that never ran");
  }
  return RunSpec(*spec, name, progress, interrupt, true);
}

Status ExecutionService::UpdateMapRun(const std::string& name, const MapRunUpdate& update) {
  std::optional<ExecutionRecord> e = db_.GetExecution(name);
  if (!e) return Status::NotFound("no execution named '" + name + "'");
  if (e->status != ExecutionStatus::kRunning) {
    return Status::InvalidArgument("the map run of execution '" + name + "' is not running (" +
                                   std::string(ExecutionStatusName(e->status)) +
                                   "): only a running map run's limits can change");
  }
  Result<ExecutionSpec> spec = ExecutionSpec::FromJson(e->spec);
  if (!spec.ok()) return spec.status();
  // Kept apart from the options the execution was started with, which still resume it.
  if (update.max_concurrency) spec->updates.max_concurrency = update.max_concurrency;
  if (update.tolerated_failure_percentage) {
    spec->updates.tolerated_failure_percentage = update.tolerated_failure_percentage;
  }
  if (update.tolerated_failure_count) {
    spec->updates.tolerated_failure_count = update.tolerated_failure_count;
  }
  if (Status s = spec->Validate(); !s.ok()) return s;
  ExecutionUpdate u{ExecutionStatus::kRunning, e->error, e->cause, 0, std::nullopt, spec->ToJson()};
  if (!db_.UpdateExecution(name, ExecutionStatus::kRunning, u)) {
    return Status::InvalidArgument("the map run of execution '" + name +
                                   "' ended while its limits were changing");
  }
  return Status::Ok();
}

Status ExecutionService::Stop(const std::string& name, const std::string& error,
                              const std::string& cause) {
  ExecutionUpdate u{ExecutionStatus::kAborted, error, cause, ToUnixMillis(Clock::Real().Now()),
                    std::nullopt};
  if (db_.UpdateExecution(name, ExecutionStatus::kRunning, u)) return Status::Ok();
  if (!db_.GetExecution(name)) return Status::NotFound("no execution named '" + name + "'");
  return Status::InvalidArgument("execution '" + name + "' is not running");
}

Result<ExecutionView> ExecutionService::Describe(const std::string& name) {
  std::optional<ExecutionRecord> e = db_.GetExecution(name);
  if (!e) {
    return NoSuchExecution(name, db_);
  }
  ExecutionView v;
  v.record = *e;
  if (Result<ExecutionSpec> spec = ExecutionSpec::FromJson(e->spec); spec.ok()) v.spec = *spec;
  v.counts = db_.CountItems(name);
  return v;
}

std::vector<ExecutionView> ExecutionService::List(const ExecutionFilter& filter) {
  std::vector<ExecutionView> out;
  for (ExecutionRecord& e : db_.ListExecutions(filter)) {
    ExecutionView v;
    v.counts = db_.CountItems(e.name);
    if (Result<ExecutionSpec> spec = ExecutionSpec::FromJson(e.spec); spec.ok()) v.spec = *spec;
    v.record = std::move(e);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<ItemOutcome> ExecutionService::Outcomes(const std::string& name, ItemStatus status,
                                                    size_t limit) {
  std::vector<ItemOutcome> out;
  db_.ForEachOutcome(name, status, [&](const ItemOutcome& o) {
    if (limit == 0 || out.size() < limit) out.push_back(o);
  });
  return out;
}

}  // namespace imagemill::service
