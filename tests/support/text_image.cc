#include "support/text_image.h"

#include <opencv2/imgproc.hpp>

namespace imagemill::testing {

cv::Mat TextImage(const std::vector<std::string>& lines, cv::Size size, double scale, double angle,
                  std::vector<DrawnLine>* drawn) {
  cv::Mat img(size, CV_8UC3, cv::Scalar(235, 238, 240));
  const int thickness = std::max(1, static_cast<int>(scale * 2));
  int y = 60;
  for (const std::string& text : lines) {
    int baseline = 0;
    const cv::Size t = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
    cv::putText(img, text, {40, y + t.height}, cv::FONT_HERSHEY_SIMPLEX, scale,
                cv::Scalar(30, 30, 30), thickness, cv::LINE_AA);
    if (drawn != nullptr) {  // the ink's own bounds, drawn alone
      cv::Mat ink = cv::Mat::zeros(size, CV_8UC1);
      cv::putText(ink, text, {40, y + t.height}, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(255),
                  thickness, cv::LINE_AA);
      drawn->push_back({text, cv::boundingRect(ink)});
    }
    y += t.height * 3;
  }
  if (angle != 0) {
    const cv::Mat m =
        cv::getRotationMatrix2D(cv::Point2f(size.width / 2.0f, size.height / 2.0f), angle, 1.0);
    cv::warpAffine(img, img, m, size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  }
  return img;
}

}  // namespace imagemill::testing
