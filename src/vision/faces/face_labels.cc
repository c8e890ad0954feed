#include "vision/faces/face_labels.h"

namespace imagemill::vision {
namespace {

class FaceLabelRunner : public LabelSourceRunner {
 public:
  explicit FaceLabelRunner(std::unique_ptr<FaceDetector> detector)
      : detector_(std::move(detector)) {}

  Result<std::vector<FoundObject>> Run(const std::any& prepared) override {
    const auto* input = std::any_cast<FaceInput>(&prepared);
    if (input == nullptr) return Status::Internal("face labels were handed another input");
    Result<std::vector<Face>> faces = detector_->Detect(*input);
    if (!faces.ok()) return faces.status();
    std::vector<FoundObject> found;
    for (const Face& f : *faces) {
      FoundObject o;
      o.class_name = "face";
      o.score = f.score;
      o.confidence = f.score * 100.0;
      o.box = f.box;
      o.taxon = FaceTaxon();
      found.push_back(std::move(o));
    }
    return found;
  }

 private:
  std::unique_ptr<FaceDetector> detector_;
};

}  // namespace

LabelTaxon FaceTaxon() { return {"Face", {"Head", "Person"}, {}, {"Person Description"}}; }

Result<std::shared_ptr<const FaceLabelSource>> FaceLabelSource::Open(
    const std::filesystem::path& models_dir) {
  Result<std::filesystem::path> model = FaceModelPath(models_dir);
  if (!model.ok()) return model.status();
  FaceDetectorOptions options;
  options.model = *model;
  Result<std::unique_ptr<FaceDetector>> probe = FaceDetector::Open(options);
  if (!probe.ok()) return probe.status();
  return std::make_shared<const FaceLabelSource>(std::move(options));
}

std::any FaceLabelSource::Prepare(const cv::Mat& bgr) const { return MakeFaceInput(bgr); }

Result<std::unique_ptr<LabelSourceRunner>> FaceLabelSource::NewRunner() const {
  Result<std::unique_ptr<FaceDetector>> detector = FaceDetector::Open(options_);
  if (!detector.ok()) return detector.status();
  return std::unique_ptr<LabelSourceRunner>(
      std::make_unique<FaceLabelRunner>(std::move(detector).value()));
}

}  // namespace imagemill::vision
