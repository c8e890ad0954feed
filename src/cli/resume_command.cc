// imagemill resume NAME: continue an interrupted execution from its stored options.
#include "cli/command.h"
#include "cli/database.h"
#include "cli/engine_flags.h"
#include "cli/interrupt.h"
#include "cli/progress_bar.h"
#include "cli/run_report.h"

namespace imagemill::cli {
namespace {

struct ResumeFlags {
  std::string name;
  EngineFlags engine;
};

int ResumeCommand(ResumeFlags& f) {
  if (Status s = f.engine.engine.Validate(); !s.ok()) return PrintRunError("resume", s);
  std::unique_ptr<Database> db = OpenDb(f.engine.db, OpenMode::kExisting, "resume");
  if (!db) return kExitUsage;
  service::ExecutionService svc(*db, f.engine.engine);
  std::unique_ptr<ProgressSink> progress = MakeProgressSink(f.engine.quiet);
  InterruptScope interrupt;
  Result<service::RunReport> report = svc.Resume(f.name, progress.get(), interrupt.flag());
  if (!report.ok()) return PrintRunError("resume", report.status());
  return PrintRunReport(*report, f.engine.json);
}

}  // namespace

void RegisterResumeCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<ResumeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "resume", "Continue an interrupted execution with the options it was started with");
  cmd->add_option("NAME", flags->name, "The execution's name")->required();
  flags->engine.Add(*cmd);
  cmd->callback([flags, &ctx] { ctx.exit_code = ResumeCommand(*flags); });
}

}  // namespace imagemill::cli
