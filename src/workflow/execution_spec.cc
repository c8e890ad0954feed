#include "workflow/execution_spec.h"

namespace imagemill {

nlohmann::json ExecutionSpec::ToJson() const {
  nlohmann::json j = {{"source", source},
                      {"prefix", prefix},
                      {"processor", processor},
                      {"maxItemsPerBatch", max_items_per_batch},
                      {"maxInputBytesPerBatch", max_input_bytes_per_batch},
                      {"force", force},
                      {"resultWriter", result_writer}};
  if (!processor_settings.is_null()) j["processorSettings"] = processor_settings;
  j["toleratedFailurePercentage"] =
      tolerated_failure_percentage ? nlohmann::json(*tolerated_failure_percentage) : nullptr;
  j["toleratedFailureCount"] =
      tolerated_failure_count ? nlohmann::json(*tolerated_failure_count) : nullptr;
  return j;
}

Result<ExecutionSpec> ExecutionSpec::FromJson(const nlohmann::json& j) {
  try {
    ExecutionSpec s;
    s.source = j.at("source").get<std::string>();
    s.prefix = j.at("prefix").get<std::string>();
    s.processor = j.at("processor").get<std::string>();
    s.max_items_per_batch = j.at("maxItemsPerBatch").get<int>();
    s.max_input_bytes_per_batch = j.at("maxInputBytesPerBatch").get<uint64_t>();
    s.force = j.at("force").get<bool>();
    s.result_writer = j.at("resultWriter").get<std::string>();
    if (j.contains("processorSettings")) s.processor_settings = j["processorSettings"];
    if (!j.at("toleratedFailurePercentage").is_null()) {
      s.tolerated_failure_percentage = j["toleratedFailurePercentage"].get<double>();
    }
    if (!j.at("toleratedFailureCount").is_null()) {
      s.tolerated_failure_count = j["toleratedFailureCount"].get<int64_t>();
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("stored execution spec is unreadable: ") + e.what());
  }
}

Status ExecutionSpec::Validate() const {
  if (source.empty()) return Status::InvalidArgument("no SOURCE given: a folder or s3://bucket");
  if (max_items_per_batch < 1 || max_items_per_batch > 100000) {
    return Status::InvalidArgument("--max-items-per-batch must be between 1 and 100000");
  }
  if (tolerated_failure_percentage &&
      (*tolerated_failure_percentage < 0 || *tolerated_failure_percentage > 100)) {
    return Status::InvalidArgument("--tolerated-failure-percentage must be between 0 and 100");
  }
  if (tolerated_failure_count && *tolerated_failure_count < 0) {
    return Status::InvalidArgument("--tolerated-failure-count must be 0 or more");
  }
  return Status::Ok();
}

}  // namespace imagemill
