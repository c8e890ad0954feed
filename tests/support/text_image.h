// Images of text made at test time, with the words and where they were drawn known: OpenCV's
// Hershey font, dark on light, which Tesseract reads reliably.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace imagemill::testing {

struct DrawnLine {
  std::string text;  // words separated by single spaces
  cv::Rect box;      // the bounds of the text's ink, in pixels
};

// A `size` image (light grey) with each of `lines` drawn left-aligned at x = 40, one under the
// other from y = 60, `scale` (Hershey simplex; 1.4 draws capitals about 30 pixels tall), turned
// by `angle` degrees (counter-clockwise) about the centre when not 0. `drawn` (optional) gets
// each line's text and box before turning.
cv::Mat TextImage(const std::vector<std::string>& lines, cv::Size size = {640, 360},
                  double scale = 1.4, double angle = 0, std::vector<DrawnLine>* drawn = nullptr);

}  // namespace imagemill::testing
