// imagemill run SOURCE: start (or resume) an execution over a bucket or folder.
#include <iostream>

#include "cli/command.h"
#include "cli/database.h"
#include "cli/engine_flags.h"
#include "cli/interrupt.h"
#include "cli/label_flags.h"
#include "cli/progress_bar.h"
#include "cli/run_report.h"

namespace imagemill::cli {
namespace {

struct RunFlags {
  service::StartRequest request;
  std::string execution_name;
  EngineFlags engine;
  LabelFlags labels;
  bool no_work = false;
};

int RunCommand(RunFlags& f) {
  if (Status s = f.engine.engine.Validate(); !s.ok()) return PrintRunError("run", s);
  f.engine.engine.work = !f.no_work;
  service::StartRequest& r = f.request;
  if (r.processor.name == "labels") {
    if (Status s = f.labels.Resolve(r.processor.model, r.processor.labels); !s.ok()) {
      return PrintRunError("run", s);
    }
    r.processor.extra_labels = f.labels.extra_labels;
  } else if (f.labels.AnyGiven()) {
    return PrintRunError("run", Status::InvalidArgument(
                                    "the label flags (--label-model, --min-confidence, "
                                    "--settings, ...) apply to --processor labels only"));
  }
  if (r.processor.name == "faces") r.processor.model.models_dir = f.labels.ModelsDir();
  std::unique_ptr<Database> db = OpenDb(f.engine.db, OpenMode::kCreate, "run");
  if (!db) return kExitUsage;
  service::ExecutionService svc(*db, f.engine.engine);
  Result<ExecutionSpec> spec = svc.MakeSpec(r);
  if (!spec.ok()) return PrintRunError("run", spec.status());
  std::unique_ptr<ProgressSink> progress = MakeProgressSink(f.engine.quiet);
  const std::string name =
      f.execution_name.empty() ? svc.NameFor(*spec, progress.get()) : f.execution_name;
  InterruptScope interrupt;
  Result<service::RunReport> report = svc.Run(*spec, name, progress.get(), interrupt.flag());
  if (!report.ok()) return PrintRunError("run", report.status());
  return PrintRunReport(*report, f.engine.json);
}

}  // namespace

void RegisterRunCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<RunFlags>();
  service::StartRequest& r = flags->request;
  CLI::App* cmd = app.add_subcommand(
      "run", "Label every image under SOURCE and record the results (starts or resumes an execution)");
  cmd->add_option("SOURCE", r.source, "A folder (/path, ./path, file:///path) or s3://bucket/prefix")
      ->required();
  cmd->add_option("--prefix", r.prefix, "Only keys starting with this string (S3 semantics)");
  cmd->add_option("--execution-name", flags->execution_name,
                  "Name of the execution; the same name resumes it after a crash");
  cmd->add_option("--result-writer", r.result_writer,
                  "Write manifest.json and result files under this folder or s3://bucket/prefix");
  cmd->add_option("--result-writer-output-type", r.writer_config.output_type,
                  "JSON (each file a JSON array) or JSONL (JSON Lines)")
      ->check(CLI::IsMember({"JSON", "JSONL"}))
      ->capture_default_str();
  cmd->add_option("--result-writer-transformation", r.writer_config.transformation,
                  "NONE (records with metadata), COMPACT (outputs only) or FLATTEN (the items)")
      ->check(CLI::IsMember({"NONE", "COMPACT", "FLATTEN"}))
      ->capture_default_str();
  r.processor.name = service::DefaultProcessorName();
  cmd->add_option("--processor", r.processor.name,
                  "Per-image work (none: record each object's key, size and ETag, reading none)")
      ->check(CLI::IsMember(service::ProcessorNames()))
      ->capture_default_str();
  cmd->add_option("--max-items-per-batch", r.max_items_per_batch,
                  "ItemBatcher MaxItemsPerBatch (1-100000)")
      ->capture_default_str();
  cmd->add_option("--max-input-bytes-per-batch", r.max_input_bytes_per_batch,
                  "Cut batches at this many bytes of object data (0: no limit)");
  cmd->add_option("--tolerated-failure-percentage", r.tolerated_failure_percentage,
                  "Fail the run when more than this % of items fail (0-100; default 5)");
  cmd->add_option("--tolerated-failure-count", r.tolerated_failure_count,
                  "Fail the run when more than this many items fail");
  cmd->add_flag("--force", r.force, "Process items even if their ETag already has an answer");
  cmd->add_flag("--replace", r.replace,
                "Replace the answers other settings (another processor) made for these objects");
  cmd->add_flag("--no-work", flags->no_work,
                "Process nothing here: list the source, follow the progress of the workers "
                "(imagemill worker) running the execution, and finish it when they are done");
  flags->labels.Add(*cmd);
  flags->engine.Add(*cmd);
  cmd->callback([flags, &ctx] { ctx.exit_code = RunCommand(*flags); });
}

}  // namespace imagemill::cli
