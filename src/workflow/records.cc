#include "workflow/records.h"

namespace imagemill {

std::string_view ExecutionStatusName(ExecutionStatus s) {
  switch (s) {
    case ExecutionStatus::kRunning: return "RUNNING";
    case ExecutionStatus::kSucceeded: return "SUCCEEDED";
    case ExecutionStatus::kFailed: return "FAILED";
    case ExecutionStatus::kAborted: return "ABORTED";
  }
  return "FAILED";
}

std::optional<ExecutionStatus> ParseExecutionStatus(std::string_view s) {
  for (ExecutionStatus e : {ExecutionStatus::kRunning, ExecutionStatus::kSucceeded,
                            ExecutionStatus::kFailed, ExecutionStatus::kAborted}) {
    if (ExecutionStatusName(e) == s) return e;
  }
  return std::nullopt;
}

std::string_view ItemStatusName(ItemStatus s) {
  switch (s) {
    case ItemStatus::kSucceeded: return "SUCCEEDED";
    case ItemStatus::kFailed: return "FAILED";
    case ItemStatus::kSkipped: return "SKIPPED";
    case ItemStatus::kPending: return "PENDING";
  }
  return "FAILED";
}

nlohmann::json ItemCounts::ToJson() const {
  return {{"pending", pending},     {"running", running},
          {"succeeded", succeeded}, {"failed", failed},
          {"timedOut", timed_out},  {"aborted", aborted},
          {"total", total},         {"resultsWritten", results_written},
          {"skipped", skipped},     {"unchanged", unchanged}};
}

nlohmann::json StoredResult::ToJson() const {
  return {{"source", source},       {"id", id},
          {"kind", kind},           {"etag", etag},
          {"size", size},           {"processor", processor},
          {"execution", execution}, {"updatedAt", updated_at},
          {"response", response}};
}

}  // namespace imagemill
