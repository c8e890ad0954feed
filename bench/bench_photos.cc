// bench_photos: writes the benchmark suite's photo folder — realistic camera-sized photos made
// from the Debian `darknet` sample photos (scripts/fetch-samples.sh) by cropping, scaling and
// re-encoding.
//
//   bench_photos OUT --from DIR [--count 1000] [--min-mp 1] [--max-mp 12] [--seed 1] [--threads N]
//
// Each photo: one of the samples, cropped to a camera aspect ratio (4:3, 3:2, 16:9 or 1:1,
// landscape or portrait) over 60 to 100 % of its extent, scaled to a size drawn log-uniformly
// between --min-mp and --max-mp megapixels (median about 3.5 MP for 1 to 12), given a fine sensor
// grain (Gaussian noise, sigma 2.5 to 5 grey levels) so that it compresses like a camera's photo
// rather than like a smooth upscale, and encoded as JPEG (85 %, quality 85 to 95), PNG (10 %) or
// WebP (5 %, lossy, quality 80 to 90). Everything follows from --seed: the same arguments write
// the same files. The tool does not skip existing files; scripts/bench.sh caches the folder.
//
// The tests' tools/make_images.cc writes small mixed-format images for correctness tests; this one
// writes what a benchmark needs (camera sizes, camera-like entropy, known format mix).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Aspect {
  int w, h;
};
constexpr Aspect kAspects[] = {{4, 3}, {4, 3}, {4, 3}, {3, 2}, {16, 9}, {1, 1}};

struct Written {
  std::string format;
  double megapixels = 0;
  uint64_t bytes = 0;
};

