// ExecutionSpec: what one execution is asked to do — the Distributed Map's ItemReader, ItemBatcher,
// tolerance and ResultWriter settings. Its JSON form identifies the execution: asking again for
// the same name with a different spec is an error, as Step Functions' StartExecution is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace imagemill {

struct ExecutionSpec {
  std::string source;     // the store's URI: an absolute folder path or s3://bucket
  std::string prefix;     // ItemReader Prefix: a plain string prefix of the keys
  std::string processor;  // Processor::Name() of the work done per item
  // What the command line needs to build that processor again on resume or redrive (its
  // registry name and settings); null when the name alone says it.
  nlohmann::json processor_settings;
  int max_items_per_batch = 100;         // ItemBatcher MaxItemsPerBatch
  uint64_t max_input_bytes_per_batch = 0;  // ItemBatcher MaxInputBytesPerBatch (0: no limit)
  std::optional<double> tolerated_failure_percentage;  // ToleratedFailurePercentage
  std::optional<int64_t> tolerated_failure_count;      // ToleratedFailureCount
  bool force = false;         // process items even when their ETag already has a result
  std::string result_writer;  // ResultWriter destination ("" for none)

  nlohmann::json ToJson() const;
  static Result<ExecutionSpec> FromJson(const nlohmann::json& j);
  // InvalidArgument naming the setting when one is out of range.
  Status Validate() const;
};

}  // namespace imagemill
