// ResultWriter: Distributed Map's ResultWriter, in the layout Step Functions writes:
//
//   <prefix>/<map run id>/manifest.json
//   <prefix>/<map run id>/SUCCEEDED_0.json, FAILED_0.json, PENDING_0.json, ...
//
// One record per child execution. With ItemBatcher (always, here) a child is a batch: its Input is
// {"Items": [{"Bucket", "Name"}, ...]} and its Output a JSON array with one entry per item — the
// item's answer, or its Error and Cause. A batch is FAILED when one of its items failed; its
// record then carries Error and Cause (naming the failed items) and, beside them, the Output of
// the batch's other items, so nothing is lost. PENDING batches never ran (a run that stopped).
// Items answered from a stored result (unchanged since) are in SUCCEEDED batches like the others:
// a re-run's manifest accounts for every listed item.
//
// WriterConfig: OutputType JSON (each file a JSON array) or JSONL (one record a line);
// Transformation NONE (records with their metadata), COMPACT (the children's outputs only) or
// FLATTEN (the outputs' items, one level flattened). Failed children keep their metadata, as
// Step Functions keeps it.
#pragma once

#include <string>

#include "db/state_store.h"
#include "objectstore/object_store.h"
#include "util/retry.h"
#include "workflow/execution_spec.h"
#include "workflow/state_machine_arns.h"

namespace imagemill {

class ResultWriter {
 public:
  // `dest`, `retry` and `clock` must outlive the writer. At most `records_per_file` records go in
  // one file. A file whose write fails transiently is written again as `retry` says.
  ResultWriter(ObjectStore& dest, std::string prefix, WriterConfig config, const RetryPolicy& retry,
               Clock& clock, size_t records_per_file = 1000, StateMachineArns arns = StateMachineArns());

  // Writes every file, then the manifest last. Returns the manifest's URI.
  Result<std::string> Write(StateStore& state, const ExecutionRecord& execution,
                            const ExecutionSpec& spec);

 private:
  ObjectStore& dest_;
  std::string prefix_;
  WriterConfig config_;
  const RetryPolicy& retry_;
  Clock& clock_;
  size_t records_per_file_;
  StateMachineArns arns_;
};

}  // namespace imagemill
