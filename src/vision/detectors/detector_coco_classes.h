// The 80 COCO object classes the pretrained detectors (NanoDet, CenterNet) were trained on, in the
// models' output order, with the names COCO uses ("person", "traffic light").
#pragma once

#include <string_view>

namespace imagemill::vision {

inline constexpr int kCocoClassCount = 80;

// REQUIRES: 0 <= index < kCocoClassCount.
std::string_view CocoClassName(int index);

// The index of a COCO class name, or -1.
int CocoClassIndex(std::string_view name);

}  // namespace imagemill::vision
