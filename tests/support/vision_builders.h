// Small builders the vision tests share: a COCO class's index by name, and a box's four corners.
#pragma once

#include <array>
#include <opencv2/core.hpp>

#include "vision/detectors/detector_coco_classes.h"

namespace imagemill::vision {

// The COCO class index of `name` (CocoClassIndex), short for the tables of detections in tests.
inline int C(const char* name) { return CocoClassIndex(name); }

// The corners of the axis-aligned box at (left, top), clockwise from the top left.
inline std::array<cv::Point2f, 4> Quad(float left, float top, float width, float height) {
  return {cv::Point2f(left, top), cv::Point2f(left + width, top),
          cv::Point2f(left + width, top + height), cv::Point2f(left, top + height)};
}

}  // namespace imagemill::vision
