// Drawing a DetectText answer onto its image, for people who would rather look than read: each
// line's polygon in green with its text and confidence above it, each word's polygon in orange.
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>

namespace imagemill::vision {

// A copy of `bgr` (CV_8UC3, the image as displayed) with the answer's TextDetections drawn on
// it. Line widths and text scale with the image's size. Text the drawing font has no glyphs for
// (anything outside ASCII) shows as '?'.
cv::Mat AnnotateText(const cv::Mat& bgr, const nlohmann::json& answer);

}  // namespace imagemill::vision
