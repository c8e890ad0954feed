// Grouping an image's pixels into a few colours: the clustering behind DominantColors.
//
// Hand-written rather than cv::kmeans: k-means over the pixels themselves costs many times the
// budget of all image properties (docs/benchmarks.md, "Design measurements"), and cv::kmeans has
// no per-sample weights to cluster a histogram instead. So:
//   1. Exact: when the image has at most k distinct colours (flat images, graphics), each is a
//      cluster of its own.
//   2. Otherwise the pixels are counted into a 32x32x32 sRGB histogram (5 bits a channel), and
//      the non-empty bins (typically a few thousand) are clustered by weighted k-means in CIELAB:
//      k-means++ seeding drawn from a fixed-seed std::mt19937_64, then Lloyd iterations until no
//      bin changes cluster (at most 50). A bin's position is the Lab colour of the mean of its
//      pixels; its weight is their number.
// Either way a cluster's colour is the exact mean sRGB of its pixels. The result depends only on
// the pixels: no global state, no threads.
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <vector>

namespace imagemill::vision {

struct ColorCluster {
  int red = 0, green = 0, blue = 0;  // mean of the cluster's pixels, rounded
  int64_t pixels = 0;                // > 0
};

// At most k clusters of the pixels of `bgr`, in no particular order; their pixels add up to
// bgr.total(). REQUIRES: bgr is CV_8UC3, non-empty; k >= 1. Thread-safe.
std::vector<ColorCluster> ClusterColors(const cv::Mat& bgr, int k);

}  // namespace imagemill::vision
