// NumPy .npy files of float32 tensors: how `imagemill model run` exchanges tensors with other
// tools (the TF.js reference test writes and reads them). Hand-written: the format is a short
// header plus raw data, and Debian ships no C++ library for it.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <string>

#include "util/status.h"

namespace imagemill::model {

// Reads a little-endian float32 ('<f4'), C-order .npy file into an N-dimensional CV_32F Mat.
Result<cv::Mat> ReadNpy(const std::filesystem::path& path);

// Writes a continuous CV_32F Mat (any number of dimensions) as a .npy file.
Status WriteNpy(const std::filesystem::path& path, const cv::Mat& tensor);

}  // namespace imagemill::model
