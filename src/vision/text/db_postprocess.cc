#include "vision/text/db_postprocess.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace imagemill::vision {
namespace {

// Mean of `probability` inside `rect` (the pixels of its bounding box that the filled rectangle
// covers).
float MeanInside(const cv::Mat& probability, const cv::RotatedRect& rect) {
  cv::Point2f corners[4];
  rect.points(corners);
  float x0 = corners[0].x, x1 = x0, y0 = corners[0].y, y1 = y0;
  for (const cv::Point2f& p : corners) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  const int left = std::clamp(static_cast<int>(std::floor(x0)), 0, probability.cols - 1);
  const int right = std::clamp(static_cast<int>(std::ceil(x1)), 0, probability.cols - 1);
  const int top = std::clamp(static_cast<int>(std::floor(y0)), 0, probability.rows - 1);
  const int bottom = std::clamp(static_cast<int>(std::ceil(y1)), 0, probability.rows - 1);
  const cv::Rect box(left, top, right - left + 1, bottom - top + 1);
  cv::Mat mask = cv::Mat::zeros(box.size(), CV_8UC1);
  std::vector<cv::Point> polygon;
  for (const cv::Point2f& p : corners) {
    polygon.emplace_back(static_cast<int>(std::lround(p.x)) - left,
                         static_cast<int>(std::lround(p.y)) - top);
  }
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{polygon}, cv::Scalar(1));
  return static_cast<float>(cv::mean(probability(box), mask)[0]);
}

}  // namespace

std::vector<DbRegion> FindTextRegions(const cv::Mat& probability, const DbOptions& options) {
  CV_Assert(probability.type() == CV_32FC1 && probability.dims == 2);
  std::vector<DbRegion> out;
  if (probability.empty()) return out;
  cv::Mat bitmap = probability > options.threshold;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  if (static_cast<int>(contours.size()) > options.max_candidates) {
    std::nth_element(contours.begin(), contours.begin() + options.max_candidates, contours.end(),
                     [](const auto& a, const auto& b) { return a.size() > b.size(); });
    contours.resize(options.max_candidates);
  }
  for (const std::vector<cv::Point>& contour : contours) {
    if (contour.size() < 2) continue;
    const cv::RotatedRect rect = cv::minAreaRect(contour);
    if (std::min(rect.size.width, rect.size.height) < options.min_side) continue;
    const float score = MeanInside(probability, rect);
    if (score < options.box_threshold) continue;
    const float w = rect.size.width, h = rect.size.height;
    const float grow = w * h * options.unclip_ratio / (2 * (w + h));
    const cv::RotatedRect grown(rect.center, cv::Size2f(w + 2 * grow, h + 2 * grow), rect.angle);
    if (std::min(grown.size.width, grown.size.height) < options.min_side + 2) continue;
    out.push_back({grown, score});
  }
  return out;
}

}  // namespace imagemill::vision
