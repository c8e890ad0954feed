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
//
// A second table gives the CPU time (user + sys of the process, so that a decoder's own threads
// count) of decoding one 3-megapixel photo (2048x1536; 640x480 with --quick) in each format
// imagemill reads: JPEG, PNG, WebP, HEIC, AVIF, TIFF, BMP and GIF, full size, as the engine
// decodes an image for DetectFaces and DetectText. HEIC, AVIF and GIF are written with the tests'
// encoders (tests/support/encoders.h), the others with OpenCV.
#include <time.h>

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
#include "support/encoders.h"
#include "vision/decode/image.h"

namespace {

namespace fs = std::filesystem;
using imagemill::bench::Mosaic;
using imagemill::bench::TimeMs;
using imagemill::bench::Timing;
using imagemill::vision::DecodeImage;

double ProcessCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// The median and minimum of `repeats` runs of fn after one warm-up, in CPU milliseconds of the
// whole process.
Timing CpuMs(int repeats, const std::function<void()>& fn) {
  fn();
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) {
    const double t0 = ProcessCpuMs();
    fn();
    ms.push_back(ProcessCpuMs() - t0);
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front()};
}

// The CPU cost of decoding one photo in each format imagemill reads.
void PerFormat(const std::vector<cv::Mat>& photos, bool quick, int repeats) {
  const int w = quick ? 640 : 2048, h = quick ? 480 : 1536;
  const cv::Mat mosaic = Mosaic(photos, w, h);
  auto cv_encode = [&](const char* ext, std::vector<int> params) {
    std::vector<uchar> buf;
    cv::imencode(ext, mosaic, buf, params);
    return std::string(buf.begin(), buf.end());
  };
  const struct {
    const char* name;
    const char* how;
    std::function<std::string()> encode;
  } formats[] = {
      {"JPEG", "quality 90", [&] { return cv_encode(".jpg", {cv::IMWRITE_JPEG_QUALITY, 90}); }},
      {"PNG", "OpenCV's level", [&] { return cv_encode(".png", {}); }},
      {"WebP", "lossy, quality 90", [&] { return cv_encode(".webp", {cv::IMWRITE_WEBP_QUALITY, 90}); }},
      {"HEIC", "HEVC, quality 90",
       [&] { return imagemill::testing::EncodeHeif(mosaic, /*avif=*/false, 90); }},
      {"AVIF", "AV1, quality 90",
       [&] { return imagemill::testing::EncodeHeif(mosaic, /*avif=*/true, 90); }},
      {"TIFF", "OpenCV's (LZW)", [&] { return cv_encode(".tiff", {}); }},
      {"BMP", "24-bit", [&] { return cv_encode(".bmp", {}); }},
      {"GIF", "6x6x6 palette", [&] { return imagemill::testing::EncodeGif(mosaic); }},
  };
  std::printf("\nOne %dx%d photo (%.1f MP) decoded at full size, CPU ms per image (user + sys of\n"
              "the process), median (min) of %d runs:\n\n",
              w, h, w * double(h) / 1e6, repeats);
  std::printf("%-5s %-18s %9s | %s\n", "fmt", "encoded as", "bytes", "CPU ms per image");
  for (const auto& f : formats) {
    const std::string bytes = f.encode();
    const Timing cpu = CpuMs(repeats, [&] {
      if (!DecodeImage(bytes, "bench").ok()) std::abort();
    });
    std::printf("%-5s %-18s %9zu | %7.2f (%7.2f)\n", f.name, f.how, bytes.size(), cpu.median,
                cpu.min);
  }
}

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
  PerFormat(photos, quick, repeats);
  return 0;
}
