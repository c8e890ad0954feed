// Loading a network into OpenCV's DNN module from a TF.js graph model (imported in memory) or an
// ONNX file. OpenCV failures (cv::Exception) come back as a Status naming the file.
#pragma once

#include <filesystem>
#include <opencv2/dnn.hpp>

#include "model/importer.h"
#include "util/status.h"

namespace imagemill::model {

// A network ready to run, with the names of its outputs in the order to pass to forward().
struct LoadedNet {
  cv::dnn::Net net;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
};

// Thread-safe (each call builds its own network). `path` ending in .json is imported with
// `options`, once per process for a given file (size and modification time) and options: later
// calls reuse the ONNX bytes (importing NanoDet takes about 0.2 s of CPU). Anything else is read
// as ONNX (options are then ignored, and input/output shapes are unknown: empty).
// Thread safety: the returned net must be used by one thread at a time.
Result<LoadedNet> LoadNet(const std::filesystem::path& path, const ImportOptions& options = {});

// Loads an ONNX model held in memory.
Result<cv::dnn::Net> NetFromOnnx(const std::string& onnx, const std::string& what);

}  // namespace imagemill::model
