#include "vision/text/line_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace imagemill::vision {
namespace {

float Distance(const cv::Point2f& a, const cv::Point2f& b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

cv::Point2f Apply(const cv::Matx23d& m, double x, double y) {
  return {static_cast<float>(m(0, 0) * x + m(0, 1) * y + m(0, 2)),
          static_cast<float>(m(1, 0) * x + m(1, 1) * y + m(1, 2))};
}

// Any ASCII letter or digit, or any non-ASCII character (a letter of another script).
bool HasLetterOrDigit(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || std::isalnum(u);
  });
}

}  // namespace

LineImage CutOutLine(const cv::Mat& gray, const std::array<cv::Point2f, 4>& corners,
                     const LineReaderOptions& options) {
  CV_Assert(gray.type() == CV_8UC1 && !gray.empty());
  const cv::Size2f size(static_cast<float>(gray.cols), static_cast<float>(gray.rows));
  std::array<cv::Point2f, 4> px;
  for (int k = 0; k < 4; ++k) px[k] = {corners[k].x * size.width, corners[k].y * size.height};
  const float width = std::max(Distance(px[0], px[1]), 1.0f);
  const float height = std::max(Distance(px[0], px[3]), 1.0f);
  const float scale = static_cast<float>(options.line_height) / height;
  const float m = static_cast<float>(options.margin);
  const int line_h = std::max(1, static_cast<int>(std::lround(height * scale)));
  const int out_w = std::max(1, static_cast<int>(std::lround(width * scale))) + 2 * options.margin;
  const int out_h = line_h + 2 * options.margin;
  // Top-left, top-right and bottom-left corners onto the upright rectangle inside the margin.
  const cv::Point2f from[3] = {px[0], px[1], px[3]};
  const cv::Point2f to[3] = {{m, m}, {m + width * scale, m}, {m, m + height * scale}};
  const cv::Mat forward = cv::getAffineTransform(from, to);
  LineImage line;
  cv::warpAffine(gray, line.pixels, forward, cv::Size(out_w, out_h),
                 scale < 1 ? cv::INTER_AREA : cv::INTER_CUBIC, cv::BORDER_REPLICATE);
  cv::Mat back;
  cv::invertAffineTransform(forward, back);
  line.to_image = cv::Matx23d(back);
  return line;
}

TextLine ReadTextLine(WordReader& reader, const cv::Mat& gray, const TextBox& box,
                      const LineReaderOptions& options) {
  TextLine line;
  line.corners = box.corners;
  line.detector_score = box.score;
  const LineImage image = CutOutLine(gray, box.corners, options);
  const double sx = 1.0 / gray.cols, sy = 1.0 / gray.rows;
  for (ReadWord& w : reader.ReadLine(image.pixels)) {
    if (w.confidence < options.min_confidence || !HasLetterOrDigit(w.text)) continue;
    TextWord word;
    word.text = std::move(w.text);
    word.confidence = w.confidence;
    const double x0 = w.box.x, y0 = w.box.y, x1 = w.box.x + w.box.width,
                 y1 = w.box.y + w.box.height;
    const cv::Point2f corners[4] = {Apply(image.to_image, x0, y0), Apply(image.to_image, x1, y0),
                                    Apply(image.to_image, x1, y1), Apply(image.to_image, x0, y1)};
    for (int k = 0; k < 4; ++k) {
      word.corners[k] = {static_cast<float>(std::clamp(corners[k].x * sx, 0.0, 1.0)),
                         static_cast<float>(std::clamp(corners[k].y * sy, 0.0, 1.0))};
    }
    line.words.push_back(std::move(word));
  }
  return line;
}

}  // namespace imagemill::vision
