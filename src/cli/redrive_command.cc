// imagemill redrive NAME: run again only what failed or never ran in a finished execution.
#include "cli/command.h"
#include "cli/database.h"
#include "cli/engine_flags.h"
#include "cli/interrupt.h"
#include "cli/progress_bar.h"
#include "cli/run_report.h"

namespace imagemill::cli {
namespace {

struct RedriveFlags {
  std::string name;
  service::RedriveRequest request;
  EngineFlags engine;
};

int RedriveCommand(RedriveFlags& f) {
  if (Status s = f.engine.engine.Validate(); !s.ok()) return PrintRunError("redrive", s);
  std::unique_ptr<Database> db = OpenDb(f.engine.db, OpenMode::kExisting, "redrive");
  if (!db) return kExitUsage;
  service::ExecutionService svc(*db, f.engine.engine);
  std::unique_ptr<ProgressSink> progress = MakeProgressSink(f.engine.quiet);
  InterruptScope interrupt;
  Result<service::RunReport> report =
      svc.Redrive(f.name, f.request, progress.get(), interrupt.flag());
  if (!report.ok()) return PrintRunError("redrive", report.status());
  return PrintRunReport(*report, f.engine.json);
}

}  // namespace

void RegisterRedriveCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<RedriveFlags>();
  CLI::App* cmd = app.add_subcommand(
      "redrive", "Run again what failed or never ran in a failed or aborted execution");
  cmd->add_option("NAME", flags->name, "The execution's name")->required();
  cmd->add_option("--tolerated-failure-percentage", flags->request.tolerated_failure_percentage,
                  "A new tolerance, replacing the execution's (0-100): how to accept failures a "
                  "redrive meets again");
  cmd->add_option("--tolerated-failure-count", flags->request.tolerated_failure_count,
                  "A new tolerance as a count, replacing the execution's");
  flags->engine.Add(*cmd);
  cmd->callback([flags, &ctx] { ctx.exit_code = RedriveCommand(*flags); });
}

}  // namespace imagemill::cli
