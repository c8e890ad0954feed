// Helpers shared by the micro-benchmarks (decode_bench, image_properties_bench).
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <opencv2/core.hpp>
#include <vector>

namespace imagemill::bench {

// Median and minimum of `repeats` timed runs after one warm-up, in milliseconds. On a shared,
// busy machine the minimum is the better estimate of the cost itself.
struct Timing {
  double median = 0, min = 0;
};
inline Timing TimeMs(int repeats, const std::function<void()>& fn) {
  fn();
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front()};
}

// A width x height mosaic of `photos` at native scale, every other tile mirrored: a camera-sized
// image with photographic content, made from small sample photos.
inline cv::Mat Mosaic(const std::vector<cv::Mat>& photos, int width, int height) {
  cv::Mat canvas(height, width, CV_8UC3, cv::Scalar(0, 0, 0));
  size_t next = 0;
  for (int y = 0; y < height;) {
    int row_h = 0;
    for (int x = 0; x < width;) {
      cv::Mat tile = photos[next % photos.size()];
      if (next++ % 2) {  // into a new buffer: the sample itself stays as it is
        cv::Mat mirrored;
        cv::flip(tile, mirrored, 1);
        tile = mirrored;
      }
      const int w = std::min(tile.cols, width - x), h = std::min(tile.rows, height - y);
      tile(cv::Rect(0, 0, w, h)).copyTo(canvas(cv::Rect(x, y, w, h)));
      x += w;
      row_h = std::max(row_h, h);
    }
    y += row_h;
  }
  return canvas;
}

}  // namespace imagemill::bench
