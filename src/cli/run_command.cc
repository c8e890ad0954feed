// imagemill run SOURCE: start (or resume) an execution over a bucket or folder.
#include <ctime>
#include <iostream>

#include "cli/command.h"
#include "cli/database.h"
#include "cli/engine_flags.h"
#include "cli/label_flags.h"
#include "service/processors.h"
#include "util/clock.h"
#include "util/ids.h"

namespace imagemill::cli {
namespace {

struct RunFlags {
  std::string source;
  std::string prefix;
  std::string execution_name;
  std::string result_writer;
  std::string processor;
  int max_items_per_batch = 100;
  uint64_t max_input_bytes_per_batch = 0;
  std::optional<double> tolerated_failure_percentage;
  std::optional<int64_t> tolerated_failure_count;
  bool force = false;
  EngineFlags engine;
  LabelFlags labels;
};

std::string DefaultExecutionName() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "run-%Y%m%d-%H%M%S", &tm);
  return std::string(buf) + "-" + NewUuid().substr(0, 4);
}

// The spec from the flags, with SOURCE and the result writer made absolute.
Result<ExecutionSpec> BuildSpec(const RunFlags& f) {
  Result<StoreLocation> where = ParseStoreUri(f.source);
  if (!where.ok()) return where.status();
  ExecutionSpec spec;
  spec.source = where->store_uri;
  spec.prefix = where->prefix;
  if (!f.prefix.empty()) {
    if (!spec.prefix.empty()) {
      return Status::InvalidArgument("the prefix is given twice (in " + f.source +
                                     " and --prefix); give it once");
    }
    spec.prefix = f.prefix;
  }
  if (!spec.source.starts_with("s3://") && !spec.source.starts_with("mem://")) {
    Result<std::unique_ptr<ObjectStore>> local = OpenObjectStore(spec.source);
    if (!local.ok()) return local.status();
    spec.source = (*local)->Uri();
  }
  if (!f.result_writer.empty()) {
    Result<StoreLocation> rw = ParseStoreUri(f.result_writer);
    if (!rw.ok()) return rw.status();
    spec.result_writer = f.result_writer;
    if (!rw->store_uri.starts_with("s3://") && !rw->store_uri.starts_with("mem://")) {
      StoreOptions create;
      create.create_if_missing = true;
      Result<std::unique_ptr<ObjectStore>> dir = OpenObjectStore(rw->store_uri, create);
      if (!dir.ok()) return dir.status();
      spec.result_writer = (*dir)->Uri();
    }
  }
  service::ProcessorSettings processor;
  processor.name = f.processor;
  processor.max_pixels = f.engine.max_pixels;
  if (processor.name == "labels") {
    if (Status s = f.labels.Resolve(processor.model, processor.labels); !s.ok()) return s;
  } else if (f.labels.AnyGiven()) {
    return Status::InvalidArgument("the label flags (--label-model, --min-confidence, "
                                   "--settings, ...) apply to --processor labels only");
  }
  Result<std::string> processor_name = service::ProcessorName(processor);
  if (!processor_name.ok()) return processor_name.status();
  spec.processor = *processor_name;
  spec.processor_settings = processor.ToJson();
  spec.max_items_per_batch = f.max_items_per_batch;
  spec.max_input_bytes_per_batch = f.max_input_bytes_per_batch;
  spec.tolerated_failure_percentage = f.tolerated_failure_percentage;
  spec.tolerated_failure_count = f.tolerated_failure_count;
  if (!spec.tolerated_failure_percentage && !spec.tolerated_failure_count) {
    spec.tolerated_failure_percentage = 5;  // the seed's ToleratedFailurePercentage
  }
  spec.force = f.force;
  if (Status s = spec.Validate(); !s.ok()) return s;
  return spec;
}

int RunCommand(RunFlags& f) {
  Result<ExecutionSpec> spec = BuildSpec(f);
  if (!spec.ok()) {
    std::cerr << "imagemill run: " << spec.status().message() << "\n";
    return kExitUsage;
  }
  std::unique_ptr<SqliteDatabase> db = OpenDatabase(f.engine.db);
  std::string name = f.execution_name;
  if (name.empty()) {
    if (std::optional<ExecutionRecord> open = db->FindUnfinished(spec->ToJson())) {
      name = open->name;
      std::cerr << "imagemill: resuming unfinished execution " << name
                << " of the same job (give --execution-name to start another)\n";
    } else {
      name = DefaultExecutionName();
    }
  }
  return ExecuteAndReport(*spec, name, f.engine, *db);
}

}  // namespace

void RegisterRunCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Label every image under SOURCE and record the results (starts or resumes an execution)");
  cmd->add_option("SOURCE", flags->source, "A folder (/path, ./path, file:///path) or s3://bucket/prefix")
      ->required();
  cmd->add_option("--prefix", flags->prefix, "Only keys starting with this string (S3 semantics)");
  cmd->add_option("--execution-name", flags->execution_name,
                  "Name of the execution; the same name resumes it after a crash");
  cmd->add_option("--result-writer", flags->result_writer,
                  "Write manifest.json and result files under this folder or s3://bucket/prefix");
  flags->processor = service::DefaultProcessorName();
  cmd->add_option("--processor", flags->processor,
                  "Per-image work (none: record each object's key, size and ETag, reading none)")
      ->check(CLI::IsMember(service::ProcessorNames()))
      ->capture_default_str();
  cmd->add_option("--max-items-per-batch", flags->max_items_per_batch, "ItemBatcher MaxItemsPerBatch")
      ->capture_default_str();
  cmd->add_option("--max-input-bytes-per-batch", flags->max_input_bytes_per_batch,
                  "Cut batches at this many bytes of object data (0: no limit)");
  cmd->add_option("--tolerated-failure-percentage", flags->tolerated_failure_percentage,
                  "Fail the run when more than this % of items fail (default 5)");
  cmd->add_option("--tolerated-failure-count", flags->tolerated_failure_count,
                  "Fail the run when more than this many items fail");
  cmd->add_flag("--force", flags->force, "Process items even if their ETag already has a result");
  flags->labels.Add(*cmd);
  flags->engine.Add(*cmd);
  cmd->callback([flags, &ctx] { ctx.exit_code = RunCommand(*flags); });
}

}  // namespace imagemill::cli
