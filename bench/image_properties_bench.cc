// Milliseconds per image for the image-properties processor, stage by stage.
//
//   cmake --build build --target image_properties_bench
//   build/image_properties_bench [--samples DIR] [--repeats N]
//
// Inputs: the Debian `darknet` sample photos as they are (0.2 to 1.2 megapixels), and JPEG
// mosaics of them at 3 and 12 megapixels (see decode_bench.cc). For each: Prepare (sniff, reduced
// decode, shrink to the 512 px working copy), Process (the properties on that copy, 10 colours),
// and the two together, over --repeats runs on one thread.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "vision/properties/image_properties_processor.h"

namespace {

namespace fs = std::filesystem;
using imagemill::ObjectInfo;
using imagemill::bench::Mosaic;
using imagemill::bench::TimeMs;
using imagemill::bench::Timing;
using imagemill::vision::ImagePropertiesProcessor;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  const char* cache = std::getenv("IMAGEMILL_CACHE");
  fs::path samples = fs::path(cache ? cache : ".cache") / "samples";
  int repeats = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--samples") samples = argv[i + 1];
    if (arg == "--repeats") repeats = std::max(1, std::atoi(argv[i + 1]));
  }
  std::vector<std::pair<std::string, std::string>> inputs;  // name, encoded bytes
  std::vector<cv::Mat> photos;
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(samples)) {
    if (entry.path().extension() == ".jpg") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const fs::path& p : paths) {
    inputs.emplace_back(p.filename().string(), ReadFile(p));
    photos.push_back(cv::imread(p.string(), cv::IMREAD_COLOR));
  }
  if (photos.empty()) {
    std::fprintf(stderr, "image_properties_bench: no photos in %s; run scripts/fetch-samples.sh\n",
                 samples.c_str());
    return 2;
  }
  for (const auto& [w, h] : {std::pair{2048, 1536}, std::pair{4000, 3000}}) {
    std::vector<uchar> buf;
    cv::imencode(".jpg", Mosaic(photos, w, h), buf, {cv::IMWRITE_JPEG_QUALITY, 90});
    inputs.emplace_back("mosaic " + std::to_string(w) + "x" + std::to_string(h) + ".jpg",
                        std::string(buf.begin(), buf.end()));
  }

  cv::setNumThreads(1);
  const ImagePropertiesProcessor processor;
  auto worker = processor.NewWorker();
  std::printf("image_properties_bench: %d runs each, 1 thread; ms as median (min)\n\n", repeats);
  std::printf("%-26s %-17s %-17s %-17s\n", "image", "Prepare", "Process", "total");
  ObjectInfo item;
  for (const auto& [name, bytes] : inputs) {
    item.key = name;
    const Timing prepare = TimeMs(repeats, [&] {
      if (!processor.Prepare(item, bytes).ok()) std::abort();
    });
    auto prepared = processor.Prepare(item, bytes);
    const Timing process = TimeMs(repeats, [&] {
      if (!(*worker)->Process(item, **prepared).ok()) std::abort();
    });
    std::printf("%-26s %7.2f (%6.2f)  %7.2f (%6.2f)  %7.2f (%6.2f)\n", name.c_str(), prepare.median,
                prepare.min, process.median, process.min, prepare.median + process.median,
                prepare.min + process.min);
  }
  return 0;
}
