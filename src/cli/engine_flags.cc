#include "cli/engine_flags.h"

#include <opencv2/core.hpp>

#include <csignal>
#include <limits>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "cli/database.h"
#include "service/processors.h"
#include "cli/progress_bar.h"
#include "cli/store_flags.h"
#include "objectstore/store_check.h"

namespace imagemill::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int) {
  if (g_interrupted.exchange(true)) std::_Exit(130);  // a second Ctrl-C: leave at once
}

void PrintReport(const RunSummary& s, SqliteDatabase& db, const std::string& db_flag) {
  const ExecutionRecord& e = s.execution;
  const ItemCounts& c = s.counts;
  std::printf("Execution %s %s%s", e.name.c_str(), std::string(ExecutionStatusName(e.status)).c_str(),
              s.already_finished ? " (finished earlier; stored result)" : "");
  if (!s.already_finished) {
    std::printf(" in %s (%.1f items/s)", FormatDuration(s.duration_seconds).c_str(),
                s.items_per_second);
  }
  std::printf("\n  items: %lld total, %lld succeeded, %lld failed, %lld skipped, %lld pending\n",
              static_cast<long long>(c.total), static_cast<long long>(c.succeeded),
              static_cast<long long>(c.failed), static_cast<long long>(c.skipped),
              static_cast<long long>(c.pending + c.running));
  if (!e.error.empty()) std::printf("  error: %s: %s\n", e.error.c_str(), e.cause.c_str());
  int shown = 0;
  db.ForEachOutcome(e.name, ItemStatus::kFailed, [&](const ItemOutcome& o) {
    if (shown == 0) std::printf("  failed items:\n");
    if (shown++ < 10) std::printf("    %s: %s: %s\n", o.item.key.c_str(), o.error.c_str(), o.cause.c_str());
  });
  if (shown > 10) {
    std::printf("    ... and %d more (imagemill executions describe %s --db %s)\n", shown - 10,
                e.name.c_str(), db_flag.c_str());
  }
  std::vector<std::pair<std::string, int64_t>> found = db.LabelCounts(e.name, 12);
  if (!found.empty()) {
    std::printf("  found:");
    for (const auto& [label, n] : found) std::printf(" %s (%lld)", label.c_str(), static_cast<long long>(n));
    std::printf("\n");
  }
  if (!e.manifest.empty()) std::printf("  manifest: %s\n", e.manifest.c_str());
  if (e.status == ExecutionStatus::kAborted) {
    std::printf("  resume with: imagemill run ... --execution-name %s\n", e.name.c_str());
  } else if (e.status == ExecutionStatus::kFailed) {
    std::printf("  run what failed again with: imagemill redrive %s --db %s\n", e.name.c_str(),
                db_flag.c_str());
  }
}

}  // namespace

void EngineFlags::Add(CLI::App& cmd) {
  AddDbFlag(cmd, db);
  cmd.add_option("--max-concurrency", max_concurrency,
                 "Batches in flight at once, until their outcomes are written (default: enough to "
                 "keep every thread busy, more while items finish fast)");
  cmd.add_option("--workers", workers, "Processing threads (default: one per core)");
  cmd.add_option("--fetchers", fetchers, "Object-fetching threads (default: 4, or 16 for s3://)");
  cmd.add_option("--dnn-threads", dnn_threads,
                 "OpenCV threads, shared by all workers; 1 runs each worker's network on its own "
                 "thread (docs/labels.md)")
      ->capture_default_str();
  cmd.add_option("--max-pixels", max_pixels,
                 "Images with more pixels fail as TooLarge before decoding")
      ->capture_default_str();
  cmd.add_option("--retry-interval", retry_interval_seconds,
                 "Seconds before the first retry of a transient error")
      ->capture_default_str();
  cmd.add_option("--retry-max-attempts", retry_max_attempts, "Retries of a transient error")
      ->capture_default_str();
  cmd.add_option("--retry-backoff-rate", retry_backoff_rate, "Growth of the delay per retry")
      ->capture_default_str();
  // Larger than Rekognition's 15 MB: images are decoded here, and --max-pixels guards the
  // decoder against decompression bombs.
  store.max_object_bytes = 50ull << 20;
  AddStoreFlags(cmd, store);
  cmd.add_flag("--json", json, "Print one machine-readable summary on stdout at the end");
  cmd.add_flag("--quiet,-q", quiet, "No progress output");
}

