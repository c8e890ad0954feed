// imagemill worker: one of many processes (on one machine or many) working on the executions a
// shared database holds — started by `imagemill run --no-work` or any `imagemill run`.
//
// The worker joins every RUNNING execution in turn, oldest first (or only --execution NAME),
// claims its batches until none is left, and waits for the next when there is none (or, with
// --exit-when-idle, exits). The first SIGTERM or Ctrl-C lets the images in hand finish, commits
// them and hands the rest back for the other workers; the execution stays RUNNING.
#include <chrono>
#include <iostream>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "cli/database.h"
#include "cli/engine_flags.h"
#include "cli/interrupt.h"
#include "cli/progress_bar.h"
#include "cli/run_report.h"

namespace imagemill::cli {
namespace {

struct WorkerFlags {
  std::string execution;
  bool exit_when_idle = false;
  double poll_seconds = 2;
  EngineFlags engine;
};

// Sleeps `seconds`, waking early when `interrupt` turns true.
void Nap(double seconds, const std::atomic<bool>* interrupt) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!interrupt->load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The executions to work on now: the named one while it runs, or every RUNNING one, oldest
// first. `*over` turns true when the named execution has ended.
std::vector<std::string> Runnable(Database& db, const std::string& only, bool* over) {
  std::vector<std::string> names;
  if (!only.empty()) {
    std::optional<ExecutionRecord> e = db.GetExecution(only);
    if (e && e->status == ExecutionStatus::kRunning) names.push_back(only);
    *over = e && (e->status == ExecutionStatus::kSucceeded || e->status == ExecutionStatus::kFailed);
    return names;
  }
  ExecutionFilter filter;
  filter.status = ExecutionStatus::kRunning;
  for (const ExecutionRecord& e : db.ListExecutions(filter)) names.insert(names.begin(), e.name);
  return names;
}

int WorkerCommand(WorkerFlags& f) {
  if (Status s = f.engine.engine.Validate(); !s.ok()) return PrintRunError("worker", s);
  if (!(f.poll_seconds > 0 && f.poll_seconds <= 3600)) {
    return PrintRunError("worker", Status::InvalidArgument(
                                       "--poll-seconds " + std::to_string(f.poll_seconds) +
                                       " is out of range: more than 0 and at most 3600"));
  }
  if (!f.execution.empty()) {
    if (Status s = ValidateExecutionName(f.execution); !s.ok()) return PrintRunError("worker", s);
  }
  // Workers may start before anything ran: the tables are made if there are none.
  std::unique_ptr<Database> db = OpenDb(f.engine.db, OpenMode::kCreate, "worker");
  if (!db) return kExitUsage;
  service::ExecutionService svc(*db, f.engine.engine);
  std::unique_ptr<ProgressSink> progress = MakeProgressSink(f.engine.quiet);
  InterruptScope interrupt;
  const std::atomic<bool>* stop = interrupt.flag();
  bool waiting_noted = false;
  while (!stop->load()) {
    bool over = false;
    std::vector<std::string> names = Runnable(*db, f.execution, &over);
    if (over) {
      spdlog::info("worker: execution {} has ended", f.execution);
      break;
    }
    if (names.empty()) {
      if (f.exit_when_idle) break;
      if (!waiting_noted) {
        spdlog::info("worker: waiting for {} in {}",
                     f.execution.empty() ? "a running execution" : "execution " + f.execution,
                     db->Describe());
        waiting_noted = true;
      }
      Nap(f.poll_seconds, stop);
      continue;
    }
    waiting_noted = false;
    bool still_running = false;
    for (const std::string& name : names) {
      if (stop->load()) break;
      Result<service::RunReport> report = svc.Work(name, progress.get(), stop);
      if (!report.ok()) {
        // It ended between the listing and the claim: nothing to do. Anything else is for the
        // user (the source cannot be read here, the processor cannot start).
        if (report.status().code() == Code::kInvalidArgument && db->GetExecution(name) &&
            db->GetExecution(name)->status != ExecutionStatus::kRunning) {
          continue;
        }
        return PrintRunError("worker", report.status());
      }
      const RunSummary& s = report->summary;
      if (f.engine.json) std::cout << s.ToJson().dump() << std::endl;
      std::string note = "execution " + name + ": " +
                         std::string(ExecutionStatusName(s.execution.status));
      if (!s.execution.cause.empty()) note += " (" + s.execution.cause + ")";
      spdlog::info("worker: {}", note);
      still_running = still_running || s.execution.status == ExecutionStatus::kRunning;
    }
    // An execution still running after this worker left it: the others hold its last batches,
    // or the database could not be reached. Look again after a pause.
    if (still_running && !stop->load()) Nap(f.poll_seconds, stop);
  }
  if (stop->load()) spdlog::info("worker: stopped; what it held is back in the queue");
  return kExitOk;
}

}  // namespace

void RegisterWorkerCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<WorkerFlags>();
  CLI::App* cmd = app.add_subcommand(
      "worker",
      "Work on the running executions of a shared database (--db postgresql://...) beside "
      "other workers, until stopped");
  cmd->add_option("--execution", flags->execution,
                  "Work on this execution only, and exit when it has ended");
  cmd->add_flag("--exit-when-idle", flags->exit_when_idle,
                "Exit when no execution is running (or the named one is not), instead of waiting");
  cmd->add_option("--poll-seconds", flags->poll_seconds,
                  "How often to look for a running execution while there is none")
      ->capture_default_str();
  flags->engine.Add(*cmd);
  cmd->callback([flags, &ctx] { ctx.exit_code = WorkerCommand(*flags); });
}

}  // namespace imagemill::cli
