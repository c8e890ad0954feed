// ResultWriter: Distributed Map's ResultWriter. Writes, under a destination store and prefix,
//   <prefix>/<execution>/<mapRunId>/manifest.json
//   <prefix>/<execution>/<mapRunId>/SUCCEEDED_0.json, FAILED_0.json, PENDING_0.json, ...
// in the Step Functions layout: each file is a JSON array of child-execution records with the
// item's Input, its Output (or Error and Cause), Status, StartDate and StopDate. Here a child is
// one item. SKIPPED_n.json (objects that are not images) is imagemill's addition.
#pragma once

#include <string>

#include "objectstore/object_store.h"
#include "db/state_store.h"

namespace imagemill {

class ResultWriter {
 public:
  // `dest` must outlive the writer. At most `records_per_file` records go in one file.
  ResultWriter(ObjectStore& dest, std::string prefix, size_t records_per_file = 5000);

  // Writes every file, then the manifest last. Returns the manifest's URI.
  Result<std::string> Write(StateStore& state, const ExecutionRecord& execution);

 private:
  ObjectStore& dest_;
  std::string prefix_;
  size_t records_per_file_;
};

}  // namespace imagemill
