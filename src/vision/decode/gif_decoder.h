// GIF through giflib: the first frame only, the still image a viewer shows before any animation.
//
// The frame is drawn onto a canvas of the size ReadImageHeader gives (the logical screen,
// enlarged to hold the first frame when it is larger). Pixels the frame leaves uncovered, and its
// transparent pixels, are white: what a viewer shows on a white page (the spec's "background
// colour" is ignored by browsers, as here). Interlaced frames are put in row order. Later frames
// are never read, so an animation of a thousand frames costs what its first frame costs.
//
// Errors: Corrupt naming the object (truncated or damaged LZW data, no colour table). Thread-safe.
#pragma once

#include <opencv2/core/mat.hpp>
#include <string_view>

#include "util/status.h"
#include "vision/decode/image_format.h"

namespace imagemill::vision {

// The first frame of `bytes` (a GIF whose header `h` ReadImageHeader read) as CV_8UC3 BGR of
// h.width x h.height.
Result<cv::Mat> DecodeGif(std::string_view bytes, std::string_view name, const ImageHeader& h);

}  // namespace imagemill::vision
