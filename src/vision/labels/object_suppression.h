// One object, one label: what a built-in label model does with its detections after merging its
// passes and before calibration. A nano COCO detector often scores one animal as both Horse and
// Cow, or one pickup as both Car and Truck, each class in a cell of its own; per-class NMS keeps
// both. Cross-class suppression keeps the better of two detections of different classes whose
// boxes cover the same object. Measured on the labelled photo set (docs/labels.md).
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <vector>

#include "vision/detectors/detector.h"

namespace imagemill::vision {

struct SuppressionOptions {
  // Two boxes of different classes are the same object when their IoU exceeds this, or when this
  // share of the smaller box lies inside the larger one (`cover`). 0 turns the test off.
  float iou = 0;
  float cover = 0;
  // Only suppress between classes of one group the COCO models confuse (horse, cow, sheep, ...;
  // car, truck, bus; ...); other classes on the same box are both kept.
  bool confusable_only = false;
  // Detections whose box covers less than this share of the image are dropped (0: none are).
  float min_area = 0;

  bool enabled() const { return iou > 0 || cover > 0 || min_area > 0; }
};

// `detections` without the ones `options` suppress, best first. A detection is suppressed when a
// better one of another class (kept itself) is the same object; detections without a box (a
// classifier's) are never suppressed. Ties keep the earlier one.
std::vector<Detection> SuppressAcrossClasses(std::vector<Detection> detections,
                                             const SuppressionOptions& options);

// Whether COCO classes `a` and `b` (indices) are in one confusable group.
bool Confusable(int a, int b);

}  // namespace imagemill::vision
