// A user's YOLO detector in ONNX (Ultralytics YOLOv5 or YOLOv8 exports, any class count).
//
// Input: the image stretched to the model's input size (read from the file's input shape
// [1, 3, H, W], or DetectorOptions::input_size when the file leaves it open), RGB, scaled to
// 0..1, NCHW. (Ultralytics letterboxes instead of stretching; stretched inputs cost a little
// accuracy on very wide or tall images, and keep box ratios exact.)
// Output, boxes as centre x, centre y, width, height in input pixels:
//   yolov5: [1, N, 5 + C] — box, objectness, C class probabilities; score = objectness · class
//   yolov8: [1, 4 + C, N] (or [1, N, 4 + C]) — box, C class probabilities; score = class
// Detections below the score threshold are dropped and the rest go through per-class NMS.
#pragma once

#include <algorithm>
#include <memory>

#include "model/net_loader.h"
#include "vision/detectors/detector.h"

namespace imagemill::vision {

enum class YoloVersion { kV5, kV8 };

class YoloDetector : public Detector {
 public:
  // Use MakeYoloDetector.
  YoloDetector(model::LoadedNet net, const DetectorOptions& options, YoloVersion version, int width,
               int height, int classes);

  std::string Name() const override;
  cv::Mat MakeInput(const cv::Mat& bgr) const override;
  Result<std::vector<Detection>> DetectInput(const cv::Mat& input) override;

  // The longer side of the network input, in pixels.
  int input_side() const { return std::max(width_, height_); }

 private:
  model::LoadedNet net_;
  DetectorOptions options_;
  YoloVersion version_;
  int width_, height_, classes_;
};

// Loads options.model (an .onnx file). `classes` is the number of class names the user gave;
// InvalidArgument when the model's output does not have room for exactly that many.
Result<std::unique_ptr<Detector>> MakeYoloDetector(const DetectorOptions& options,
                                                   YoloVersion version, int classes);

}  // namespace imagemill::vision
