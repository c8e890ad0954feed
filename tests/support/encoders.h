// Encoders for the formats OpenCV cannot write, used to make test images at test time: GIF with
// giflib, HEIF/HEIC (HEVC, x265) and AVIF (AV1, libaom) with libheif. Each aborts the test binary
// when the library cannot encode.
#pragma once

#include <opencv2/core/mat.hpp>
#include <string>

namespace imagemill::testing {

struct GifOptions {
  bool interlaced = false;
  int frames = 1;              // > 1: an animation; later frames are the image inverted
  int transparent_index = -1;  // >= 0: a graphic control extension marks this index transparent
  int screen_width = 0;        // 0: the frame's own size
  int screen_height = 0;
  int frame_left = 0;  // where the frame sits on the logical screen
  int frame_top = 0;
};

// `bgr` (CV_8UC3) quantised to a 6x6x6 colour cube (each channel within 26 of the original).
std::string EncodeGif(const cv::Mat& bgr, const GifOptions& options = {});

// The palette index EncodeGif gives a colour.
int GifIndex(const cv::Vec3b& bgr);

// `bgr` as HEIC (avif false) or AVIF, lossy at `quality` (0..100).
std::string EncodeHeif(const cv::Mat& bgr, bool avif, int quality = 90);

}  // namespace imagemill::testing
