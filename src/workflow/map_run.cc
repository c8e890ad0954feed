#include "workflow/map_run.h"

#include "db/database_error.h"
#include "util/ids.h"
#include "workflow/result_writer.h"
#include "workflow/scheduler.h"
#include "workflow/tolerance.h"

namespace imagemill {
namespace {

constexpr const char* kResultWriterFailed = "States.ResultWriterFailed";

}  // namespace

nlohmann::json RunSummary::ToJson() const {
  nlohmann::json j = {{"executionName", execution.name},
                      {"mapRunId", execution.map_run_id},
                      {"status", ExecutionStatusName(execution.status)},
                      {"itemCounts", counts.ToJson()},
                      {"durationSeconds", duration_seconds},
                      {"itemsPerSecond", items_per_second},
                      {"redriveCount", execution.redrive_count},
                      {"manifest", execution.manifest.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(execution.manifest)}};
  if (!execution.error.empty()) j["error"] = execution.error;
  if (!execution.cause.empty()) j["cause"] = execution.cause;
  return j;
}

std::vector<std::string> SpecDifferences(const nlohmann::json& stored,
                                         const nlohmann::json& asked) {
  std::vector<std::string> out;
  if (!stored.is_object() || !asked.is_object()) return {"the whole job"};
  nlohmann::json keys = nlohmann::json::object();
  for (const auto& [k, v] : stored.items()) keys[k] = true;
  for (const auto& [k, v] : asked.items()) keys[k] = true;
  for (const auto& [k, unused] : keys.items()) {
    const nlohmann::json a = stored.value(k, nlohmann::json());
    const nlohmann::json b = asked.value(k, nlohmann::json());
    if (a != b) out.push_back(k + ": " + a.dump() + " → " + b.dump());
  }
  return out;
}

MapRun::MapRun(ObjectStore& source, StateStore& state, ResultsTable& results,
               const Processor& processor, RunOptions options)
    : source_(source),
      state_(state),
      results_(results),
      processor_(processor),
      options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = &Clock::Real();
}

void MapRun::WriteResults(const ExecutionSpec& spec, const ExecutionRecord& exec) {
  if (spec.result_writer.empty() || options_.result_store == nullptr || !exec.manifest.empty() ||
      exec.status == ExecutionStatus::kRunning || exec.status == ExecutionStatus::kAborted) {
    return;
  }
  ResultWriter writer(*options_.result_store, options_.result_prefix, spec.writer_config,
                      options_.retry, *options_.clock, 1000, options_.arns);
  Result<std::string> manifest = writer.Write(state_, exec, spec);
  ExecutionUpdate u{exec.status, exec.error, exec.cause, exec.stop_ms, std::nullopt};
  if (manifest.ok()) {
    u.manifest = *manifest;
    if (exec.error == kResultWriterFailed) {  // written now: the run's own outcome stands
      const ItemCounts c = state_.CountItems(exec.name);
      const Tolerance tolerance(spec.tolerated_failure_percentage, spec.tolerated_failure_count);
      u = tolerance.Exceeded(c.failed, c.total, true)
              ? ExecutionUpdate{ExecutionStatus::kFailed, kExceedToleratedFailureThreshold,
                                tolerance.Cause(c.failed, c.total), exec.stop_ms, *manifest}
              : ExecutionUpdate{ExecutionStatus::kSucceeded, "", "", exec.stop_ms, *manifest};
    }
  } else {
    u.status = ExecutionStatus::kFailed;
    u.error = kResultWriterFailed;
    u.cause = manifest.status().ToString();
  }
  state_.UpdateExecution(exec.name, exec.status, u);
}

