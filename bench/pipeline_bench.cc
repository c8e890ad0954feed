// pipeline_bench: the whole engine (listing, batching, state, fetchers, workers, SQLite results)
// over a folder of photos, with a bare detector as the processor: decode at reduced scale, the
// detector's own pre-processing, forward pass and decoding of outputs, and a DetectLabels-shaped
// answer with COCO class names. It is what `imagemill run` with a label model does, minus the
// label taxonomy, so the suite can measure a label model end to end through the engine whatever
// processors the command line offers, and time each stage.
//
//   pipeline_bench PHOTOS [--prefix P] [--model nanodet|centernet] [--size 416]
//                  [--workers N] [--threads T] [--fetchers K] [--batch 100] [--db PATH]
//                  [--answers PATH]
//
// --threads is OpenCV's thread count (process-wide; 0 leaves OpenCV's default, one per core).
// Prints one JSON object: images, seconds (wall clock of the run, model loading included),
// images per second, peak resident memory, process CPU seconds, and per stage the thread CPU
// milliseconds per image (decode, preprocess, detect = forward pass + decoding of the outputs).
// Stage CPU is measured on the thread that runs the stage: with --threads above 1 the forward
// pass's helper threads are not counted in `detect`. --answers writes "key<TAB>class:score,..."
// lines, sorted, for comparing answers with another implementation.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <opencv2/core.hpp>

#include "objectstore/local_store.h"
#include "db/database.h"
#include "vision/detectors/detector.h"
#include "vision/detectors/detector_coco_classes.h"
#include "vision/decode/image.h"
#include "workflow/map_run.h"

namespace imagemill {
namespace {

double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double ProcessCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// Sums of per-stage thread CPU time, in microseconds.
struct StageClock {
  std::atomic<int64_t> decode_us{0}, preprocess_us{0}, detect_us{0}, answered{0};
};

void Add(std::atomic<int64_t>& sum, double ms) { sum += static_cast<int64_t>(ms * 1000.0); }

class PreparedInput final : public PreparedItem {
 public:
  explicit PreparedInput(cv::Mat input) : input_(std::move(input)) {}
  const cv::Mat& input() const { return input_; }

 private:
  cv::Mat input_;
};

using DetectorFactory = std::function<Result<std::unique_ptr<vision::Detector>>()>;

class BareWorker final : public ProcessorWorker {
 public:
  BareWorker(std::unique_ptr<vision::Detector> detector, StageClock& clock)
      : detector_(std::move(detector)), clock_(clock) {}

  Result<Answer> Process(const ObjectInfo& item, PreparedItem& prepared) override {
    const double t0 = ThreadCpuMs();
    Result<std::vector<vision::Detection>> found =
        detector_->DetectInput(static_cast<PreparedInput&>(prepared).input());
    Add(clock_.detect_us, ThreadCpuMs() - t0);
    if (!found.ok()) return found.status();
    ++clock_.answered;
    // One label per class, best instance first, as DetectLabels groups them.
    std::map<int, nlohmann::json> by_class;
    for (const vision::Detection& d : *found) {
      nlohmann::json& label = by_class[d.class_index];
      if (label.is_null()) {
        label = {{"Name", std::string(vision::CocoClassName(d.class_index))},
                 {"Confidence", d.score * 100.0},
                 {"Instances", nlohmann::json::array()}};
      }
      label["Instances"].push_back({{"BoundingBox",
                                     {{"Width", d.box.width},
                                      {"Height", d.box.height},
                                      {"Left", d.box.x},
                                      {"Top", d.box.y}}},
                                    {"Confidence", d.score * 100.0}});
    }
    nlohmann::json labels = nlohmann::json::array();
    for (auto& [c, l] : by_class) labels.push_back(std::move(l));
    (void)item;
    return Answer{nlohmann::json{{"Labels", std::move(labels)}}, {}};
  }

 private:
  std::unique_ptr<vision::Detector> detector_;
  StageClock& clock_;
};

class BareDetectorProcessor final : public Processor {
 public:
  // `prototype` serves MakeInput (const, thread-safe) for Prepare on any thread.
  BareDetectorProcessor(DetectorFactory factory, std::unique_ptr<vision::Detector> prototype,
                        int min_side, StageClock& clock)
      : factory_(std::move(factory)),
        prototype_(std::move(prototype)),
        min_side_(min_side),
        clock_(clock) {}

  std::string Name() const override { return "bench/" + prototype_->Name(); }
  std::string Kind() const override { return "labels"; }

  Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                std::string bytes) const override {
    const double t0 = ThreadCpuMs();
    Result<vision::Image> image = vision::DecodeImage(bytes, item.key, {.min_side = min_side_});
    const double t1 = ThreadCpuMs();
    Add(clock_.decode_us, t1 - t0);
    if (!image.ok()) return image.status();
    bytes.clear();
    bytes.shrink_to_fit();
    cv::Mat input = prototype_->MakeInput(image->bgr);
    Add(clock_.preprocess_us, ThreadCpuMs() - t1);
    return std::unique_ptr<PreparedItem>(std::make_unique<PreparedInput>(std::move(input)));
  }

  Result<std::unique_ptr<ProcessorWorker>> NewWorker() const override {
    Result<std::unique_ptr<vision::Detector>> d = factory_();
    if (!d.ok()) return d.status();
    return std::unique_ptr<ProcessorWorker>(
        std::make_unique<BareWorker>(std::move(d).value(), clock_));
  }

