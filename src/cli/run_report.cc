#include "cli/run_report.h"

#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/progress_bar.h"
#include "cli/text.h"

namespace imagemill::cli {
namespace {

std::string ByError(const std::vector<std::pair<std::string, int64_t>>& counts) {
  std::string out;
  for (const auto& [error, n] : counts) {
    out += (out.empty() ? "" : ", ") + error + " " + std::to_string(n);
  }
  return out;
}

}  // namespace

int PrintRunReport(const service::RunReport& r, bool json) {
  const RunSummary& s = r.summary;
  const ExecutionRecord& e = s.execution;
  const int code = e.status == ExecutionStatus::kSucceeded ? kExitOk : kExitRunFailed;
  if (json) {
    nlohmann::json j = s.ToJson();
    j["failedByError"] = nlohmann::json::object();
    for (const auto& [error, n] : r.failed_by_error) j["failedByError"][error] = n;
    j["skippedByError"] = nlohmann::json::object();
    for (const auto& [error, n] : r.skipped_by_error) j["skippedByError"][error] = n;
    if (!r.next_step.empty()) j["nextStep"] = r.next_step;
    std::cout << j.dump(2) << std::endl;
    return code;
  }
  const ItemCounts& c = s.counts;
  std::printf("Execution %s %s%s", e.name.c_str(), std::string(ExecutionStatusName(e.status)).c_str(),
              s.already_finished ? " (finished earlier; stored result)" : "");
  if (!s.already_finished) {
    std::printf(" in %s (%.1f items/s)", FormatDuration(s.duration_seconds).c_str(),
                s.items_per_second);
  }
  std::printf("\n  items: %lld total, %lld succeeded", static_cast<long long>(c.total),
              static_cast<long long>(c.succeeded));
  if (c.unchanged > 0) {
    std::printf(" (%lld unchanged since their stored answer)", static_cast<long long>(c.unchanged));
  }
  std::printf(", %lld failed, %lld skipped, %lld pending\n", static_cast<long long>(c.failed),
              static_cast<long long>(c.skipped), static_cast<long long>(c.pending + c.running));
  if (!r.skipped.empty()) {
    std::printf("  skipped, not images imagemill can label (%s):\n",
                ByError(r.skipped_by_error).c_str());
    for (const ItemOutcome& o : r.skipped) std::printf("    %s\n", o.cause.c_str());
    if (r.skipped_total > static_cast<int64_t>(r.skipped.size())) {
      std::printf("    ... and %lld more (imagemill executions describe %s)\n",
                  static_cast<long long>(r.skipped_total - static_cast<int64_t>(r.skipped.size())),
                  e.name.c_str());
    }
  }
  if (!e.error.empty()) std::printf("  error: %s: %s\n", e.error.c_str(), e.cause.c_str());
  if (!r.failed.empty()) {
    std::printf("  failed items (%s):\n", ByError(r.failed_by_error).c_str());
    for (const ItemOutcome& o : r.failed) {
      std::printf("    %s: %s: %s\n", EscapeKey(o.item.key).c_str(), o.error.c_str(),
                  o.cause.c_str());
    }
    if (r.failed_total > static_cast<int64_t>(r.failed.size())) {
      std::printf("    ... and %lld more (imagemill executions describe %s)\n",
                  static_cast<long long>(r.failed_total - static_cast<int64_t>(r.failed.size())),
                  e.name.c_str());
    }
  }
  if (!r.found.empty()) {
    std::printf("  found:");
    for (const auto& [label, n] : r.found) {
      std::printf(" %s (%lld)", label.c_str(), static_cast<long long>(n));
    }
    std::printf("\n");
  }
  if (!e.manifest.empty()) std::printf("  manifest: %s\n", e.manifest.c_str());
  if (!r.next_step.empty()) std::printf("  %s\n", r.next_step.c_str());
  return code;
}

int PrintRunError(const std::string& command, const Status& status) {
  std::cerr << "imagemill " << command << ": " << status.message() << "\n";
  return kExitUsage;
}

}  // namespace imagemill::cli
