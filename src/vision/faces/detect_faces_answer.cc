#include "vision/faces/detect_faces_answer.h"

#include <algorithm>
#include <cmath>

#include "util/round.h"
#include "vision/properties/image_properties.h"

namespace imagemill::vision {
namespace {

double Round2(double v) { return std::round(v * 1e2) / 1e2; }

nlohmann::json Landmark(const char* type, const cv::Point2f& p) {
  return {{"Type", type}, {"X", Round4(p.x)}, {"Y", Round4(p.y)}};
}

nlohmann::json Quality(const cv::Rect2f& box, const cv::Mat& work) {
  const cv::Rect pixels(cv::Point(static_cast<int>(std::lround(box.x * work.cols)),
                                  static_cast<int>(std::lround(box.y * work.rows))),
                        cv::Point(static_cast<int>(std::lround(box.br().x * work.cols)),
                                  static_cast<int>(std::lround(box.br().y * work.rows))));
  const cv::Rect inside = pixels & cv::Rect(0, 0, work.cols, work.rows);
  if (inside.width < 2 || inside.height < 2) return nullptr;
  const ImageQuality q = ComputeImageProperties(work(inside), {.max_dominant_colors = 0}).quality;
  return {{"Brightness", Round2(q.brightness)}, {"Sharpness", Round2(q.sharpness)}};
}

}  // namespace

nlohmann::json DetectFacesAnswer(const std::vector<Face>& faces, int width, int height,
                                 const cv::Mat& work) {
  nlohmann::json details = nlohmann::json::array();
  for (const Face& f : faces) {
    // The viewer's left eye is the person's right eye in a frontal face.
    const cv::Point2f& eye_left = f.keypoints[kRightEye];
    const cv::Point2f& eye_right = f.keypoints[kLeftEye];
    const double roll =
        std::atan2((eye_right.y - eye_left.y) * height, (eye_right.x - eye_left.x) * width) *
        180.0 / M_PI;
    nlohmann::json d = {
        {"BoundingBox",
         {{"Width", Round4(f.box.width)},
          {"Height", Round4(f.box.height)},
          {"Left", Round4(f.box.x)},
          {"Top", Round4(f.box.y)}}},
        {"Confidence", Round4(f.score * 100.0)},
        {"Landmarks",
         {Landmark("eyeLeft", eye_left), Landmark("eyeRight", eye_right),
          Landmark("nose", f.keypoints[kNoseTip])}},
        {"Pose", {{"Roll", Round2(roll)}}},
    };
    nlohmann::json quality = Quality(f.box, work);
    if (!quality.is_null()) d["Quality"] = std::move(quality);
    details.push_back(std::move(d));
  }
  return {{"FaceDetails", std::move(details)}};
}

std::vector<IndexEntry> FaceIndexEntries(const nlohmann::json& response) {
  auto details = response.find("FaceDetails");
  if (details == response.end() || !details->is_array() || details->empty()) return {};
  double best = 0;
  for (const nlohmann::json& face : *details) best = std::max(best, face.value("Confidence", 0.0));
  return {IndexEntry{"Face", best, true}};
}

}  // namespace imagemill::vision
