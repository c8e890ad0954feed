#include "workflow/execution_spec.h"

namespace imagemill {
namespace {

constexpr const char* kUpdates = "mapRunUpdates";

}  // namespace

ExecutionSpec ExecutionSpec::Effective() const {
  ExecutionSpec e = *this;
  if (updates.tolerated_failure_percentage) {
    e.tolerated_failure_percentage = updates.tolerated_failure_percentage;
  }
  if (updates.tolerated_failure_count) e.tolerated_failure_count = updates.tolerated_failure_count;
  return e;
}

nlohmann::json SpecIdentity(const nlohmann::json& spec) {
  if (!spec.is_object()) return spec;
  nlohmann::json identity = spec;
  identity.erase(kUpdates);
  identity.erase("maxConcurrency");  // where UpdateMapRun kept it before "mapRunUpdates"
  return identity;
}

nlohmann::json ExecutionSpec::ToJson() const {
  nlohmann::json j = {{"source", source},
                      {"prefix", prefix},
                      {"processor", processor},
                      {"kind", kind},
                      {"maxItemsPerBatch", max_items_per_batch},
                      {"maxInputBytesPerBatch", max_input_bytes_per_batch},
                      {"force", force},
                      {"replace", replace},
                      {"resultWriter", result_writer}};
  if (!result_writer.empty()) {
    j["writerConfig"] = {{"OutputType", writer_config.output_type},
                         {"Transformation", writer_config.transformation}};
  }
  if (!processor_settings.is_null()) j["processorSettings"] = processor_settings;
  j["toleratedFailurePercentage"] =
      tolerated_failure_percentage ? nlohmann::json(*tolerated_failure_percentage) : nullptr;
  j["toleratedFailureCount"] =
      tolerated_failure_count ? nlohmann::json(*tolerated_failure_count) : nullptr;
  if (!updates.empty()) {
    nlohmann::json& u = j[kUpdates] = nlohmann::json::object();
    if (updates.max_concurrency) u["maxConcurrency"] = *updates.max_concurrency;
    if (updates.tolerated_failure_percentage) {
      u["toleratedFailurePercentage"] = *updates.tolerated_failure_percentage;
    }
    if (updates.tolerated_failure_count) {
      u["toleratedFailureCount"] = *updates.tolerated_failure_count;
    }
  }
  return j;
}

Result<ExecutionSpec> ExecutionSpec::FromJson(const nlohmann::json& j) {
  try {
    ExecutionSpec s;
    s.source = j.at("source").get<std::string>();
    s.prefix = j.at("prefix").get<std::string>();
    s.processor = j.at("processor").get<std::string>();
    s.kind = j.value("kind", s.processor == "none" ? "inventory" : "labels");
    s.max_items_per_batch = j.at("maxItemsPerBatch").get<int>();
    s.max_input_bytes_per_batch = j.at("maxInputBytesPerBatch").get<uint64_t>();
    s.force = j.at("force").get<bool>();
    s.replace = j.value("replace", false);
    s.result_writer = j.at("resultWriter").get<std::string>();
    if (j.contains("writerConfig")) {
      s.writer_config.output_type = j["writerConfig"].value("OutputType", "JSON");
      s.writer_config.transformation = j["writerConfig"].value("Transformation", "NONE");
    }
    if (j.contains("processorSettings")) s.processor_settings = j["processorSettings"];
    if (!j.at("toleratedFailurePercentage").is_null()) {
      s.tolerated_failure_percentage = j["toleratedFailurePercentage"].get<double>();
    }
    if (!j.at("toleratedFailureCount").is_null()) {
      s.tolerated_failure_count = j["toleratedFailureCount"].get<int64_t>();
    }
    if (j.contains("maxConcurrency") && !j["maxConcurrency"].is_null()) {
      s.updates.max_concurrency = j["maxConcurrency"].get<int>();  // stored before mapRunUpdates
    }
    if (j.contains(kUpdates) && j[kUpdates].is_object()) {
      const nlohmann::json& u = j[kUpdates];
      if (u.contains("maxConcurrency")) s.updates.max_concurrency = u["maxConcurrency"].get<int>();
      if (u.contains("toleratedFailurePercentage")) {
        s.updates.tolerated_failure_percentage = u["toleratedFailurePercentage"].get<double>();
      }
      if (u.contains("toleratedFailureCount")) {
        s.updates.tolerated_failure_count = u["toleratedFailureCount"].get<int64_t>();
      }
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("stored execution spec is unreadable: ") + e.what());
  }
}

Status ExecutionSpec::Validate() const {
  if (!updates.empty()) {
    ExecutionSpec e = Effective();
    e.updates = {};
    if (Status s = e.Validate(); !s.ok()) return s;
    if (updates.max_concurrency && *updates.max_concurrency < 0) {
      return Status::InvalidArgument("maxConcurrency must be 0 (no limit) or more");
    }
  }
  if (source.empty()) return Status::InvalidArgument("no SOURCE given: a folder or s3://bucket");
  if (max_items_per_batch < 1 || max_items_per_batch > 100000) {
    return Status::InvalidArgument("--max-items-per-batch must be between 1 and 100000");
  }
  if (tolerated_failure_percentage &&
      !(*tolerated_failure_percentage >= 0 && *tolerated_failure_percentage <= 100)) {
    return Status::InvalidArgument("--tolerated-failure-percentage must be between 0 and 100");
  }
  if (tolerated_failure_count && *tolerated_failure_count < 0) {
    return Status::InvalidArgument("--tolerated-failure-count must be 0 or more");
  }
  if (writer_config.output_type != "JSON" && writer_config.output_type != "JSONL") {
    return Status::InvalidArgument("the result writer's OutputType must be JSON or JSONL, not '" +
                                   writer_config.output_type + "'");
  }
  const std::string& t = writer_config.transformation;
  if (t != "NONE" && t != "COMPACT" && t != "FLATTEN") {
    return Status::InvalidArgument(
        "the result writer's Transformation must be NONE, COMPACT or FLATTEN, not '" + t + "'");
  }
  return Status::Ok();
}

Status ValidateExecutionName(std::string_view name) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("execution name '" + std::string(name) + "' " + why +
                                   " (names are 1-80 characters: letters, digits, - _ . and "
                                   "other characters outside the excluded set)");
  };
  if (name.empty()) return bad("is empty");
  if (name.size() > 80) return bad("is longer than 80 characters");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return bad("holds a control character");
    if (std::string_view(" <>{}[]?*\"#%\\^|~`$&,;:/").find(static_cast<char>(c)) !=
        std::string_view::npos) {
      return bad(std::string("holds '") + static_cast<char>(c) + "'");
    }
  }
  // U+0080-U+009F (C1 controls) in UTF-8: C2 80 to C2 9F.
  for (size_t i = 0; i + 1 < name.size(); ++i) {
    auto a = static_cast<unsigned char>(name[i]), b = static_cast<unsigned char>(name[i + 1]);
    if (a == 0xc2 && b >= 0x80 && b <= 0x9f) return bad("holds a control character");
  }
  return Status::Ok();
}

}  // namespace imagemill