RunOptions EngineFlags::ToRunOptions() const {
  RunOptions o;
  o.max_concurrency = max_concurrency;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o.pipeline.workers = workers > 0 ? workers : cores;
  o.pipeline.fetchers = fetchers > 0 ? fetchers : 4;
  o.pipeline.prefetch = static_cast<size_t>(2 * o.pipeline.workers + 2);
  o.pipeline.max_object_bytes =
      store.max_object_bytes > 0 ? store.max_object_bytes : std::numeric_limits<uint64_t>::max();
  o.retry.interval_seconds = retry_interval_seconds;
  o.retry.max_attempts = retry_max_attempts;
  o.retry.backoff_rate = retry_backoff_rate;
  return o;
}

int ExecuteAndReport(const ExecutionSpec& spec, const std::string& name, const EngineFlags& flags,
                     SqliteDatabase& db) {
  Result<std::unique_ptr<ObjectStore>> source = OpenCheckedStore(spec.source, flags.store);
  if (!source.ok()) {
    std::cerr << "imagemill: cannot read the source: " << source.status().ToString() << "\n";
    return kExitUsage;
  }
  Result<service::ProcessorSettings> settings = service::ProcessorSettings::FromSpec(spec);
  if (!settings.ok()) {
    std::cerr << "imagemill: " << settings.status().message() << "\n";
    return kExitUsage;
  }
  settings->max_pixels = flags.max_pixels;
  cv::setNumThreads(std::max(1, flags.dnn_threads));
  Result<std::unique_ptr<Processor>> processor = service::MakeProcessor(*settings);
  if (!processor.ok()) {
    std::cerr << "imagemill: " << processor.status().message() << "\n";
    return kExitUsage;
  }
  if ((*processor)->Name() != spec.processor) {
    std::cerr << "imagemill: execution " << name << " was made by processor '" << spec.processor
              << "', and its stored settings now make '" << (*processor)->Name()
              << "' (the label model or its calibration changed); start a new execution\n";
    return kExitUsage;
  }
  RunOptions options = flags.ToRunOptions();
  if (spec.source.starts_with("s3://") && flags.fetchers == 0) options.pipeline.fetchers = 16;
  std::unique_ptr<ObjectStore> result_store;
  if (!spec.result_writer.empty()) {
    Result<StoreLocation> where = ParseStoreUri(spec.result_writer);
    StoreOptions ro = flags.store;
    ro.create_if_missing = true;
    Result<std::unique_ptr<ObjectStore>> dest =
        where.ok() ? OpenCheckedStore(where->store_uri, ro)
                   : Result<std::unique_ptr<ObjectStore>>(where.status());
    if (!dest.ok()) {
      std::cerr << "imagemill: cannot write to the --result-writer destination: "
                << dest.status().ToString() << "\n";
      return kExitUsage;
    }
    result_store = std::move(dest).value();
    options.result_store = result_store.get();
    options.result_prefix = where->prefix;
  }
  std::unique_ptr<ProgressSink> progress = MakeProgressSink(flags.quiet);
  options.progress = progress.get();
  options.interrupt = &g_interrupted;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);

  MapRun run(**source, db, db, **processor, options);
  Result<RunSummary> summary = run.Run(spec, name);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!summary.ok()) {
    std::cerr << "imagemill: " << summary.status().message() << "\n";
    return kExitUsage;
  }
  if (flags.json) {
    std::cout << summary->ToJson().dump(2) << std::endl;
  } else {
    PrintReport(*summary, db, flags.db);
  }
  return summary->execution.status == ExecutionStatus::kSucceeded ? kExitOk : kExitRunFailed;
}

}  // namespace imagemill::cli
