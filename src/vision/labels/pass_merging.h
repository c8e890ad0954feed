// Merging the detections of several passes over one image: the image and its mirror image
// ("mirror averaging"), or two models ("fusion"). Detections of the same class whose boxes overlap
// are one object; its score is the mean of the passes' scores, a pass that did not see it counting
// 0 (so an object only one pass of two saw keeps half its score), or their maximum.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <vector>

#include "vision/detectors/detector.h"

namespace imagemill::vision {

enum class MergeMode {
  kMean,  // an object's score: the mean over all passes, 0 where a pass missed it
  kMax,   // its best score in any pass
};

// Greedy clustering, best score first: a detection joins the cluster of a better one of the same
// class from another pass when their boxes' IoU exceeds `iou` (at most one member per pass).
// A cluster's box is the score-weighted mean of its members' boxes. Detections without a box
// (width or height 0: a classifier's) of the same class always cluster. Returns the clusters, best
// first. A single pass is returned as it is.
std::vector<Detection> MergePasses(const std::vector<std::vector<Detection>>& passes, float iou,
                                   MergeMode mode);

// `box` (ratios of an image) as it lies in the image mirrored left to right.
cv::Rect2f MirrorBox(const cv::Rect2f& box);

}  // namespace imagemill::vision
