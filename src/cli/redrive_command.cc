// imagemill redrive NAME: run again only what failed or never ran in a finished execution.
#include <iostream>

#include "cli/command.h"
#include "cli/database.h"
#include "cli/engine_flags.h"
#include "workflow/batcher.h"

namespace imagemill::cli {
namespace {

struct RedriveFlags {
  std::string name;
  EngineFlags engine;
};

int RedriveCommand(RedriveFlags& f) {
  std::unique_ptr<SqliteDatabase> db = OpenDatabase(f.engine.db);
  std::optional<ExecutionRecord> e = db->GetExecution(f.name);
  if (!e) {
    std::cerr << "imagemill redrive: no execution named '" << f.name << "' in " << f.engine.db
              << " (imagemill executions list shows them)\n";
    return kExitUsage;
  }
  if (e->status == ExecutionStatus::kSucceeded) {
    std::cerr << "imagemill redrive: execution '" << f.name
              << "' succeeded; there is nothing to redrive\n";
    return kExitUsage;
  }
  Result<ExecutionSpec> spec = ExecutionSpec::FromJson(e->spec);
  if (!spec.ok()) {
    std::cerr << "imagemill redrive: " << spec.status().message() << "\n";
    return kExitUsage;
  }
  if (e->status != ExecutionStatus::kRunning) {
    Batcher batcher(spec->max_items_per_batch, spec->max_input_bytes_per_batch);
    int64_t n = db->PrepareRedrive(f.name, [&](std::vector<ObjectInfo> items) {
      return batcher.Cut(std::move(items));
    });
    std::cerr << "imagemill: redriving " << f.name << ": " << n
              << " failed items run again, with everything that never ran\n";
  }
  return ExecuteAndReport(*spec, f.name, f.engine, *db);
}

}  // namespace

void RegisterRedriveCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<RedriveFlags>();
  CLI::App* cmd = app.add_subcommand(
      "redrive", "Run again what failed or never ran in a failed or aborted execution");
  cmd->add_option("NAME", flags->name, "The execution's name")->required();
  flags->engine.Add(*cmd);
  cmd->callback([flags, &ctx] { ctx.exit_code = RedriveCommand(*flags); });
}

}  // namespace imagemill::cli
