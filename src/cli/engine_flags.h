// Flags shared by `run` and `redrive`: how the engine runs (threads, retries, limits) and where
// state lives. They do not change what an execution is, so a resumed run may change them.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "objectstore/object_store.h"
#include "db/sqlite_database.h"
#include "workflow/map_run.h"

namespace imagemill::cli {

struct EngineFlags {
  std::string db;
  int max_concurrency = 0;
  int workers = 0;
  int fetchers = 0;
  int dnn_threads = 1;  // OpenCV's thread count, process-wide (cv::setNumThreads)
  uint64_t max_pixels = 100'000'000;
  double retry_interval_seconds = 2.0;
  int retry_max_attempts = 6;
  double retry_backoff_rate = 2.0;
  bool json = false;
  bool quiet = false;
  StoreOptions store;  // --endpoint-url, --region, ..., --max-object-bytes (cli/store_flags.h)

  void Add(CLI::App& cmd);
  // REQUIRES: the flags were parsed.
  RunOptions ToRunOptions() const;
};

// Runs (or resumes) execution `name` of `spec` and reports it; returns the exit code.
// `spec.source` and `spec.result_writer` are URIs opened here.
int ExecuteAndReport(const ExecutionSpec& spec, const std::string& name, const EngineFlags& flags,
                     SqliteDatabase& db);

}  // namespace imagemill::cli
