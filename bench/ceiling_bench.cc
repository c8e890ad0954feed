// ceiling_bench: the label model's throughput ceiling — forward passes per second (plus decoding
// of the outputs, which costs well under a millisecond) on input tensors made ahead of time, with
// N networks on N threads and OpenCV running each pass on T threads.
//
//   ceiling_bench [--samples DIR] [--model nanodet|centernet] [--size 416]
//                 [--layout 2x1 ...] [--seconds 10]
//
// For each layout NxT, in the order given: N detectors are loaded, OpenCV's (process-wide) thread
// count is set to T, every detector makes one warm-up pass, then N threads run passes round-robin
// over the inputs (the sample photos) for --seconds. Prints one JSON object per layout: passes,
// seconds, passes per second, and the process CPU seconds used in that time (on a machine shared
// with other work, CPU / (seconds x cores) says how much of the machine the run got).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <thread>
#include <vector>

#include "vision/detectors/detector.h"

namespace {

namespace fs = std::filesystem;
using imagemill::Result;
using imagemill::vision::Detector;

double ProcessCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Layout {
  int networks = 1, threads = 1;
};

bool ParseLayout(const std::string& s, Layout& out) {
  return std::sscanf(s.c_str(), "%dx%d", &out.networks, &out.threads) == 2 && out.networks > 0 &&
         out.threads > 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Forward passes per second on ready tensors, per thread layout"};
  const char* cache = std::getenv("IMAGEMILL_CACHE");
  std::string samples = (fs::path(cache != nullptr ? cache : ".cache") / "samples").string();
  std::string model = "nanodet";
  int size = 416;
  double seconds = 10;
  std::vector<std::string> layouts = {"1x1", "1x2", "2x1"};
  app.add_option("--samples", samples, "Folder of photos for the inputs")->capture_default_str();
  app.add_option("--model", model, "nanodet or centernet")->capture_default_str();
  app.add_option("--size", size, "Network input size")->capture_default_str();
  app.add_option("--layout", layouts, "NxT: N networks on N threads, T OpenCV threads each")
      ->capture_default_str();
  app.add_option("--seconds", seconds, "Measured time per layout")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  imagemill::vision::DetectorOptions options;
  options.model = imagemill::vision::DefaultModelDir() / (model + ".json");
  options.input_size = size;
  auto make = [&]() -> Result<std::unique_ptr<Detector>> {
    return model == "centernet" ? imagemill::vision::MakeCenterNetDetector(options)
                                : imagemill::vision::MakeNanoDetDetector(options);
  };

  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(samples)) {
    if (e.path().extension() == ".jpg") paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) {
    std::fprintf(stderr, "ceiling_bench: no .jpg photos in %s (run scripts/fetch-samples.sh)\n",
                 samples.c_str());
    return 2;
  }

  for (const std::string& text : layouts) {
    Layout layout;
    if (!ParseLayout(text, layout)) {
      std::fprintf(stderr, "ceiling_bench: bad layout '%s' (want NxT, e.g. 2x1)\n", text.c_str());
      return 2;
    }
    cv::setNumThreads(layout.threads);
    std::vector<std::unique_ptr<Detector>> detectors;
    for (int i = 0; i < layout.networks; ++i) {
      Result<std::unique_ptr<Detector>> d = make();
      if (!d.ok()) {
        std::fprintf(stderr, "ceiling_bench: %s\n", d.status().ToString().c_str());
        return 2;
      }
      detectors.push_back(std::move(d).value());
    }
    std::vector<cv::Mat> inputs;
    for (const fs::path& p : paths)
      inputs.push_back(detectors[0]->MakeInput(cv::imread(p.string())));
    for (auto& d : detectors) {
      if (!d->DetectInput(inputs[0]).ok()) {
        std::fprintf(stderr, "ceiling_bench: the warm-up pass failed\n");
        return 1;
      }
    }

    std::atomic<int64_t> passes{0};
    std::atomic<bool> stop{false}, failed{false};
    const double cpu0 = ProcessCpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < layout.networks; ++i) {
      threads.emplace_back([&, i] {
        Detector& d = *detectors[static_cast<size_t>(i)];
        for (size_t k = static_cast<size_t>(i); !stop; ++k) {
          if (!d.DetectInput(inputs[k % inputs.size()]).ok()) failed = true;
          ++passes;
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads) t.join();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = ProcessCpuSeconds() - cpu0;
    if (failed) {
      std::fprintf(stderr, "ceiling_bench: a forward pass failed\n");
      return 1;
    }
    const nlohmann::json row = {{"model", detectors[0]->Name()},
                                {"layout", text},
                                {"networks", layout.networks},
                                {"threads", layout.threads},
                                {"passes", passes.load()},
                                {"seconds", wall},
                                {"passes_per_second", static_cast<double>(passes) / wall},
                                {"cpu_seconds", cpu}};
    std::printf("%s\n", row.dump().c_str());
    std::fflush(stdout);
  }
  return 0;
}
