#include "vision/text/text_labels.h"

#include <utility>

namespace imagemill::vision {
namespace {

class TextLabelRunner : public LabelSourceRunner {
 public:
  explicit TextLabelRunner(std::unique_ptr<ProcessorWorker> worker) : worker_(std::move(worker)) {}

  Result<std::vector<FoundObject>> Run(const std::any& prepared) override {
    const auto* item = std::any_cast<std::shared_ptr<PreparedItem>>(&prepared);
    if (item == nullptr || *item == nullptr) {
      return Status::Internal("text labels were handed another input");
    }
    ObjectInfo info;
    info.key = "text labels";  // the labels worker names the image before it
    Result<Answer> answer = worker_->Process(info, **item);
    if (!answer.ok()) return answer.status();
    return TextLabelObjects(answer->response);
  }

 private:
  std::unique_ptr<ProcessorWorker> worker_;
};

}  // namespace

LabelTaxon TextTaxon() { return {"Text", {}, {}, {"Text and Documents"}}; }

std::vector<FoundObject> TextLabelObjects(const nlohmann::json& response) {
  std::vector<FoundObject> found;
  for (const nlohmann::json& d : response.value("TextDetections", nlohmann::json::array())) {
    if (d.value("Type", "") != "LINE") continue;
    const nlohmann::json& box = d.at("Geometry").at("BoundingBox");
    FoundObject o;
    o.class_name = "text";
    o.confidence = d.value("Confidence", 0.0);
    o.score = o.confidence / 100.0;
    o.box = cv::Rect2f(box.value("Left", 0.0f), box.value("Top", 0.0f), box.value("Width", 0.0f),
                       box.value("Height", 0.0f));
    o.taxon = TextTaxon();
    found.push_back(std::move(o));
  }
  return found;
}

Result<std::shared_ptr<const TextLabelSource>> TextLabelSource::Open(
    const TextProcessorOptions& options) {
  Result<std::unique_ptr<TextProcessor>> processor = TextProcessor::Open(options);
  if (!processor.ok()) return processor.status();
  return std::make_shared<const TextLabelSource>(
      std::shared_ptr<const TextProcessor>(std::move(processor).value()));
}

int TextLabelSource::MinLongSide() const { return processor_ ? processor_->ReadSide() : 0; }

std::any TextLabelSource::Prepare(const cv::Mat& bgr) const {
  if (!processor_) return {};
  return std::shared_ptr<PreparedItem>(processor_->PrepareImage(bgr));
}

Result<std::unique_ptr<LabelSourceRunner>> TextLabelSource::NewRunner() const {
  if (!processor_) return Status::Internal("the text label source was not opened");
  Result<std::unique_ptr<ProcessorWorker>> worker = processor_->NewWorker();
  if (!worker.ok()) return worker.status();
  return std::unique_ptr<LabelSourceRunner>(
      std::make_unique<TextLabelRunner>(std::move(worker).value()));
}

}  // namespace imagemill::vision
