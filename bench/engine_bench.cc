// engine_bench: the map-run engine alone — listing, batching, state, result writing — with a
// no-op processor, over a generated bucket of N keys that costs no memory of its own. Reports
// items per second and the process's resident memory as the run goes, to show it stays flat.
//
//   build/engine_bench --items 100000 [--batch 100] [--workers 2] [--folder DIR] [--read-objects]
//
// With --folder, the bucket is a real folder (created with N small files on first use; DIR.complete
// marks it finished). The no-op processor answers from the listing, as `--processor none` does;
// --read-objects makes the engine read every object too, as it does for a processor that looks
// at the bytes.
// The last line is the same figures as one JSON object, for scripts/bench.sh.
#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "generated_store.h"
#include "objectstore/local_store.h"
#include "db/database.h"
#include "workflow/map_run.h"
#include "workflow/noop_processor.h"

namespace imagemill {
namespace {

// Keys "img/00000000.jpg" ... generated on demand; every object is the same 16 bytes.
using bench::GeneratedStore;

double RssMb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double PeakRssMb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// Prints resident memory at each tenth of the run.
class MemoryProgress final : public ProgressSink {
 public:
  explicit MemoryProgress(int64_t total) : total_(total) {}
  void Update(const ProgressSnapshot& s) override {
    int64_t done = s.counts.succeeded + s.counts.failed + s.counts.skipped;
    while (next_ <= 10 && done * 10 >= total_ * next_) {
      const double rss = RssMb();
      std::printf("  %3d%% done  rss %.1f MB  %.0f items/s\n", next_ * 10, rss, s.items_per_second);
      rss_by_tenth_.push_back(rss);
      ++next_;
    }
  }
  void Finish(const ProgressSnapshot& s) override { Update(s); }
  const std::vector<double>& rss_by_tenth() const { return rss_by_tenth_; }

 private:
  std::vector<double> rss_by_tenth_;
  int64_t total_;
  int next_ = 1;
};

}  // namespace
}  // namespace imagemill

int main(int argc, char** argv) {
  using namespace imagemill;  // NOLINT
  CLI::App app{"Engine throughput and memory with a no-op processor"};
  int64_t items = 100000;
  int batch = 100, workers = 2, max_concurrency = 0;
  std::string folder;
  bool read_objects = false;
  app.add_option("--items", items);
  app.add_flag("--read-objects", read_objects, "Read every object, as an image processor would");
  app.add_option("--batch", batch);
  app.add_option("--workers", workers);
  app.add_option("--max-concurrency", max_concurrency, "Batches in flight (default: the engine's)");
  app.add_option("--folder", folder, "List this folder instead of a generated bucket");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<ObjectStore> store;
  if (folder.empty()) {
    store = std::make_unique<GeneratedStore>(items);
  } else {
    if (!std::filesystem::exists(folder + ".complete")) {
      std::printf("writing %lld files under %s ...\n", static_cast<long long>(items),
                  folder.c_str());
      for (int64_t i = 0; i < items; ++i) {
        std::string dir = folder + "/d" + std::to_string(i / 1000);
        std::filesystem::create_directories(dir);
        std::ofstream(dir + "/" + std::to_string(i) + ".jpg") << "0123456789abcdef";
      }
      std::ofstream(folder + ".complete") << "";  // beside the folder: not a listed item
    }
    store = std::move(LocalStore::Open(folder, false).value());
  }
  std::string db_path = std::filesystem::temp_directory_path() / "imagemill-engine-bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  std::unique_ptr<Database> opened = std::move(OpenDatabase(db_path, OpenMode::kCreate)).value();
  Database& db = *opened;
  NoopProcessor processor(read_objects);
  MemoryProgress progress(items);
  RunOptions options;
  options.pipeline.workers = workers;
  options.pipeline.fetchers = 2;
  options.max_concurrency = max_concurrency;
  options.progress = &progress;
  ExecutionSpec spec;
  spec.source = store->Uri();
  spec.processor = processor.Name();
  spec.kind = processor.Kind();
  spec.max_items_per_batch = batch;
  spec.tolerated_failure_percentage = 5;
  std::printf("engine_bench: %lld items, batches of %d, %d workers, rss at start %.1f MB\n",
              static_cast<long long>(items), batch, workers, RssMb());
  auto t0 = std::chrono::steady_clock::now();
  MapRun run(*store, db, db, processor, options);
  Result<RunSummary> s = run.Run(spec, "bench");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!s.ok() || s->counts.succeeded != items) {
    std::fprintf(stderr, "engine_bench: run failed: %s\n", s.status().ToString().c_str());
    return 1;
  }
  // The database as the run leaves it: the file and its write-ahead log.
  uintmax_t db_bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    const uintmax_t n = std::filesystem::file_size(db_path + suffix, ec);
    if (!ec) db_bytes += n;
  }
  std::printf("engine_bench: %lld items in %.2f s = %.0f items/s; peak rss %.1f MB; database "
              "%.1f MB\n",
              static_cast<long long>(items), secs, static_cast<double>(items) / secs, PeakRssMb(),
              static_cast<double>(db_bytes) / 1e6);
  nlohmann::json report = {{"items", items},
                           {"seconds", secs},
                           {"items_per_second", static_cast<double>(items) / secs},
                           {"peak_rss_mb", PeakRssMb()},
                           {"database_mb", static_cast<double>(db_bytes) / 1e6},
                           {"rss_mb_by_tenth", progress.rss_by_tenth()},
                           {"source", folder.empty() ? "generated" : "folder"},
                           {"reads_objects", read_objects}};
  std::printf("%s\n", report.dump().c_str());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  return 0;
}
