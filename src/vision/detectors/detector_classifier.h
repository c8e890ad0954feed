// A user's image classifier in ONNX, as a Detector whose detections have no box: each class
// scoring at least the threshold is one image-level detection (box width and height 0), and the
// answer gives it as a label without Instances, as Rekognition does for scenes and concepts.
//
// Input: the image stretched to the model's input size (from the file's input shape [1, 3, H, W],
// or DetectorOptions::input_size, else 224), RGB, scaled to 0..1 and normalised with the ImageNet
// mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225), NCHW: the torchvision convention.
// Output: [1, C] (or [C]) class scores; when they are not already probabilities (a value outside
// 0..1, or a sum other than 1), a softmax is applied.
#pragma once

#include <algorithm>
#include <memory>

#include "model/net_loader.h"
#include "vision/detectors/detector.h"

namespace imagemill::vision {

class ClassifierDetector : public Detector {
 public:
  // Use MakeClassifierDetector.
  ClassifierDetector(model::LoadedNet net, const DetectorOptions& options, int width, int height,
                     int classes);

  std::string Name() const override;
  cv::Mat MakeInput(const cv::Mat& bgr) const override;
  Result<std::vector<Detection>> DetectInput(const cv::Mat& input) override;

  // The longer side of the network input, in pixels.
  int input_side() const { return std::max(width_, height_); }

 private:
  model::LoadedNet net_;
  DetectorOptions options_;
  int width_, height_, classes_;
};

// Loads options.model (an .onnx file) with `classes` class names; InvalidArgument when the
// model's output does not have exactly that many scores.
Result<std::unique_ptr<Detector>> MakeClassifierDetector(const DetectorOptions& options,
                                                         int classes);

}  // namespace imagemill::vision