ExecutionRecord MapRun::AwaitResults(const ExecutionSpec& spec, ExecutionRecord exec) {
  auto written = [&] {
    return spec.result_writer.empty() || options_.result_store == nullptr ||
           !exec.manifest.empty() || exec.error == kResultWriterFailed ||
           (exec.status != ExecutionStatus::kSucceeded && exec.status != ExecutionStatus::kFailed);
  };
  Clock& clock = *options_.clock;
  const auto deadline = clock.Steady() + std::chrono::seconds(60);
  while (!written() && clock.Steady() < deadline &&
         (options_.interrupt == nullptr || !options_.interrupt->load())) {
    clock.SleepFor(std::chrono::milliseconds(200));
    std::optional<ExecutionRecord> now = state_.GetExecution(exec.name);
    if (!now) break;
    exec = std::move(*now);
  }
  if (!written() && options_.progress != nullptr) {
    options_.progress->Note("another process ended " + exec.name +
                            " and has not finished writing its result files; `imagemill "
                            "executions describe " + exec.name + "` names the manifest once "
                            "written, and `imagemill redrive` writes them if that process died");
  }
  return exec;
}

RunSummary MapRun::Finish(const ExecutionSpec& spec, const ExecutionRecord& exec, bool write) {
  if (write) WriteResults(spec, exec);
  RunSummary summary;
  summary.execution = state_.GetExecution(exec.name).value_or(exec);
  // The process whose status change ended the map run writes the files; the others wait for
  // them, so every process's summary names the same manifest.
  if (!write) summary.execution = AwaitResults(spec, std::move(summary.execution));
  summary.counts = state_.CountItems(exec.name);
  return summary;
}

