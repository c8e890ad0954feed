#include "vision/properties/image_properties.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <tuple>

#include "vision/properties/color_clusters.h"
#include "vision/properties/css_colors.h"

namespace imagemill::vision {
namespace {

constexpr double kSharpnessHalfPoint = 300.0;  // Laplacian variance that maps to 50

double Round2(double v) { return std::round(v * 100.0) / 100.0; }

// Halves with cv::pyrDown (Gaussian, antialiased, fast) while the image is at least twice the
// target, then takes the last step, less than 2x, bilinearly. cv::resize's INTER_AREA does the
// same job in one step but takes its slow general path for non-integer ratios (docs/benchmarks.md,
// "Design measurements").
cv::Mat ShrinkTo(const cv::Mat& bgr, int long_side) {
  const int longer = std::max(bgr.cols, bgr.rows);
  if (longer <= long_side) return bgr;
  const double f = static_cast<double>(long_side) / longer;
  const cv::Size size(std::max(1, static_cast<int>(std::lround(bgr.cols * f))),
                      std::max(1, static_cast<int>(std::lround(bgr.rows * f))));
  cv::Mat cur = bgr;
  while (std::max(cur.cols, cur.rows) >= 2 * long_side) {
    cv::Mat half;
    cv::pyrDown(cur, half);
    cur = half;
  }
  if (cur.size() == size) return cur;
  cv::Mat out;
  cv::resize(cur, out, size, 0, 0, cv::INTER_LINEAR);
  return out;
}

ImageQuality Quality(const cv::Mat& bgr) {
  cv::Mat y;
  cv::cvtColor(bgr, y, cv::COLOR_BGR2GRAY);
  cv::Scalar mean, stddev;
  cv::meanStdDev(y, mean, stddev);
  cv::Mat lap;
  cv::Laplacian(y, lap, CV_32F, 1);
  cv::Scalar lap_mean, lap_stddev;
  cv::meanStdDev(lap, lap_mean, lap_stddev);
  const double v = lap_stddev[0] * lap_stddev[0];
  ImageQuality q;
  q.brightness = Round2(mean[0] * 100.0 / 255.0);
  q.contrast = Round2(std::min(100.0, stddev[0] * 100.0 / 127.5));
  q.sharpness = Round2(100.0 * v / (v + kSharpnessHalfPoint));
  return q;
}

DominantColor Describe(const ColorCluster& c, int64_t total) {
  DominantColor d;
  d.red = c.red;
  d.green = c.green;
  d.blue = c.blue;
  char hex[8];
  std::snprintf(hex, sizeof hex, "#%02x%02x%02x", d.red, d.green, d.blue);
  d.hex_code = hex;
  const NamedColor named = NearestNamedColor(d.red, d.green, d.blue);
  d.css_color = named.css;
  d.simplified_color = named.simplified;
  d.pixel_percent = Round2(100.0 * static_cast<double>(c.pixels) / static_cast<double>(total));
  return d;
}

}  // namespace

cv::Mat ShrinkForAnalysis(const cv::Mat& bgr) { return ShrinkTo(bgr, kAnalysisLongSide); }

ImageProperties ComputeImageProperties(const cv::Mat& bgr, const ImagePropertiesOptions& options) {
  CV_Assert(!bgr.empty() && bgr.type() == CV_8UC3);
  const cv::Mat work = ShrinkForAnalysis(bgr);
  ImageProperties p;
  p.quality = Quality(work);

  const int k = std::clamp(options.max_dominant_colors, 0, kMaxDominantColorsLimit);
  if (k == 0) return p;
  const auto total = static_cast<int64_t>(work.total());
  for (const ColorCluster& c : ClusterColors(work, k)) {
    p.dominant_colors.push_back(Describe(c, total));
  }
  std::sort(p.dominant_colors.begin(), p.dominant_colors.end(),
            [](const DominantColor& a, const DominantColor& b) {
              return std::tie(b.pixel_percent, a.hex_code) < std::tie(a.pixel_percent, b.hex_code);
            });
  return p;
}

nlohmann::json ToJson(const ImageProperties& properties) {
  nlohmann::json colors = nlohmann::json::array();
  for (const DominantColor& c : properties.dominant_colors) {
    colors.push_back({{"Red", c.red},
                      {"Green", c.green},
                      {"Blue", c.blue},
                      {"HexCode", c.hex_code},
                      {"CSSColor", c.css_color},
                      {"SimplifiedColor", c.simplified_color},
                      {"PixelPercent", c.pixel_percent}});
  }
  return {{"Quality",
           {{"Brightness", properties.quality.brightness},
            {"Sharpness", properties.quality.sharpness},
            {"Contrast", properties.quality.contrast}}},
          {"DominantColors", std::move(colors)}};
}

}  // namespace imagemill::vision
