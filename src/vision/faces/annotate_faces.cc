#include "vision/faces/annotate_faces.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "vision/labels/annotate.h"

namespace imagemill::vision {

cv::Mat AnnotateFaces(const cv::Mat& bgr, const nlohmann::json& answer) {
  const nlohmann::json details = answer.value("FaceDetails", nlohmann::json::array());
  nlohmann::json instances = nlohmann::json::array();
  for (const nlohmann::json& d : details) {
    instances.push_back({{"BoundingBox", d.value("BoundingBox", nlohmann::json::object())},
                         {"Confidence", d.value("Confidence", 0.0)}});
  }
  nlohmann::json labels = nlohmann::json::array();
  if (!instances.empty()) {
    labels.push_back({{"Name", "Face"},
                      {"Confidence", details[0].value("Confidence", 0.0)},
                      {"Instances", instances}});
  }
  cv::Mat out = AnnotateLabels(bgr, {{"Labels", labels}});
  const int radius = std::max(2, std::max(out.cols, out.rows) / 250);
  for (const nlohmann::json& d : details) {
    for (const nlohmann::json& l : d.value("Landmarks", nlohmann::json::array())) {
      const cv::Point p(static_cast<int>(std::lround(l.value("X", 0.0) * out.cols)),
                        static_cast<int>(std::lround(l.value("Y", 0.0) * out.rows)));
      const bool left = l.value("Type", "") == "eyeLeft";
      cv::circle(out, p, radius, left ? cv::Scalar(255, 0, 0) : cv::Scalar(0, 255, 255), cv::FILLED,
                 cv::LINE_AA);
    }
  }
  return out;
}

}  // namespace imagemill::vision
