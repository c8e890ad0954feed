// imagemill executions list | describe NAME: what ran, as Step Functions' ListExecutions and
// DescribeExecution + DescribeMapRun show it.
#include <iostream>

#include "cli/command.h"
#include "cli/database.h"
#include "cli/progress_bar.h"
#include "util/clock.h"

namespace imagemill::cli {
namespace {

struct ExecutionsFlags {
  std::string db;
  std::string name;
  int limit = 50;
  bool json = false;
};

nlohmann::json Describe(const ExecutionRecord& e, const ItemCounts& c) {
  nlohmann::json j = {{"name", e.name},
                      {"status", ExecutionStatusName(e.status)},
                      {"startDate", FormatIso8601(FromUnixMillis(e.start_ms))},
                      {"input", e.spec},
                      {"mapRunId", e.map_run_id},
                      {"itemCounts", c.ToJson()},
                      {"redriveCount", e.redrive_count},
                      {"listingDone", e.listing_done}};
  if (e.stop_ms > 0) j["stopDate"] = FormatIso8601(FromUnixMillis(e.stop_ms));
  if (!e.error.empty()) j["error"] = e.error;
  if (!e.cause.empty()) j["cause"] = e.cause;
  if (!e.manifest.empty()) j["manifest"] = e.manifest;
  return j;
}

int List(const ExecutionsFlags& f) {
  std::unique_ptr<SqliteDatabase> db = OpenDatabase(f.db);
  std::vector<ExecutionRecord> all = db->ListExecutions(f.limit);
  if (f.json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const ExecutionRecord& e : all) arr.push_back(Describe(e, db->CountItems(e.name)));
    std::cout << arr.dump(2) << "\n";
    return kExitOk;
  }
  std::printf("%-32s %-10s %-24s %9s %9s %9s %9s\n", "NAME", "STATUS", "STARTED", "DURATION",
              "TOTAL", "SUCCEEDED", "FAILED");
  for (const ExecutionRecord& e : all) {
    ItemCounts c = db->CountItems(e.name);
    std::string duration = e.stop_ms > 0 ? FormatDuration((e.stop_ms - e.start_ms) / 1000.0) : "-";
    std::printf("%-32s %-10s %-24s %9s %9lld %9lld %9lld\n", e.name.c_str(),
                std::string(ExecutionStatusName(e.status)).c_str(),
                FormatIso8601(FromUnixMillis(e.start_ms)).c_str(), duration.c_str(),
                static_cast<long long>(c.total), static_cast<long long>(c.succeeded),
                static_cast<long long>(c.failed));
  }
  return kExitOk;
}

int DescribeOne(const ExecutionsFlags& f) {
  std::unique_ptr<SqliteDatabase> db = OpenDatabase(f.db);
  std::optional<ExecutionRecord> e = db->GetExecution(f.name);
  if (!e) {
    std::cerr << "imagemill: no execution named '" << f.name << "' in " << f.db
              << " (imagemill executions list shows them)\n";
    return kExitRunFailed;
  }
  nlohmann::json j = Describe(*e, db->CountItems(e->name));
  nlohmann::json failed = nlohmann::json::array();
  db->ForEachOutcome(e->name, ItemStatus::kFailed, [&](const ItemOutcome& o) {
    failed.push_back({{"key", o.item.key}, {"error", o.error}, {"cause", o.cause}});
  });
  j["failedItems"] = failed;
  std::cout << j.dump(2) << "\n";
  return kExitOk;
}

}  // namespace

void RegisterExecutionsCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<ExecutionsFlags>();
  CLI::App* cmd = app.add_subcommand("executions", "List executions, or describe one");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "Executions, newest first");
  AddDbFlag(*list, flags->db);
  list->add_option("--limit", flags->limit, "At most this many")->capture_default_str();
  list->add_flag("--json", flags->json, "As JSON");
  list->callback([flags, &ctx] { ctx.exit_code = List(*flags); });
  CLI::App* describe = cmd->add_subcommand("describe", "One execution, its map run and failed items (JSON)");
  describe->add_option("NAME", flags->name, "The execution's name")->required();
  AddDbFlag(*describe, flags->db);
  describe->callback([flags, &ctx] { ctx.exit_code = DescribeOne(*flags); });
}

}  // namespace imagemill::cli
