// ExecutionService: what every front end calls — `imagemill run`, `redrive`, `executions`,
// `results`, `serve`, `worker` — to start, follow, stop and redrive executions and to read their
// answers. It owns no threads of its own: Run and Redrive run an execution on the caller's thread
// until it ends (a server runs them on threads of its own); everything else returns at once.
// Every call returns a Result/Status; progress and notes reach the caller through a ProgressSink.
//
// Thread-safe when the Database is (every backend is).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/database.h"
#include "service/engine_options.h"
#include "service/processor_cache.h"
#include "service/processors.h"
#include "util/status.h"
#include "workflow/execution_spec.h"
#include "workflow/map_run.h"
#include "workflow/progress.h"

namespace imagemill::service {

// What an execution is asked to do, before it is a spec: the seed's event input, a command line.
struct StartRequest {
  std::string source;  // a folder (/path, ./path, file:///path) or s3://bucket[/prefix]
  std::string prefix;  // ItemReader Prefix (if not in `source`)
  ProcessorSettings processor;
  int max_items_per_batch = 100;
  uint64_t max_input_bytes_per_batch = 0;
  std::optional<double> tolerated_failure_percentage;  // neither set: 5 %, the seed's
  std::optional<int64_t> tolerated_failure_count;
  bool force = false;
  bool replace = false;
  std::string result_writer;  // "" for none
  WriterConfig writer_config;
};

// A redrive may change the tolerance (Step Functions' RedriveExecution cannot; a new
// ToleratedFailure* is how a user accepts the failures that will not go away).
struct RedriveRequest {
  std::optional<double> tolerated_failure_percentage;
  std::optional<int64_t> tolerated_failure_count;
};

// UpdateMapRun's changes to a running map run; what is not set stays as it is.
struct MapRunUpdate {
  std::optional<int> max_concurrency;  // 0: no limit but the engine's own
  std::optional<double> tolerated_failure_percentage;
  std::optional<int64_t> tolerated_failure_count;
};

// One execution as DescribeExecution and DescribeMapRun show it.
struct ExecutionView {
  ExecutionRecord record;
  ExecutionSpec spec;
  ItemCounts counts;
  nlohmann::json ToJson() const;
};

// What a finished (or stopped) run reports, for the front ends to show.
struct RunReport {
  RunSummary summary;
  ExecutionSpec spec;
  std::vector<std::pair<std::string, int64_t>> failed_by_error;   // most frequent first
  std::vector<std::pair<std::string, int64_t>> skipped_by_error;  // most frequent first
  std::vector<ItemOutcome> failed;  // the first few failed items
  int64_t failed_total = 0;
  // The first few skipped items (objects that are not images imagemill reads); each cause names
  // the object and the reason.
  std::vector<ItemOutcome> skipped;
  int64_t skipped_total = 0;
  std::vector<std::pair<std::string, int64_t>> found;  // the labels found most often
  // What to do next, when the execution did not succeed: a command to paste, or how to accept
  // failures that a redrive would meet again.
  std::string next_step;
};

class ExecutionService {
 public:
  // `db` must outlive the service. `engine` is validated by the caller (EngineOptions::Validate).
  // `processors` (may be null; must outlive the service): where executions take their processor,
  // loaded once for all of them (a server); null: each execution loads its own (a run).
  ExecutionService(Database& db, EngineOptions engine, ProcessorCache* processors = nullptr);

  // The processor `settings` make under this service's engine options (its pixel limit), from
  // the cache when the service has one. MakeProcessor's errors.
  Result<std::shared_ptr<Processor>> OpenProcessor(ProcessorSettings settings) const;

  // The spec `request` asks for: URIs made absolute, the processor named, ranges checked.
  // InvalidArgument naming the option at fault; the store's errors for a source that cannot be
  // read or a destination that cannot be written.
  Result<ExecutionSpec> MakeSpec(const StartRequest& request) const;

  // The name a run of `spec` takes when none is given: the unfinished execution of the same job
  // (noted through `progress`), or a new "run-YYYYMMDD-HHMMSS-xxxx".
  std::string NameFor(const ExecutionSpec& spec, ProgressSink* progress);

  // Starts the execution `name` for `spec`, or resumes it, and runs it to its end on this thread.
  // `interrupt` (may be null) stops it, resumable. Errors before anything ran: InvalidArgument
  // (the name exists with other options — naming them —, answers another processor made would be
  // replaced, a bad name), the source's or the processor's errors.
  Result<RunReport> Run(const ExecutionSpec& spec, const std::string& name, ProgressSink* progress,
                        const std::atomic<bool>* interrupt);

  // Resumes an unfinished (RUNNING or ABORTED) execution from its stored spec; for a finished one,
  // writes its result files if they are missing. NotFound for an unknown name.
  Result<RunReport> Resume(const std::string& name, ProgressSink* progress,
                           const std::atomic<bool>* interrupt);

  // Works on the RUNNING execution `name` beside the other processes running it (imagemill
  // worker): lists what is left to list, claims batches until none is left, and, if this process
  // sees the map run end, decides its status and writes its result files. `interrupt` hands back
  // what this process holds and leaves the execution RUNNING for the others. NotFound for an
  // unknown name; InvalidArgument when it is not RUNNING (a worker never starts, resumes or
  // finishes a stopped execution).
  Result<RunReport> Work(const std::string& name, ProgressSink* progress,
                         const std::atomic<bool>* interrupt);

  // Runs again what failed or never ran in a FAILED or ABORTED execution. InvalidArgument for a
  // SUCCEEDED one (unless its result files are missing: they are written) or a RUNNING one.
  Result<RunReport> Redrive(const std::string& name, const RedriveRequest& request,
                            ProgressSink* progress, const std::atomic<bool>* interrupt);

  // Marks a RUNNING execution ABORTED; the processes running it notice within a second, commit
  // what finished and give the rest back. InvalidArgument when it is not running.
  Status Stop(const std::string& name, const std::string& error, const std::string& cause);

  // Changes the limits of a RUNNING execution's map run: stored with the execution, where every
  // process running it picks them up within a second (RunOptions::status_every) and decides the
  // map run's end by them. NotFound for an unknown name; InvalidArgument when it is not running or
  // a limit is out of range.
  Status UpdateMapRun(const std::string& name, const MapRunUpdate& update);

  Result<ExecutionView> Describe(const std::string& name);
  std::vector<ExecutionView> List(const ExecutionFilter& filter);
  // FAILED or SKIPPED items of an execution, in key order, at most `limit` (0: all).
  std::vector<ItemOutcome> Outcomes(const std::string& name, ItemStatus status, size_t limit);

  Database& db() { return db_; }
  const EngineOptions& engine() const { return engine_; }

 private:
  // `shared`: this process is one of several running the execution (RunOptions::shared).
  Result<RunReport> RunSpec(const ExecutionSpec& spec, const std::string& name,
                            ProgressSink* progress, const std::atomic<bool>* interrupt,
                            bool exists, bool shared = false);
  RunReport Report(RunSummary summary, const ExecutionSpec& spec);
  // A note when a run listed nothing: what the source holds near the prefix.
  void NoteEmptyListing(const ExecutionSpec& spec, ObjectStore& source, ProgressSink* progress);

  Database& db_;
  const EngineOptions engine_;
  ProcessorCache* const processors_;
};

// "imagemill resume NAME --db URI": a command that can be pasted as printed (arguments quoted
// for a POSIX shell where they need it).
std::string ShellQuote(const std::string& arg);

}  // namespace imagemill::service
