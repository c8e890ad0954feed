// MapRun: the map-run engine — one execution of the seed's Distributed Map on this process.
//
// Run() starts or resumes an execution and runs it (Scheduler) until nothing is left for this
// process, then finishes it: decides its status, writes the ResultWriter's files when the spec
// names a destination, and records both. Finishing is resumable too: an execution that finished
// without the files it should have (the process died while writing them) gets them written by the
// next Run of it.
//
// Several processes may run one execution at once (imagemill worker, RunOptions::shared): each
// lists what is left to list and claims batches; the one that sees the map run end decides the
// status (a compare-and-set) and writes the result files.
//
// Crash safety: every durable step is one transaction (a listing step; a batch part's outcomes).
// Killed at any moment, the same Run on the same execution resumes: orphaned batches go back to
// PENDING with the items they committed kept, DONE batches are never run again, results are
// upserted by (source, id, kind).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "db/results_table.h"
#include "db/state_store.h"
#include "objectstore/object_store.h"
#include "workflow/execution_spec.h"
#include "workflow/processor.h"
#include "workflow/run_options.h"

namespace imagemill {

struct RunSummary {
  ExecutionRecord execution;  // as it stands after the run
  ItemCounts counts;
  double duration_seconds = 0;
  double items_per_second = 0;    // items finished by this run, per second
  bool already_finished = false;  // the execution had finished before: nothing was run
  bool resumed = false;           // the execution existed and was continued
  int64_t orphans_recovered = 0;  // batches of an earlier, unfinished run that ran again
  int64_t refused = 0;            // batch parts another claim had taken over
  nlohmann::json ToJson() const;
};

// The options of `stored` and `asked` that differ, as "name: stored → asked" lines.
std::vector<std::string> SpecDifferences(const nlohmann::json& stored, const nlohmann::json& asked);

class MapRun {
 public:
  // All references must outlive the MapRun.
  MapRun(ObjectStore& source, StateStore& state, ResultsTable& results, const Processor& processor,
         RunOptions options);

  // Starts the execution `name` for `spec`, or resumes it if it exists unfinished, or returns its
  // stored result if it has finished (writing its result files first if they are missing).
  // InvalidArgument, naming the options that differ, if `name` exists with a different spec.
  // A database that fails during the run ends it as ABORTED (resumable), error
  // "imagemill.DatabaseFailed": not an exception.
  Result<RunSummary> Run(const ExecutionSpec& spec, const std::string& name);

 private:
  // The summary of a finished execution; with `write`, its result files are written first if
  // they are missing (only the process that decided its status, or a later resume, writes them).
  RunSummary Finish(const ExecutionSpec& spec, const ExecutionRecord& exec, bool write);
  // Waits (up to a minute) for the process that ended the map run to record its manifest.
  ExecutionRecord AwaitResults(const ExecutionSpec& spec, ExecutionRecord exec);
  // Writes the result files of a finished execution that names a destination and has no
  // manifest yet, and records the manifest (or the failure).
  void WriteResults(const ExecutionSpec& spec, const ExecutionRecord& exec);

  ObjectStore& source_;
  StateStore& state_;
  ResultsTable& results_;
  const Processor& processor_;
  RunOptions options_;
};

}  // namespace imagemill