 private:
  DetectorFactory factory_;
  std::unique_ptr<vision::Detector> prototype_;
  int min_side_;
  StageClock& clock_;
};

// "key<TAB>class:score,class:score,..." per succeeded item, sorted by key.
void WriteAnswers(Database& db, const std::string& source, const std::string& execution,
                  const std::string& path) {
  std::ofstream out(path);
  ResultFilter f;
  f.source = source;
  f.execution = execution;
  f.limit = 1 << 30;
  db.ForEachResult(f, [&](const StoredResult& o) {
    const nlohmann::json& r = o.response;
    out << o.id << '\t';
    for (const nlohmann::json& l : r["Labels"]) {
      for (const nlohmann::json& in : l["Instances"]) {
        char buf[96];
        std::snprintf(buf, sizeof(buf), "%s:%.4f,", l["Name"].get<std::string>().c_str(),
                      in["Confidence"].get<double>() / 100.0);
        out << buf;
      }
    }
    out << '\n';
  });
}

}  // namespace
}  // namespace imagemill

int main(int argc, char** argv) {
  using namespace imagemill;  // NOLINT
  CLI::App app{"The engine end to end with a bare detector as the processor"};
  std::string photos, prefix, model = "nanodet", db_path, answers;
  int size = 416, workers = 2, threads = 0, fetchers = 4, batch = 100;
  app.add_option("PHOTOS", photos, "Folder of photos")->required();
  app.add_option("--prefix", prefix, "Only keys starting with this");
  app.add_option("--model", model, "nanodet or centernet")->capture_default_str();
  app.add_option("--size", size, "Network input size")->capture_default_str();
  app.add_option("--workers", workers, "Worker threads, one network each")->capture_default_str();
  app.add_option("--threads", threads, "OpenCV threads (0: OpenCV's default)")
      ->capture_default_str();
  app.add_option("--fetchers", fetchers, "Fetcher threads")->capture_default_str();
  app.add_option("--batch", batch, "Items per batch")->capture_default_str();
  app.add_option("--db", db_path, "Results database (default: a temporary file, removed)");
  app.add_option("--answers", answers, "Write each image's detections to this file");
  CLI11_PARSE(app, argc, argv);
  if (threads > 0) cv::setNumThreads(threads);

  const auto t0 = std::chrono::steady_clock::now();
  vision::DetectorOptions options;
  options.model = vision::DefaultModelDir() / (model + ".json");
  options.input_size = size;
  DetectorFactory factory = [options, model]() {
    return model == "centernet" ? vision::MakeCenterNetDetector(options)
                                : vision::MakeNanoDetDetector(options);
  };
  Result<std::unique_ptr<vision::Detector>> prototype = factory();
  if (!prototype.ok()) {
    std::fprintf(stderr, "pipeline_bench: %s\n", prototype.status().ToString().c_str());
    return 2;
  }
  Result<std::unique_ptr<ObjectStore>> store = LocalStore::Open(photos, false);
  if (!store.ok()) {
    std::fprintf(stderr, "pipeline_bench: %s\n", store.status().ToString().c_str());
    return 2;
  }
  const bool temporary_db = db_path.empty();
  if (temporary_db) {
    db_path = std::filesystem::temp_directory_path() /
              ("imagemill-pipeline-bench-" + std::to_string(getpid()) + ".db");
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);

  StageClock stages;
  BareDetectorProcessor processor(factory, std::move(prototype).value(), size, stages);
  Result<RunSummary> summary = Status::Internal("the run did not start");
  {
    std::unique_ptr<Database> opened = std::move(OpenDatabase(db_path, OpenMode::kCreate)).value();
    Database& db = *opened;
    RunOptions run_options;
    run_options.pipeline.workers = workers;
    run_options.pipeline.fetchers = fetchers;
    run_options.pipeline.prefetch = static_cast<size_t>(2 * workers + 2);
    ExecutionSpec spec;
    spec.source = (*store)->Uri();
    spec.prefix = prefix;
    spec.processor = processor.Name();
    spec.kind = processor.Kind();
    spec.max_items_per_batch = batch;
    spec.tolerated_failure_percentage = 5;
    MapRun run(**store, db, db, processor, run_options);
    summary = run.Run(spec, "bench");
    if (summary.ok() && !answers.empty()) WriteAnswers(db, spec.source, "bench", answers);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (temporary_db) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  }
  if (!summary.ok()) {
    std::fprintf(stderr, "pipeline_bench: %s\n", summary.status().ToString().c_str());
    return 1;
  }
  const ItemCounts& c = summary->counts;
  const double n = static_cast<double>(std::max<int64_t>(1, stages.answered.load()));
  nlohmann::json report = {{"images", c.succeeded},
                           {"failed", c.failed},
                           {"seconds", seconds},
                           {"images_per_second", static_cast<double>(c.succeeded) / seconds},
                           {"engine_items_per_second", summary->items_per_second},
                           {"workers", workers},
                           {"threads", threads},
                           {"processor", processor.Name()},
                           {"peak_rss_mb", PeakRssMb()},
                           {"process_cpu_seconds", ProcessCpuSeconds()},
                           {"stage_cpu_ms_per_image",
                            {{"decode", static_cast<double>(stages.decode_us) / 1000.0 / n},
                             {"preprocess", static_cast<double>(stages.preprocess_us) / 1000.0 / n},
                             {"detect", static_cast<double>(stages.detect_us) / 1000.0 / n}}}};
  std::printf("%s\n", report.dump().c_str());
  return c.failed == 0 ? 0 : 1;
}
