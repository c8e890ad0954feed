// How two boxes in image-relative coordinates overlap: the measures the label and face passes
// use to tell one object seen twice from two objects.
#pragma once

#include <opencv2/core/types.hpp>

namespace imagemill::vision {

// Whether `r` is a box at all: an image-level label's detection has an empty one.
inline bool HasBox(const cv::Rect2f& r) { return r.width > 0 && r.height > 0; }

// Intersection over union of `a` and `b`: 0 when they do not meet or both are empty.
inline float Iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0;
}

}  // namespace imagemill::vision
