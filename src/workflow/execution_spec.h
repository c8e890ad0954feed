// ExecutionSpec: what one execution is asked to do — the Distributed Map's ItemReader, ItemBatcher,
// tolerance and ResultWriter settings — and the limits UpdateMapRun changed while it ran. Its JSON
// form without those changes (SpecIdentity) identifies the execution: asking again for the same
// name with a different spec is an error, as Step Functions' StartExecution is, while asking with
// the options it started with resumes it, whatever UpdateMapRun changed since.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace imagemill {

// ResultWriter's WriterConfig.
struct WriterConfig {
  std::string output_type = "JSON";       // JSON: each file a JSON array; JSONL: JSON Lines
  std::string transformation = "NONE";    // NONE, COMPACT or FLATTEN
  bool operator==(const WriterConfig&) const = default;
};

// UpdateMapRun's changes to a map run: each one set replaces the spec's own value while the map
// run runs and when its end is decided, and outlasts a resume.
struct MapRunUpdates {
  // MaxConcurrency (none: the engine's --max-concurrency; 0: no limit but the engine's own).
  std::optional<int> max_concurrency;
  std::optional<double> tolerated_failure_percentage;
  std::optional<int64_t> tolerated_failure_count;
  bool empty() const {
    return !max_concurrency && !tolerated_failure_percentage && !tolerated_failure_count;
  }
  bool operator==(const MapRunUpdates&) const = default;
};

struct ExecutionSpec {
  std::string source;     // the store's URI: an absolute folder path or s3://bucket
  std::string prefix;     // ItemReader Prefix: a plain string prefix of the keys
  std::string processor;  // Processor::Name() of the work done per item
  std::string kind;       // Processor::Kind(): where its answers go in the results table
  // What the command line needs to build that processor again on resume or redrive (its
  // registry name and settings); null when the name alone says it.
  nlohmann::json processor_settings;
  int max_items_per_batch = 100;         // ItemBatcher MaxItemsPerBatch
  uint64_t max_input_bytes_per_batch = 0;  // ItemBatcher MaxInputBytesPerBatch (0: no limit)
  std::optional<double> tolerated_failure_percentage;  // ToleratedFailurePercentage
  std::optional<int64_t> tolerated_failure_count;      // ToleratedFailureCount
  MapRunUpdates updates;  // kept apart: no part of the identity
  bool force = false;         // process items even when their ETag already has a result
  // Replace answers another processor (other settings) made for the same objects; without it a
  // run that would replace them is refused.
  bool replace = false;
  std::string result_writer;  // ResultWriter destination ("" for none)
  WriterConfig writer_config;

  // The spec with `updates` in force: its tolerance is the one that decides the map run's end.
  // `updates` stays as it is.
  ExecutionSpec Effective() const;

  // The JSON form, with the updates (when any) under "mapRunUpdates".
  nlohmann::json ToJson() const;
  static Result<ExecutionSpec> FromJson(const nlohmann::json& j);
  // InvalidArgument naming the setting when one is out of range.
  Status Validate() const;
};

// The part of a stored spec's JSON that identifies its execution: all but UpdateMapRun's changes.
nlohmann::json SpecIdentity(const nlohmann::json& spec);

// Step Functions' rule for execution names: 1 to 80 characters, none of them whitespace, brackets
// (< > { } [ ]), wildcards (? *), " # % \ ^ | ~ ` $ & , ; : / or control characters. A name is
// also a folder of the result writer's destination, so these rules keep it inside it.
// InvalidArgument saying which rule a name breaks.
Status ValidateExecutionName(std::string_view name);

}  // namespace imagemill
