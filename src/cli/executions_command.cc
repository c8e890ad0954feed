// imagemill executions list | describe NAME: what ran, as Step Functions' ListExecutions and
// DescribeExecution + DescribeMapRun show it.
#include <iostream>

#include "cli/command.h"
#include "cli/database.h"
#include "cli/progress_bar.h"
#include "cli/text.h"
#include "service/execution_service.h"
#include "util/clock.h"

namespace imagemill::cli {
namespace {

struct ExecutionsFlags {
  std::string db;
  std::string name;
  std::string status;
  int limit = 50;
  bool json = false;
};

int List(const ExecutionsFlags& f) {
  std::unique_ptr<Database> db = OpenDb(f.db, OpenMode::kExisting, "executions list");
  if (!db) return kExitRunFailed;
  service::ExecutionService svc(*db, {});
  ExecutionFilter filter;
  filter.limit = f.limit;
  if (!f.status.empty()) filter.status = ParseExecutionStatus(f.status);
  std::vector<service::ExecutionView> all = svc.List(filter);
  if (f.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const service::ExecutionView& v : all) arr.push_back(v.ToJson());
    std::cout << arr.dump(2) << "\n";
    return kExitOk;
  }
  if (all.empty()) {
    std::cerr << "imagemill: no executions" << (f.status.empty() ? "" : " " + f.status) << " in "
              << db->Describe() << "\n";
    return kExitOk;
  }
  std::printf("%-32s %-10s %-24s %9s %9s %9s %9s %9s\n", "NAME", "STATUS", "STARTED", "DURATION",
              "TOTAL", "SUCCEEDED", "FAILED", "SKIPPED");
  for (const service::ExecutionView& v : all) {
    const ExecutionRecord& e = v.record;
    const ItemCounts& c = v.counts;
    std::string duration = e.stop_ms > 0 ? FormatDuration((e.stop_ms - e.start_ms) / 1000.0) : "-";
    std::printf("%-32s %-10s %-24s %9s %9lld %9lld %9lld %9lld\n", e.name.c_str(),
                std::string(ExecutionStatusName(e.status)).c_str(),
                FormatIso8601(FromUnixMillis(e.start_ms)).c_str(), duration.c_str(),
                static_cast<long long>(c.total), static_cast<long long>(c.succeeded),
                static_cast<long long>(c.failed), static_cast<long long>(c.skipped));
  }
  return kExitOk;
}

int DescribeOne(const ExecutionsFlags& f) {
  std::unique_ptr<Database> db = OpenDb(f.db, OpenMode::kExisting, "executions describe");
  if (!db) return kExitRunFailed;
  service::ExecutionService svc(*db, {});
  Result<service::ExecutionView> v = svc.Describe(f.name);
  if (!v.ok()) {
    std::cerr << "imagemill executions describe: " << v.status().message() << "\n";
    return kExitRunFailed;
  }
  nlohmann::json j = v->ToJson();
  for (auto [status, member] : {std::pair{ItemStatus::kFailed, "failedItems"},
                                std::pair{ItemStatus::kSkipped, "skippedItems"}}) {
    nlohmann::json items = nlohmann::json::array();
    for (const ItemOutcome& o : svc.Outcomes(f.name, status, 0)) {
      items.push_back({{"key", o.item.key}, {"error", o.error}, {"cause", o.cause}});
    }
    j[member] = items;
  }
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kExitOk;
}

}  // namespace

void RegisterExecutionsCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<ExecutionsFlags>();
  CLI::App* cmd = app.add_subcommand("executions", "List executions, or describe one");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "Executions, newest first");
  AddDbFlag(*list, flags->db);
  list->add_option("--status", flags->status, "Only these: RUNNING, SUCCEEDED, FAILED, ABORTED")
      ->check(CLI::IsMember({"RUNNING", "SUCCEEDED", "FAILED", "ABORTED"}));
  list->add_option("--limit", flags->limit, "At most this many")->capture_default_str();
  list->add_flag("--json", flags->json, "As JSON");
  list->callback([flags, &ctx] { ctx.exit_code = List(*flags); });
  CLI::App* describe = cmd->add_subcommand(
      "describe", "One execution, its map run, failed and skipped items (JSON)");
  describe->add_option("NAME", flags->name, "The execution's name")->required();
  AddDbFlag(*describe, flags->db);
  describe->callback([flags, &ctx] { ctx.exit_code = DescribeOne(*flags); });
}

}  // namespace imagemill::cli
