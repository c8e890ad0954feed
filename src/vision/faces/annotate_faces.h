// Drawing a DetectFaces answer onto its image: each face's box captioned "Face 99%" (as
// AnnotateLabels draws labels) and its landmarks as dots.
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>

namespace imagemill::vision {

// A copy of `bgr` (CV_8UC3, the image as displayed) with the answer's FaceDetails drawn on it.
cv::Mat AnnotateFaces(const cv::Mat& bgr, const nlohmann::json& answer);

}  // namespace imagemill::vision
