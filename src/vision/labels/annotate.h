// Drawing a DetectLabels answer onto its image, for people who would rather look than read: each
// instance's box in a colour of its label, captioned "Dog 87%", and the labels without boxes
// listed in the top-left corner.
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>
#include <string>

#include "util/status.h"

namespace imagemill::vision {

// Images whose long side is shorter are enlarged to it before drawing, so that the text of a
// caption stays readable (at least about 14 pixels high) on a thumbnail.
inline constexpr int kMinAnnotatedLongSide = 800;

// A copy of `bgr` (CV_8UC3, the image as displayed; enlarged to kMinAnnotatedLongSide when
// smaller) with the answer's Labels drawn on it. Boxes are the answer's ratios of the image. Line
// widths and text scale with the image's size; a caption sits above its box (inside it at the
// top edge) and moves down rather than cover another caption.
cv::Mat AnnotateLabels(const cv::Mat& bgr, const nlohmann::json& answer);

// `annotated` encoded as a baseline JPEG (quality 92, 4:2:0, JFIF: what every viewer opens) when
// `path` ends in .jpg or .jpeg, or as PNG when it ends in .png (any case), and written to `path`.
// InvalidArgument naming the path for another ending; Io naming it when it cannot be written.
Status WriteAnnotated(const cv::Mat& annotated, const std::string& path);

// Whether WriteAnnotated accepts `path`'s ending, so a command can refuse it before any work.
bool IsAnnotationPath(const std::string& path);

}  // namespace imagemill::vision