Result<RunSummary> MapRun::Run(const ExecutionSpec& spec, const std::string& name) {
  if (Status s = spec.Validate(); !s.ok()) return s;
  if (Status s = ValidateExecutionName(name); !s.ok()) return s;
  if (spec.kind != processor_.Kind()) {  // answers are stored and found by their kind
    return Status::InvalidArgument("the execution's answers are of kind '" + spec.kind +
                                   "' but its processor " + processor_.Name() + " gives '" +
                                   processor_.Kind() + "' answers");
  }
  Clock& clock = *options_.clock;
  ExecutionRecord proposed;
  proposed.name = name;
  proposed.map_run_id = NewUuid();
  proposed.spec = spec.ToJson();
  proposed.start_ms = ToUnixMillis(clock.Now());
  bool created = false;
  ExecutionRecord exec = state_.CreateOrGetExecution(proposed, &created);
  if (!created && SpecIdentity(exec.spec) != SpecIdentity(proposed.spec)) {
    std::string diff;
    for (const std::string& d :
         SpecDifferences(SpecIdentity(exec.spec), SpecIdentity(proposed.spec))) {
      diff += "\n  " + d;
    }
    return Status::InvalidArgument("execution '" + name +
                                   "' already exists with other options:" + diff +
                                   "\nrepeat its options to resume it, or choose another name");
  }
  if (exec.status != ExecutionStatus::kRunning && options_.shared) {
    // A worker joins running executions only; whoever ended this one writes its files.
    RunSummary summary = Finish(spec, exec, /*write=*/false);
    summary.already_finished = true;
    return summary;
  }
  if (exec.status == ExecutionStatus::kSucceeded || exec.status == ExecutionStatus::kFailed) {
    RunSummary summary = Finish(spec, exec, /*write=*/true);
    summary.duration_seconds = exec.stop_ms > 0 ? (exec.stop_ms - exec.start_ms) / 1000.0 : 0;
    summary.already_finished = true;
    return summary;
  }
  if (exec.status == ExecutionStatus::kAborted) {
    state_.UpdateExecution(name, ExecutionStatus::kAborted,
                           ExecutionUpdate{ExecutionStatus::kRunning, "", "", 0, std::nullopt});
    exec.status = ExecutionStatus::kRunning;
  }
  RunSummary summary;
  if (!created) {
    summary.orphans_recovered =
        state_.RecoverOrphans(name, ToUnixMillis(clock.Now()), OwnerIsDeadOnThisHost);
    if (summary.orphans_recovered > 0 && options_.progress != nullptr) {
      options_.progress->Note(name + ": " + std::to_string(summary.orphans_recovered) +
                              " unfinished batches of an earlier run will run again");
    }
  }

  // The run goes on under the limits UpdateMapRun set on the stored execution, if any.
  ExecutionSpec run_spec = spec;
  if (Result<ExecutionSpec> stored = ExecutionSpec::FromJson(exec.spec); stored.ok()) {
    run_spec.updates = stored->updates;
  }
  Scheduler scheduler(source_, state_, results_, processor_, options_, run_spec, exec);
  Scheduler::Outcome out = scheduler.Run();
  if (options_.progress != nullptr) options_.progress->Finish(out.last);
  summary.resumed = !created;
  summary.duration_seconds = out.last.elapsed_seconds;
  summary.items_per_second = out.last.items_per_second;
  summary.refused = out.refused;
  const int64_t stop_ms = ToUnixMillis(clock.Now());

  if (options_.shared && (out.stop == Scheduler::Stop::kInterrupt ||
                          out.stop == Scheduler::Stop::kDatabase)) {
    // One of several processes left: what it held is back in the queue (or its lease runs out);
    // the others go on, and the execution stays RUNNING.
    summary.execution = exec;
    summary.counts = out.last.counts;
    if (out.stop == Scheduler::Stop::kDatabase) summary.execution.cause = out.cause;
    return summary;
  }
  if (out.stop == Scheduler::Stop::kDatabase) {
    // The database failed: nothing more can be recorded reliably. The execution stays resumable;
    // marking it ABORTED is tried, and the counts come from what this run saw.
    ExecutionUpdate u{ExecutionStatus::kAborted, "imagemill.DatabaseFailed", out.cause, stop_ms,
                      std::nullopt};
    try {
      state_.UpdateExecution(name, ExecutionStatus::kRunning, u);
    } catch (const DatabaseError&) {  // NOLINT(bugprone-empty-catch): it stays RUNNING; resumable
    }
    summary.execution = exec;
    summary.execution.status = ExecutionStatus::kAborted;
    summary.execution.error = u.error;
    summary.execution.cause = u.cause;
    summary.counts = out.last.counts;
    return summary;
  }
  if (out.stop == Scheduler::Stop::kStopped) {
    // Another process decided its status, and writes its files.
    RunSummary finished = Finish(spec, state_.GetExecution(name).value_or(exec), /*write=*/false);
    finished.duration_seconds = summary.duration_seconds;
    finished.items_per_second = summary.items_per_second;
    return finished;
  }

  ItemCounts counts = state_.CountItems(name);
  ExecutionUpdate u{ExecutionStatus::kSucceeded, "", "", stop_ms, std::nullopt};
  // The tolerance as it stands now: UpdateMapRun may have changed it while the map run ran.
  ExecutionSpec limits = spec;
  if (std::optional<ExecutionRecord> now = state_.GetExecution(name)) {
    if (Result<ExecutionSpec> stored = ExecutionSpec::FromJson(now->spec); stored.ok()) {
      limits = stored->Effective();
    }
  }
  const Tolerance tolerance(limits.tolerated_failure_percentage, limits.tolerated_failure_count);
  if (out.stop == Scheduler::Stop::kInterrupt) {
    u.status = ExecutionStatus::kAborted;
    u.cause = "interrupted; run the same command again to resume";
  } else if (out.stop == Scheduler::Stop::kListing) {
    u.status = ExecutionStatus::kFailed;
    u.error = "States.ItemReaderFailed";
    u.cause = out.cause;
  } else if (out.stop == Scheduler::Stop::kTolerance ||
             tolerance.Exceeded(counts.failed, counts.total, /*total_is_final=*/true)) {
    u.status = ExecutionStatus::kFailed;
    u.error = kExceedToleratedFailureThreshold;
    // The final counts, not those when the limit was crossed: the summary shows the same.
    u.cause = tolerance.Cause(counts.failed, counts.total);
  } else if (counts.pending + counts.running > 0) {
    // Another process holds batches still (a shared execution): it finishes the execution.
    summary.execution = state_.GetExecution(name).value_or(exec);
    summary.counts = counts;
    return summary;
  }
  // Several processes may see the map run end at once: the one whose status change lands
  // writes the result files, once.
  const bool decided = state_.UpdateExecution(name, ExecutionStatus::kRunning, u);
  RunSummary finished = Finish(spec, state_.GetExecution(name).value_or(exec), decided);
  summary.execution = finished.execution;
  summary.counts = finished.counts;
  return summary;
}

}  // namespace imagemill
