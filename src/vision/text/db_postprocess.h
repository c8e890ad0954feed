// DB post-processing (Liao et al., "Real-time Scene Text Detection with Differentiable
// Binarization", as PaddleOCR's DBPostProcess does it): the text detector's probability map
// becomes one rotated box per text region.
//
//   1. Binarise the map at `threshold`; each connected region (contour) is a candidate.
//   2. Its minimum-area rotated rectangle; too thin (shorter side < min_side) is dropped.
//   3. Its score is the mean probability inside that rectangle; below `box_threshold` dropped.
//   4. The network is trained on shrunk text kernels: the rectangle is grown back ("unclipped")
//      by area * unclip_ratio / perimeter on every side. (PaddleOCR offsets the polygon with
//      rounded corners and takes the minimum-area rectangle again, which for a rectangle is the
//      same thing.) Too thin after growing (shorter side < min_side + 2) is dropped.
//
// Written here rather than with OpenCV's cv::dnn::TextDetectionModel_DB: OpenCV 4.6's reads the
// network output as a 2-D map and finds nothing in PP-OCR's 1x1xHxW one (tried, also with the
// output squeezed), and it runs the network itself, where imagemill prepares the input ahead on
// another thread.
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <vector>

namespace imagemill::vision {

struct DbOptions {
  float threshold = 0.3f;      // probability above which a pixel is text
  float box_threshold = 0.5f;  // a region's mean probability must reach this
  float unclip_ratio = 1.5f;   // how far a region is grown back (see above)
  float min_side = 3;          // in map pixels
  int max_candidates = 1000;   // contours looked at, largest first
};

// One text region of the map, in the map's pixel coordinates.
struct DbRegion {
  cv::RotatedRect rect;
  float score = 0;  // mean probability inside the region before it was grown, 0..1
};

// The regions of `probability` (CV_32FC1, values 0..1). Thread-safe (pure).
std::vector<DbRegion> FindTextRegions(const cv::Mat& probability, const DbOptions& options = {});

}  // namespace imagemill::vision