// The i-th photo, a pure function of (seed, i) and the samples.
Written MakePhoto(const std::vector<cv::Mat>& samples, unsigned seed, int i, double min_mp,
                  double max_mp, const fs::path& out) {
  std::mt19937 rng(seed * 1000003u + static_cast<unsigned>(i));
  auto uniform = [&](double a, double b) {
    return std::uniform_real_distribution<double>(a, b)(rng);
  };
  const cv::Mat& src = samples[static_cast<size_t>(i) % samples.size()];

  Aspect a = kAspects[std::uniform_int_distribution<size_t>(0, std::size(kAspects) - 1)(rng)];
  if (uniform(0, 1) < 0.25) std::swap(a.w, a.h);  // portrait
  // The largest crop of that aspect inside the sample, then 60 to 100 % of it, placed anywhere.
  double fit = std::min(static_cast<double>(src.cols) / a.w, static_cast<double>(src.rows) / a.h);
  double extent = fit * uniform(0.6, 1.0);
  int cw = std::max(8, static_cast<int>(extent * a.w)),
      ch = std::max(8, static_cast<int>(extent * a.h));
  int x = std::uniform_int_distribution<int>(0, src.cols - cw)(rng);
  int y = std::uniform_int_distribution<int>(0, src.rows - ch)(rng);

  const double mp = std::exp(uniform(std::log(min_mp), std::log(max_mp)));
  const double unit = std::sqrt(mp * 1e6 / (a.w * a.h));
  const int w = std::max(1, static_cast<int>(unit * a.w)),
            h = std::max(1, static_cast<int>(unit * a.h));
  cv::Mat photo;
  cv::resize(src(cv::Rect(x, y, cw, ch)), photo, cv::Size(w, h), 0, 0,
             w > cw ? cv::INTER_CUBIC : cv::INTER_AREA);
  if (uniform(0, 1) < 0.5) cv::flip(photo, photo, 1);

  // Grain: mostly luminance, a little chroma, as a camera's sensor noise looks.
  const double sigma = uniform(2.5, 5.0);
  cv::Mat luma(h, w, CV_16SC1), chroma(h, w, CV_16SC3);
  cv::theRNG().state = rng();
  cv::randn(luma, 0, sigma);
  cv::randn(chroma, 0, sigma / 3);
  cv::Mat luma3, noisy;
  cv::merge(std::vector<cv::Mat>{luma, luma, luma}, luma3);
  photo.convertTo(noisy, CV_16SC3);
  noisy += luma3 + chroma;
  noisy.convertTo(photo, CV_8UC3);  // saturating

  const double pick = uniform(0, 1);
  std::string ext;
  std::vector<int> params;
  if (pick < 0.85) {
    ext = ".jpg";
    params = {cv::IMWRITE_JPEG_QUALITY, std::uniform_int_distribution<int>(85, 95)(rng)};
  } else if (pick < 0.95) {
    ext = ".png";
  } else {
    ext = ".webp";
    params = {cv::IMWRITE_WEBP_QUALITY, std::uniform_int_distribution<int>(80, 90)(rng)};
  }
  std::vector<uchar> bytes;
  cv::imencode(ext, photo, bytes, params);
  char name[64];
  std::snprintf(name, sizeof(name), "p%02d/photo%05d%s", i % 50, i, ext.c_str());
  const fs::path path = out / name;
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return {ext.substr(1), w * static_cast<double>(h) / 1e6, bytes.size()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write the benchmark's camera-sized photos from the darknet sample photos"};
  std::string out, from;
  int count = 1000, threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  double min_mp = 1, max_mp = 12;
  unsigned seed = 1;
  app.add_option("OUT", out, "Folder to write")->required();
  app.add_option("--from", from, "Folder of sample photos (.jpg)")->required();
  app.add_option("--count", count, "Photos to write")->capture_default_str();
  app.add_option("--min-mp", min_mp, "Smallest size, megapixels")->capture_default_str();
  app.add_option("--max-mp", max_mp, "Largest size, megapixels")->capture_default_str();
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_option("--threads", threads, "Encoding threads")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (min_mp <= 0 || max_mp < min_mp) {
    std::fprintf(stderr, "bench_photos: need 0 < --min-mp <= --max-mp\n");
    return 2;
  }

  std::vector<std::pair<std::string, cv::Mat>> named;
  for (const auto& e : fs::directory_iterator(from)) {
    if (e.path().extension() != ".jpg") continue;
    cv::Mat m = cv::imread(e.path().string(), cv::IMREAD_COLOR);
    if (!m.empty()) named.emplace_back(e.path().filename().string(), m);
  }
  if (named.empty()) {
    std::fprintf(stderr, "bench_photos: no .jpg photos in %s (run scripts/fetch-samples.sh)\n",
                 from.c_str());
    return 2;
  }
  std::sort(named.begin(), named.end(), [](auto& a, auto& b) { return a.first < b.first; });
  std::vector<cv::Mat> samples;
  for (auto& [n, m] : named) samples.push_back(m);

  cv::setNumThreads(1);
  std::atomic<int> next{0};
  std::vector<Written> written(static_cast<size_t>(count));  // slot i written by one thread only
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, threads); ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        written[static_cast<size_t>(i)] = MakePhoto(samples, seed, i, min_mp, max_mp, out);
      }
    });
  }
  for (auto& t : pool) t.join();

  std::map<std::string, std::pair<int, uint64_t>> by_format;
  std::vector<double> mps;
  for (const Written& w : written) {
    by_format[w.format].first++;
    by_format[w.format].second += w.bytes;
    mps.push_back(w.megapixels);
  }
  std::sort(mps.begin(), mps.end());
  double total_mp = 0;
  for (double m : mps) total_mp += m;
  std::printf("bench_photos: %d photos in %s, %.0f MP in all, MP min %.1f median %.1f max %.1f\n",
              count, out.c_str(), total_mp, mps.front(), mps[mps.size() / 2], mps.back());
  for (const auto& [f, n] : by_format) {
    std::printf("  %-4s %5d photos  %8.1f MB\n", f.c_str(), n.first,
                static_cast<double>(n.second) / 1e6);
  }
  return 0;
}
