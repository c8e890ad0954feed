#include "vision/faces/faces_processor.h"

#include "vision/faces/detect_faces_answer.h"
#include "vision/properties/image_properties.h"

namespace imagemill::vision {
namespace {

class PreparedFaces : public PreparedItem {
 public:
  PreparedFaces(FaceInput input, cv::Mat work, int width, int height)
      : input(std::move(input)), work(std::move(work)), width(width), height(height) {}
  const FaceInput input;
  const cv::Mat work;       // longer side at most kAnalysisLongSide
  const int width, height;  // the image as displayed
};

class FacesWorker : public ProcessorWorker {
 public:
  explicit FacesWorker(std::unique_ptr<FaceDetector> detector) : detector_(std::move(detector)) {}

  Result<Answer> Process(const ObjectInfo& item, PreparedItem& prepared) override {
    const auto* image = dynamic_cast<const PreparedFaces*>(&prepared);
    if (image == nullptr) {
      return Status::Internal(item.key + ": faces worker was handed another processor's item");
    }
    Result<std::vector<Face>> faces = detector_->Detect(image->input);
    if (!faces.ok())
      return Status(faces.status().code(), item.key + ": " + faces.status().message());
    Answer answer;
    answer.response = DetectFacesAnswer(*faces, image->width, image->height, image->work);
    answer.index = FaceIndexEntries(answer.response);
    return answer;
  }

 private:
  std::unique_ptr<FaceDetector> detector_;
};

}  // namespace

Result<std::unique_ptr<FacesProcessor>> FacesProcessor::Open(const FacesProcessorOptions& options) {
  Result<std::filesystem::path> model = FaceModelPath(options.models_dir);
  if (!model.ok()) return model.status();
  FaceDetectorOptions detector;
  detector.model = *model;
  // Load once now: a broken model is a start-up error, not an error on every item.
  Result<std::unique_ptr<FaceDetector>> probe = FaceDetector::Open(detector);
  if (!probe.ok()) return probe.status();
  return std::unique_ptr<FacesProcessor>(new FacesProcessor(options, std::move(detector)));
}

Result<std::unique_ptr<PreparedItem>> FacesProcessor::Prepare(const ObjectInfo& item,
                                                              std::string bytes) const {
  DecodeOptions decode;
  decode.max_pixels = options_.max_pixels;
  decode.min_long_side = kAnalysisLongSide;
  Result<Image> image = DecodeImage(bytes, item.key, decode);
  if (!image.ok()) return image.status();
  bytes = std::string();
  FaceInput input = MakeFaceInput(image->bgr);
  cv::Mat work = ShrinkForAnalysis(image->bgr).clone();  // a copy: the full image is dropped
  return std::unique_ptr<PreparedItem>(std::make_unique<PreparedFaces>(
      std::move(input), std::move(work), image->width, image->height));
}

Result<std::unique_ptr<ProcessorWorker>> FacesProcessor::NewWorker() const {
  Result<std::unique_ptr<FaceDetector>> detector = FaceDetector::Open(detector_);
  if (!detector.ok()) return detector.status();
  return std::unique_ptr<ProcessorWorker>(
      std::make_unique<FacesWorker>(std::move(detector).value()));
}

}  // namespace imagemill::vision
