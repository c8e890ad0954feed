// Drawing a DetectLabels answer onto its image, for people who would rather look than read: each
// instance's box in a colour of its label, captioned "Dog 87%", and the labels without boxes
// listed in the top-left corner.
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>

namespace imagemill::vision {

// A copy of `bgr` (CV_8UC3, the image as displayed) with the answer's Labels drawn on it. Boxes
// are the answer's ratios of the image. Line widths and text scale with the image's size.
cv::Mat AnnotateLabels(const cv::Mat& bgr, const nlohmann::json& answer);

}  // namespace imagemill::vision
