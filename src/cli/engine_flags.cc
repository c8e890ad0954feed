#include "cli/engine_flags.h"

#include "cli/database.h"
#include "cli/store_flags.h"

namespace imagemill::cli {

void EngineFlags::Add(CLI::App& cmd) {
  AddDbFlag(cmd, db);
  cmd.add_option("--max-concurrency", engine.max_concurrency,
                 "Batches in flight at once, until their outcomes are written (0, the default: "
                 "enough to keep every thread busy, more while items finish fast)");
  cmd.add_option("--workers", engine.workers,
                 "Processing threads, 0-256 (0, the default: one per core)");
  cmd.add_option("--fetchers", engine.fetchers,
                 "Object-fetching threads, 0-256 (0, the default: 4, or 16 for s3://)");
  cmd.add_option("--dnn-threads", engine.dnn_threads,
                 "OpenCV threads, shared by all workers; 1 runs each worker's network on its own "
                 "thread (docs/labels.md)")
      ->capture_default_str();
  cmd.add_option("--max-pixels", engine.max_pixels,
                 "Images with more pixels fail as TooLarge before decoding (0: no limit)")
      ->capture_default_str();
  cmd.add_option("--retry-interval", engine.retry.interval_seconds,
                 "Seconds before the first retry of a transient error (more than 0, at most 3600)")
      ->capture_default_str();
  cmd.add_option("--retry-max-attempts", engine.retry.max_attempts,
                 "Retries of a transient error (0-100)")
      ->capture_default_str();
  cmd.add_option("--retry-backoff-rate", engine.retry.backoff_rate,
                 "Growth of the delay per retry (1.0-10.0)")
      ->capture_default_str();
  cmd.add_option("--lease", engine.lease_seconds,
                 "Seconds a claimed batch stays this process's without a heartbeat (sent every "
                 "third of it); another process takes over the batches of one silent for longer "
                 "(1-86400)")
      ->capture_default_str();
  AddStoreFlags(cmd, engine.store);
  cmd.add_flag("--json", json, "Print one machine-readable summary on stdout at the end");
  cmd.add_flag("--quiet,-q", quiet, "No progress output");
}

}  // namespace imagemill::cli
