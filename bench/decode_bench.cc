// Decoding cost per megapixel, full size against reduced scale, for the formats imagemill reads.
//
//   cmake --build build --target decode_bench && build/decode_bench [--samples DIR] [--repeats N]
//                                                                    [--quick]
//
// Test photos are mosaics of the Debian `darknet` sample photos (scripts/fetch-samples.sh) at
// their native scale, so that a 12-megapixel image has the detail density of real photos rather
// than that of an upscaled one, encoded as JPEG (quality 90), PNG (OpenCV's default level) and
// WebP (lossy, quality 90). Each figure is the median and the minimum of --repeats runs on one
// thread (the engine decodes on several workers at once, one image per worker).
//
// "full" is DecodeImage with no minimum side; "reduced" asks for min_side 416 (a label model's
// input), which for JPEG picks libjpeg's DCT scaling; the last column is OpenCV's own
// IMREAD_REDUCED_COLOR_2, which for PNG and WebP decodes fully and then shrinks: the reason those
// formats are always decoded at full size. --quick measures one small size only (the benchmark
// suite's smoke test).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "vision/decode/image.h"

namespace {

namespace fs = std::filesystem;
using imagemill::bench::Mosaic;
using imagemill::bench::TimeMs;
using imagemill::bench::Timing;
using imagemill::vision::DecodeImage;

}  // namespace

int main(int argc, char** argv) {
  const char* cache = std::getenv("IMAGEMILL_CACHE");
  fs::path samples = fs::path(cache ? cache : ".cache") / "samples";
  int repeats = 7;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") quick = true;
    if (i + 1 >= argc) continue;
    if (arg == "--samples") samples = argv[++i];
    if (arg == "--repeats") repeats = std::max(1, std::atoi(argv[++i]));
  }
  std::vector<cv::Mat> photos;
  for (const auto& entry : fs::directory_iterator(samples)) {
    if (entry.path().extension() != ".jpg") continue;
    cv::Mat m = cv::imread(entry.path().string(), cv::IMREAD_COLOR);
    if (!m.empty()) photos.push_back(m);
  }
  if (photos.empty()) {
    std::fprintf(stderr, "decode_bench: no photos in %s; run scripts/fetch-samples.sh\n",
                 samples.c_str());
    return 2;
  }
  cv::setNumThreads(1);
  std::printf(
      "decode_bench: %zu sample photos, %d runs each, 1 thread; ms per megapixel of the\n"
      "original image as median (min)\n\n",
      photos.size(), repeats);
  std::printf("%-5s %-10s %9s | %-15s | %-15s %5s | %s\n", "fmt", "size", "bytes", "full ms/MP",
              "reduced ms/MP", "scale", "cv IMREAD_REDUCED_2 ms/MP");
  struct Size {
    int w, h;
  };
  const std::vector<Size> sizes =
      quick ? std::vector<Size>{{1600, 1200}} : std::vector<Size>{{2048, 1536}, {4000, 3000}};
  const struct {
    const char* name;
    const char* ext;
    std::vector<int> params;
  } formats[] = {{"JPEG", ".jpg", {cv::IMWRITE_JPEG_QUALITY, 90}},
                 {"PNG", ".png", {}},
                 {"WebP", ".webp", {cv::IMWRITE_WEBP_QUALITY, 90}}};
  for (const auto& size : sizes) {
    const cv::Mat mosaic = Mosaic(photos, size.w, size.h);
    const double mp = size.w * double(size.h) / 1e6;
    for (const auto& f : formats) {
      std::vector<uchar> buf;
      cv::imencode(f.ext, mosaic, buf, f.params);
      const std::string bytes(buf.begin(), buf.end());
      int scale = 1;
      const Timing full = TimeMs(repeats, [&] {
        if (!DecodeImage(bytes, "bench").ok()) std::abort();
      });
      const Timing reduced = TimeMs(repeats, [&] {
        auto img = DecodeImage(bytes, "bench", {.min_side = 416});
        if (!img.ok()) std::abort();
        scale = img->scale_denom;
      });
      const Timing cv_reduced = TimeMs(repeats, [&] {
        if (cv::imdecode(buf, cv::IMREAD_REDUCED_COLOR_2).empty()) std::abort();
      });
      const std::string dims = std::to_string(size.w) + "x" + std::to_string(size.h);
      std::printf("%-5s %-10s %9zu | %6.2f (%6.2f) | %6.2f (%6.2f)   1/%d | %6.2f (%6.2f)\n",
                  f.name, dims.c_str(), bytes.size(), full.median / mp, full.min / mp,
                  reduced.median / mp, reduced.min / mp, scale, cv_reduced.median / mp,
                  cv_reduced.min / mp);
    }
  }
  std::printf(
      "\nreduced: min_side 416; JPEG takes the smallest of 1/2, 1/4, 1/8 that keeps the shorter\n"
      "side >= 416 px, other formats decode at full size.\n");
  return 0;
}
