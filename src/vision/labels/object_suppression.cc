#include "vision/labels/object_suppression.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "vision/detectors/box_overlap.h"
#include "vision/detectors/detector_coco_classes.h"

namespace imagemill::vision {
namespace {

// Groups of COCO classes that small detectors mistake for one another on the same object.
constexpr std::array<std::array<std::string_view, 8>, 6> kGroups = {{
    {"horse", "cow", "sheep", "dog", "cat", "bear", "elephant", "zebra"},
    {"car", "truck", "bus", "train", "motorcycle", "bicycle", "airplane", "boat"},
    {"cup", "wine glass", "bottle", "vase", "bowl", "", "", ""},
    {"apple", "orange", "banana", "donut", "sports ball", "", "", ""},
    {"couch", "chair", "bed", "bench", "dining table", "", "", ""},
    {"tv", "laptop", "cell phone", "remote", "keyboard", "book", "", ""},
}};

int GroupOf(int coco_class) {
  if (coco_class < 0 || coco_class >= kCocoClassCount) return -1;
  const std::string_view name = CocoClassName(coco_class);
  for (size_t g = 0; g < kGroups.size(); ++g) {
    for (std::string_view member : kGroups[g]) {
      if (!member.empty() && member == name) return static_cast<int>(g);
    }
  }
  return -1;
}

bool SameObject(const cv::Rect2f& a, const cv::Rect2f& b, const SuppressionOptions& o) {
  const float inter = (a & b).area();
  if (inter <= 0) return false;
  const float uni = a.area() + b.area() - inter;
  if (o.iou > 0 && uni > 0 && inter / uni > o.iou) return true;
  const float smaller = std::min(a.area(), b.area());
  return o.cover > 0 && smaller > 0 && inter / smaller > o.cover;
}

}  // namespace

bool Confusable(int a, int b) {
  const int g = GroupOf(a);
  return g >= 0 && g == GroupOf(b);
}

std::vector<Detection> SuppressAcrossClasses(std::vector<Detection> detections,
                                             const SuppressionOptions& options) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  if (!options.enabled()) return detections;
  std::vector<Detection> kept;
  for (const Detection& d : detections) {
    if (!HasBox(d.box)) {
      kept.push_back(d);
      continue;
    }
    if (options.min_area > 0 && d.box.area() < options.min_area) continue;
    bool suppressed = false;
    for (const Detection& k : kept) {
      if (k.class_index == d.class_index || !HasBox(k.box)) continue;
      if (options.confusable_only && !Confusable(k.class_index, d.class_index)) continue;
      if (SameObject(k.box, d.box, options)) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push_back(d);
  }
  return kept;
}

}  // namespace imagemill::vision
