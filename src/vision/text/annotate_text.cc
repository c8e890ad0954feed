#include "vision/text/annotate_text.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

namespace imagemill::vision {
namespace {

const cv::Scalar kLineColour(60, 220, 60);  // BGR green
const cv::Scalar kWordColour(0, 150, 255);  // BGR orange

std::vector<cv::Point> Polygon(const nlohmann::json& detection, const cv::Size& size) {
  std::vector<cv::Point> points;
  const nlohmann::json polygon = detection.value("Geometry", nlohmann::json::object())
                                     .value("Polygon", nlohmann::json::array());
  for (const nlohmann::json& p : polygon) {
    points.emplace_back(static_cast<int>(std::lround(p.value("X", 0.0) * size.width)),
                        static_cast<int>(std::lround(p.value("Y", 0.0) * size.height)));
  }
  return points;
}

// Hershey fonts draw ASCII only.
std::string Ascii(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c & 0xC0) != 0x80) {
      out += '?';  // the first byte of a multi-byte character
    }
  }
  return out;
}

}  // namespace

cv::Mat AnnotateText(const cv::Mat& bgr, const nlohmann::json& answer) {
  cv::Mat out = bgr.clone();
  const double side = std::max(out.cols, out.rows);
  const int thickness = std::max(1, static_cast<int>(side / 800));
  if (!answer.contains("TextDetections") || !answer["TextDetections"].is_array()) return out;
  for (const nlohmann::json& d : answer["TextDetections"]) {
    const bool line = d.value("Type", "") == "LINE";
    const std::vector<cv::Point> polygon = Polygon(d, out.size());
    if (polygon.size() < 2) continue;
    cv::polylines(out, polygon, true, line ? kLineColour : kWordColour,
                  line ? thickness + 1 : thickness, cv::LINE_AA);
    if (!line) continue;
    // The caption half as tall as the line (Hershey's capitals are 22 pixels at 1.0).
    const double height = cv::norm(polygon[3] - polygon[0]);
    const double scale = std::clamp(0.45 * height / 22, 0.3, 1.5);
    const std::string caption = Ascii(d.value("DetectedText", "")) + " " +
                                std::to_string(std::lround(d.value("Confidence", 0.0))) + "%";
    cv::Point at = polygon[0];
    at.y = std::max(at.y - 3, static_cast<int>(22 * scale));
    // Dark under light, readable on any background.
    const int weight = std::max(1, static_cast<int>(scale * 1.5));
    cv::putText(out, caption, at, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(0, 0, 0), weight + 2,
                cv::LINE_AA);
    cv::putText(out, caption, at, cv::FONT_HERSHEY_SIMPLEX, scale, kLineColour, weight,
                cv::LINE_AA);
  }
  return out;
}

}  // namespace imagemill::vision
