// Times the detectors' forward passes and prints what they find on a folder of photos.
//
//   cmake --build build --target detector_bench
//   ./build/detector_bench [SAMPLES_DIR] [ITERATIONS]
//
// For each detector (NanoDet at 320 and 416, CenterNet at 512) and each OpenCV thread count (1, 2):
// the median and mean of ITERATIONS forward passes (DetectInput: network plus decoding) over the
// photos, after one warm-up pass per photo. Besides wall time it reports the process CPU time per
// pass: on a machine shared with other work, CPU time at 1 thread is the steadier figure. Whether tcmalloc is linked depends on the build
// (IMAGEMILL_TCMALLOC); the program reports which allocator it runs with.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "vision/detectors/detector.h"
#include "vision/detectors/detector_coco_classes.h"

namespace {

using imagemill::vision::Detector;
using imagemill::vision::DetectorOptions;

double CpuMs() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

struct Variant {
  const char* name;
  bool nanodet;
  int size;
};

}  // namespace

int main(int argc, char** argv) {
  const char* cache_env = std::getenv("IMAGEMILL_CACHE");
  const std::filesystem::path cache = cache_env != nullptr ? cache_env : ".cache";
  const std::filesystem::path samples = argc > 1 ? argv[1] : cache / "samples";
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 5;
  const bool tcmalloc = dlsym(RTLD_DEFAULT, "tc_malloc") != nullptr;
  std::printf("allocator: %s\n", tcmalloc ? "tcmalloc" : "glibc malloc");

  std::vector<std::pair<std::string, cv::Mat>> photos;
  for (const auto& entry : std::filesystem::directory_iterator(samples)) {
    if (entry.path().extension() != ".jpg") continue;
    photos.emplace_back(entry.path().filename().string(), cv::imread(entry.path().string()));
  }
  std::sort(photos.begin(), photos.end(), [](auto& a, auto& b) { return a.first < b.first; });
  if (photos.empty()) {
    std::fprintf(stderr, "no .jpg photos in %s (run scripts/fetch-samples.sh)\n", samples.c_str());
    return 1;
  }

  const Variant variants[] = {
      {"nanodet", true, 320}, {"nanodet", true, 416}, {"centernet", false, 512}};
  for (const auto& v : variants) {
    DetectorOptions options;
    options.model = imagemill::vision::DefaultModelDir() / (std::string(v.name) + ".json");
    options.input_size = v.size;
    auto detector = v.nanodet ? imagemill::vision::MakeNanoDetDetector(options)
                              : imagemill::vision::MakeCenterNetDetector(options);
    if (!detector.ok()) {
      std::fprintf(stderr, "%s\n", detector.status().ToString().c_str());
      return 1;
    }
    Detector& d = **detector;
    std::vector<cv::Mat> inputs;
    for (const auto& [name, image] : photos) inputs.push_back(d.MakeInput(image));
    for (int threads : {1, 2}) {
      cv::setNumThreads(threads);
      for (const auto& in : inputs) (void)d.DetectInput(in);  // warm-up
      std::vector<double> ms, cpu;
      for (int it = 0; it < iterations; ++it) {
        for (const auto& in : inputs) {
          const double c0 = CpuMs();
          const auto t0 = std::chrono::steady_clock::now();
          auto r = d.DetectInput(in);
          const auto t1 = std::chrono::steady_clock::now();
          cpu.push_back(CpuMs() - c0);
          if (!r.ok()) {
            std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
            return 1;
          }
          ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        }
      }
      std::sort(ms.begin(), ms.end());
      std::sort(cpu.begin(), cpu.end());
      const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
      std::printf(
          "%-14s threads=%d  wall median %6.1f ms  mean %6.1f  min %6.1f   cpu median %6.1f ms  "
          "(%zu passes)\n",
          d.Name().c_str(), threads, ms[ms.size() / 2], mean, ms.front(), cpu[cpu.size() / 2],
          ms.size());
    }
    for (size_t k = 0; k < photos.size(); ++k) {
      auto r = d.DetectInput(inputs[k]);
      std::printf("  %-12s", photos[k].first.c_str());
      for (const auto& det : *r) {
        std::printf(" %s:%.2f",
                    std::string(imagemill::vision::CocoClassName(det.class_index)).c_str(),
                    det.score);
      }
      std::printf("\n");
    }
  }
  return 0;
}
