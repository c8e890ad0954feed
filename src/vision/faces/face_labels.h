// FaceLabelSource: BlazeFace's faces as the "Face" label of DetectLabels (label_source.h), as
// Rekognition answers it: parents Head and Person, category "Person Description", one instance
// per face with its box. A face's Confidence is the detector's score x 100, not the label
// model's calibration. Asked for with `--extra-labels face`; off by default.
#pragma once

#include <memory>

#include "vision/faces/face_detector.h"
#include "vision/labels/label_source.h"

namespace imagemill::vision {

// The taxon of the "Face" label.
LabelTaxon FaceTaxon();

class FaceLabelSource : public LabelSource {
 public:
  // Loads the network once (a missing model is a start-up error: NotFound, with what to do).
  static Result<std::shared_ptr<const FaceLabelSource>> Open(
      const std::filesystem::path& models_dir);

  std::string Name() const override { return "face"; }
  std::any Prepare(const cv::Mat& bgr) const override;
  Result<std::unique_ptr<LabelSourceRunner>> NewRunner() const override;

  explicit FaceLabelSource(FaceDetectorOptions options) : options_(std::move(options)) {}

 private:
  const FaceDetectorOptions options_;
};

}  // namespace imagemill::vision
