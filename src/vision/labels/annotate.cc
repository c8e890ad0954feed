#include "vision/labels/annotate.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>

namespace imagemill::vision {
namespace {

// A colour per label name, stable across runs, bright enough to see on photos.
cv::Scalar ColourFor(const std::string& name) {
  uint32_t h = 2166136261u;
  for (unsigned char c : name) h = (h ^ c) * 16777619u;
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(h % 180, 200, 255)), bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const cv::Vec3b c = bgr.at<cv::Vec3b>(0, 0);
  return {static_cast<double>(c[0]), static_cast<double>(c[1]), static_cast<double>(c[2])};
}

// Text on a filled box of `colour`, its top-left corner at `at` (kept inside the image).
void Caption(cv::Mat& img, const std::string& text, cv::Point at, const cv::Scalar& colour,
             double scale, int thickness) {
  int baseline = 0;
  const cv::Size size =
      cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  at.x = std::clamp(at.x, 0, std::max(0, img.cols - size.width - 4));
  at.y = std::clamp(at.y, 0, std::max(0, img.rows - size.height - baseline - 4));
  cv::rectangle(img, cv::Rect(at.x, at.y, size.width + 4, size.height + baseline + 4), colour,
                cv::FILLED);
  cv::putText(img, text, cv::Point(at.x + 2, at.y + size.height + 2), cv::FONT_HERSHEY_SIMPLEX,
              scale, cv::Scalar(0, 0, 0), thickness, cv::LINE_AA);
}

std::string WithPercent(const std::string& name, double confidence) {
  return name + " " + std::to_string(static_cast<int>(std::lround(confidence))) + "%";
}

}  // namespace

cv::Mat AnnotateLabels(const cv::Mat& bgr, const nlohmann::json& answer) {
  cv::Mat out = bgr.clone();
  const double side = std::max(out.cols, out.rows);
  const int thickness = std::max(1, static_cast<int>(side / 400));
  const double scale = std::max(0.4, side / 1400);
  if (!answer.contains("Labels") || !answer["Labels"].is_array()) return out;
  int unboxed_row = 0;
  for (const nlohmann::json& label : answer["Labels"]) {
    const std::string name = label.value("Name", "");
    const cv::Scalar colour = ColourFor(name);
    const nlohmann::json instances = label.value("Instances", nlohmann::json::array());
    if (instances.empty()) {
      int baseline = 0;
      const int line =
          cv::getTextSize("Ag", cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline).height +
          baseline + 8;
      Caption(out, WithPercent(name, label.value("Confidence", 0.0)),
              cv::Point(4, 4 + line * unboxed_row++), colour, scale, thickness);
      continue;
    }
    for (const nlohmann::json& inst : instances) {
      const nlohmann::json& b = inst["BoundingBox"];
      const cv::Rect box(static_cast<int>(std::lround(b.value("Left", 0.0) * out.cols)),
                         static_cast<int>(std::lround(b.value("Top", 0.0) * out.rows)),
                         static_cast<int>(std::lround(b.value("Width", 0.0) * out.cols)),
                         static_cast<int>(std::lround(b.value("Height", 0.0) * out.rows)));
      cv::rectangle(out, box, colour, thickness + 1);
      Caption(out, WithPercent(name, inst.value("Confidence", 0.0)), box.tl(), colour, scale,
              thickness);
    }
  }
  return out;
}

}  // namespace imagemill::vision
