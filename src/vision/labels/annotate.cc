#include "vision/labels/annotate.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

namespace imagemill::vision {
namespace {

// A colour per label name, stable across runs, bright enough to see on photos and dark text on it.
cv::Scalar ColourFor(const std::string& name) {
  uint32_t h = 2166136261u;
  for (unsigned char c : name) h = (h ^ c) * 16777619u;
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(h % 180, 170, 255)), bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const cv::Vec3b c = bgr.at<cv::Vec3b>(0, 0);
  return {static_cast<double>(c[0]), static_cast<double>(c[1]), static_cast<double>(c[2])};
}

std::string WithPercent(const std::string& name, double confidence) {
  return name + " " + std::to_string(static_cast<int>(std::lround(confidence))) + "%";
}

std::string LowerExtension(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

// Draws captions where they do not cover one another.
class Captions {
 public:
  Captions(cv::Mat& img, double scale, int thickness)
      : img_(img), scale_(scale), thickness_(thickness) {}

  // `text` on a filled box of `colour`, its bottom-left corner at `at` when there is room above
  // (the top edge of a box), else just below it; moved down past captions already drawn.
  void Draw(const std::string& text, cv::Point at, const cv::Scalar& colour) {
    int baseline = 0;
    const cv::Size size =
        cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale_, thickness_, &baseline);
    const int pad = std::max(2, thickness_ * 2);
    cv::Rect r(at.x, at.y - size.height - baseline - 2 * pad, size.width + 2 * pad,
               size.height + baseline + 2 * pad);
    if (r.y < 0) r.y = at.y;
    r.x = std::clamp(r.x, 0, std::max(0, img_.cols - r.width));
    for (int tries = 0; tries < 50 && Overlaps(r); ++tries) r.y += r.height;
    r.y = std::clamp(r.y, 0, std::max(0, img_.rows - r.height));
    placed_.push_back(r);
    cv::rectangle(img_, r, colour, cv::FILLED);
    cv::putText(img_, text, cv::Point(r.x + pad, r.y + pad + size.height), cv::FONT_HERSHEY_SIMPLEX,
                scale_, cv::Scalar(0, 0, 0), thickness_, cv::LINE_AA);
  }

 private:
  bool Overlaps(const cv::Rect& r) const {
    for (const cv::Rect& p : placed_) {
      if ((p & r).area() > 0) return true;
    }
    return false;
  }
  cv::Mat& img_;
  const double scale_;
  const int thickness_;
  std::vector<cv::Rect> placed_;
};

}  // namespace

cv::Mat AnnotateLabels(const cv::Mat& bgr, const nlohmann::json& answer) {
  cv::Mat out;
  const int long_side = std::max(bgr.cols, bgr.rows);
  if (long_side > 0 && long_side < kMinAnnotatedLongSide) {
    const double f = static_cast<double>(kMinAnnotatedLongSide) / long_side;
    cv::resize(bgr, out,
               cv::Size(std::max(1, static_cast<int>(std::lround(bgr.cols * f))),
                        std::max(1, static_cast<int>(std::lround(bgr.rows * f)))),
               0, 0, cv::INTER_CUBIC);
  } else {
    out = bgr.clone();
  }
  const double side = std::max(out.cols, out.rows);
  const int thickness = std::max(1, static_cast<int>(side / 700));
  const double scale = std::max(0.55, side / 1600);
  if (!answer.contains("Labels") || !answer["Labels"].is_array()) return out;
  Captions captions(out, scale, thickness);
  for (const nlohmann::json& label : answer["Labels"]) {
    const std::string name = label.value("Name", "");
    const nlohmann::json instances = label.value("Instances", nlohmann::json::array());
    if (instances.empty()) {
      captions.Draw(WithPercent(name, label.value("Confidence", 0.0)), cv::Point(0, 0),
                    ColourFor(name));
      continue;
    }
    const cv::Scalar colour = ColourFor(name);
    for (const nlohmann::json& inst : instances) {
      const nlohmann::json& b = inst["BoundingBox"];
      const cv::Rect box(static_cast<int>(std::lround(b.value("Left", 0.0) * out.cols)),
                         static_cast<int>(std::lround(b.value("Top", 0.0) * out.rows)),
                         static_cast<int>(std::lround(b.value("Width", 0.0) * out.cols)),
                         static_cast<int>(std::lround(b.value("Height", 0.0) * out.rows)));
      // A dark edge under the coloured line keeps the box visible on light and dark photos.
      cv::rectangle(out, box, cv::Scalar(0, 0, 0), 2 * thickness + 2);
      cv::rectangle(out, box, colour, 2 * thickness);
      captions.Draw(WithPercent(name, inst.value("Confidence", 0.0)), box.tl(), colour);
    }
  }
  return out;
}

bool IsAnnotationPath(const std::string& path) {
  const std::string ext = LowerExtension(path);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

Status WriteAnnotated(const cv::Mat& annotated, const std::string& path) {
  const std::string ext = LowerExtension(path);
  if (!IsAnnotationPath(path)) {
    return Status::InvalidArgument(path +
                                   ": the annotated image is written as JPEG or PNG; give "
                                   "a name ending in .jpg, .jpeg or .png");
  }
  std::vector<uchar> bytes;
  bool encoded = false;
  try {
    if (ext == ".png") {
      encoded = cv::imencode(".png", annotated, bytes);
    } else {
      // Baseline (not progressive), 4:2:0, 8-bit YCbCr with a JFIF header: what every viewer,
      // browser and mail client decodes.
      const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY,     92,
                                       cv::IMWRITE_JPEG_PROGRESSIVE, 0,
                                       cv::IMWRITE_JPEG_OPTIMIZE,    0};
      encoded = cv::imencode(".jpg", annotated, bytes, params);
    }
  } catch (const cv::Exception& e) {
    return Status::Internal(path + ": encoding the annotated image failed: " + e.what());
  }
  if (!encoded) return Status::Internal(path + ": encoding the annotated image failed");
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f)
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!f || !f.flush()) {
    return Status::Io(path +
                      ": cannot write the annotated image (does the folder exist, and may "
                      "it be written?)");
  }
  return Status::Ok();
}

}  // namespace imagemill::vision
