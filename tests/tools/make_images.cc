// imagemill_testdata: writes a folder of generated images for end-to-end tests and benchmarks.
//
//   imagemill_testdata OUT --count N [--from DIR] [--min-side PX] [--max-side PX] [--bad] [--seed
//   S]
//                      [--format .heic]
//
// Without --from, images are synthetic (shapes and gradients on a random background); with it,
// they are crops of the photos in DIR, scaled to a random size and re-encoded. Formats are mixed:
// mostly JPEG, some PNG, WebP, TIFF and BMP, or all in the one --format (.jpg, .png, .webp,
// .tiff, .bmp, .gif, .heic, .avif). --bad adds ten broken objects: corrupt and truncated
// images, zero-byte "photos" and files that are not images at all.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "support/encoders.h"

namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

cv::Mat Synthetic(std::mt19937& rng, int w, int h) {
  std::uniform_int_distribution<int> c(0, 255);
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(c(rng), c(rng), c(rng)));
  for (int i = 0; i < 6; ++i) {
    cv::Point a(std::uniform_int_distribution<int>(0, w - 1)(rng),
                std::uniform_int_distribution<int>(0, h - 1)(rng));
    int r = std::uniform_int_distribution<int>(4, std::max(5, std::min(w, h) / 3))(rng);
    cv::Scalar color(c(rng), c(rng), c(rng));
    if (i % 2 == 0) {
      cv::circle(img, a, r, color, cv::FILLED);
    } else {
      cv::rectangle(img, a, a + cv::Point(r, r / 2 + 1), color, cv::FILLED);
    }
  }
  return img;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write generated images for imagemill's tests and benchmarks"};
  std::string out, from;
  int count = 100, min_side = 64, max_side = 256;
  unsigned seed = 1;
  bool bad = false;
  app.add_option("OUT", out, "Folder to write")->required();
  app.add_option("--count", count, "Good images to write");
  app.add_option("--from", from, "Folder of photos to crop and scale (default: synthetic)");
  app.add_option("--min-side", min_side, "Smallest image side, pixels");
  app.add_option("--max-side", max_side, "Largest image side, pixels");
  app.add_option("--seed", seed, "Random seed");
  app.add_flag("--bad", bad, "Add ten broken objects");
  std::string format;
  app.add_option("--format", format,
                 "Write every image in this format (.jpg, .png, ..., .gif, .heic, .avif)");
  CLI11_PARSE(app, argc, argv);

  std::mt19937 rng(seed);
  std::vector<cv::Mat> photos;
  if (!from.empty()) {
    for (const auto& e : fs::directory_iterator(from)) {
      cv::Mat m = cv::imread(e.path().string(), cv::IMREAD_COLOR);
      if (!m.empty()) photos.push_back(m);
    }
    if (photos.empty()) {
      std::cerr << "imagemill_testdata: no photos in " << from << "\n";
      return 2;
    }
  }
  const char* formats[] = {".jpg", ".jpg", ".jpg", ".jpg", ".jpg", ".jpg", ".png", ".webp",
                           ".tiff", ".bmp"};
  std::uniform_int_distribution<int> side(min_side, max_side);
  for (int i = 0; i < count; ++i) {
    int w = side(rng), h = side(rng);
    cv::Mat img;
    if (photos.empty()) {
      img = Synthetic(rng, w, h);
    } else {
      const cv::Mat& p = photos[static_cast<size_t>(i) % photos.size()];
      int cw = std::uniform_int_distribution<int>(p.cols / 2, p.cols)(rng);
      int ch = std::uniform_int_distribution<int>(p.rows / 2, p.rows)(rng);
      int x = std::uniform_int_distribution<int>(0, p.cols - cw)(rng);
      int y = std::uniform_int_distribution<int>(0, p.rows - ch)(rng);
      double scale = static_cast<double>(w) / cw;
      cv::resize(p(cv::Rect(x, y, cw, ch)), img, cv::Size(w, static_cast<int>(ch * scale + 0.5)), 0,
                 0, scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
    }
    const char* ext = formats[std::uniform_int_distribution<size_t>(0, std::size(formats) - 1)(rng)];
    if (!format.empty()) ext = format.c_str();
    std::string encoded;
    if (format == ".gif") {
      encoded = imagemill::testing::EncodeGif(img);
    } else if (format == ".heic" || format == ".avif") {
      encoded = imagemill::testing::EncodeHeif(img, format == ".avif");
    } else {
      std::vector<uchar> bytes;
      std::vector<int> params;
      if (std::string(ext) == ".jpg") params = {cv::IMWRITE_JPEG_QUALITY, 90};
      cv::imencode(ext, img, bytes, params);
      encoded.assign(bytes.begin(), bytes.end());
    }
    char name[64];
    std::snprintf(name, sizeof(name), "set%02d/img%05d%s", i % 20, i, ext);
    WriteFile(fs::path(out) / name, encoded);
  }
  if (bad) {
    std::vector<uchar> jpeg;
    cv::imencode(".jpg", Synthetic(rng, 200, 150), jpeg);
    std::string whole(jpeg.begin(), jpeg.end());
    std::string garbage = "\xff\xd8\xff\xe0";
    for (int i = 0; i < 3000; ++i) garbage += static_cast<char>(rng() & 0xff);
    WriteFile(fs::path(out) / "bad/corrupt1.jpg", garbage);
    WriteFile(fs::path(out) / "bad/corrupt2.png", "\x89PNG\r\n\x1a\n" + garbage.substr(0, 500));
    WriteFile(fs::path(out) / "bad/truncated1.jpg", whole.substr(0, whole.size() / 3));
    WriteFile(fs::path(out) / "bad/truncated2.jpg", whole.substr(0, 600));
    WriteFile(fs::path(out) / "bad/zero1.jpg", "");
    WriteFile(fs::path(out) / "bad/zero2.png", "");
    WriteFile(fs::path(out) / "bad/header-only.jpg", whole.substr(0, 20));
    WriteFile(fs::path(out) / "bad/notes.txt", "shopping list: milk, eggs\n");
    WriteFile(fs::path(out) / "bad/meta.json", "{\"camera\": \"x\"}\n");
    WriteFile(fs::path(out) / "bad/page.html", "<html><body>not a photo</body></html>\n");
  }
  return 0;
}
