#include "vision/labels/labels_processor.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "vision/properties/image_properties.h"

namespace imagemill::vision {
namespace {

// One image, ready for the networks: their inputs and the properties' working copy.
class PreparedLabels : public PreparedItem {
 public:
  PreparedLabels(std::vector<cv::Mat> inputs, cv::Mat work, std::vector<std::any> sources)
      : inputs_(std::move(inputs)), work_(std::move(work)), sources_(std::move(sources)) {}
  const std::vector<cv::Mat>& inputs() const { return inputs_; }
  const cv::Mat& work() const { return work_; }
  const std::vector<std::any>& sources() const { return sources_; }

 private:
  std::vector<cv::Mat> inputs_;  // empty when GENERAL_LABELS is not asked for
  cv::Mat work_;                 // empty when IMAGE_PROPERTIES is not asked for
  std::vector<std::any> sources_;  // one per label source, when GENERAL_LABELS is asked for
};

// A run's answer for a DetectLabels response: the response and the labels it can be found by.
Result<Answer> AnswerOf(Result<nlohmann::json> response) {
  if (!response.ok()) return response.status();
  Answer answer;
  answer.response = std::move(response).value();
  answer.index = LabelIndexEntries(answer.response);
  return answer;
}

class LabelsWorker : public ProcessorWorker, public LabelsProcessor::RequestWorker {
 public:
  LabelsWorker(const LabelsProcessor& processor, std::unique_ptr<LabelModelRunner> runner,
               std::vector<std::unique_ptr<LabelSourceRunner>> sources)
      : processor_(processor), runner_(std::move(runner)), sources_(std::move(sources)) {}

  Result<Answer> Process(const ObjectInfo& item, PreparedItem& prepared) override {
    return AnswerOf(Respond(item, prepared, processor_.options().settings));
  }

  Result<nlohmann::json> Respond(const ObjectInfo& item, PreparedItem& prepared,
                                 const LabelSettings& settings) override {
    const auto* image = dynamic_cast<const PreparedLabels*>(&prepared);
    if (image == nullptr) {
      return Status::Internal(item.key + ": labels worker was handed another processor's item");
    }
    std::vector<FoundObject> found;
    if (settings.general_labels) {
      Result<std::vector<FoundObject>> r = runner_->Run(image->inputs());
      if (!r.ok()) return Status(r.status().code(), item.key + ": " + r.status().message());
      found = std::move(r).value();
      for (size_t i = 0; i < sources_.size() && i < image->sources().size(); ++i) {
        Result<std::vector<FoundObject>> more = sources_[i]->Run(image->sources()[i]);
        if (!more.ok()) {
          return Status(more.status().code(), item.key + ": " + more.status().message());
        }
        found.insert(found.end(), more->begin(), more->end());
      }
    }
    std::optional<ImageProperties> properties;
    if (settings.image_properties) {
      ImagePropertiesOptions o;
      o.max_dominant_colors = settings.max_dominant_colors;
      properties = ComputeImageProperties(image->work(), o);
    }
    return DetectLabelsAnswer(found, processor_.model().name(), properties, settings);
  }

 private:
  const LabelsProcessor& processor_;
  std::unique_ptr<LabelModelRunner> runner_;
  std::vector<std::unique_ptr<LabelSourceRunner>> sources_;
};

// One worker's label model and label sources.
Result<std::unique_ptr<LabelsWorker>> NewLabelsWorker(
    const LabelsProcessor& processor, const LabelModel& model,
    const std::vector<std::shared_ptr<const LabelSource>>& source_list) {
  Result<std::unique_ptr<LabelModelRunner>> runner = model.NewRunner();
  if (!runner.ok()) return runner.status();
  std::vector<std::unique_ptr<LabelSourceRunner>> sources;
  for (const auto& source : source_list) {
    Result<std::unique_ptr<LabelSourceRunner>> r = source->NewRunner();
    if (!r.ok()) return r.status();
    sources.push_back(std::move(r).value());
  }
  return std::make_unique<LabelsWorker>(processor, std::move(runner).value(), std::move(sources));
}

// A worker that holds no networks: each image borrows a set from the processor's pool.
class BorrowingWorker : public ProcessorWorker, public LabelsProcessor::RequestWorker {
 public:
  BorrowingWorker(const LabelsProcessor& processor,
                  BorrowPool<LabelsProcessor::RequestWorker>& pool)
      : processor_(processor), pool_(pool) {}

  Result<Answer> Process(const ObjectInfo& item, PreparedItem& prepared) override {
    return AnswerOf(Respond(item, prepared, processor_.options().settings));
  }

  Result<nlohmann::json> Respond(const ObjectInfo& item, PreparedItem& prepared,
                                 const LabelSettings& settings) override {
    auto networks = pool_.Borrow();
    if (!networks.ok()) return networks.status();
    return (*networks)->Respond(item, prepared, settings);
  }

 private:
  const LabelsProcessor& processor_;
  BorrowPool<LabelsProcessor::RequestWorker>& pool_;
};

}  // namespace

LabelsProcessor::LabelsProcessor(LabelsProcessorOptions options, std::unique_ptr<LabelModel> model,
                                 std::string name)
    : options_(std::move(options)), model_(std::move(model)), name_(std::move(name)) {
  if (options_.shared_networks > 0) {
    pool_ = std::make_unique<BorrowPool<RequestWorker>>(
        options_.shared_networks, [this]() -> Result<std::unique_ptr<RequestWorker>> {
          Result<std::unique_ptr<LabelsWorker>> w =
              NewLabelsWorker(*this, *model_, options_.sources);
          if (!w.ok()) return w.status();
          return std::unique_ptr<RequestWorker>(std::move(w).value());
        });
  }
}

Result<std::string> LabelsProcessor::NameFor(const LabelsProcessorOptions& options) {
  if (Status s = options.settings.Validate(); !s.ok()) return s;
  Result<std::string> model = LabelModel::NameFor(options.model);
  if (!model.ok()) return model.status();
  std::string sources;
  for (const auto& source : options.sources) sources += "+" + source->Name();
  const std::string id = options.settings.ShortId();
  return "labels/" + *model + sources + (id.empty() ? "" : "/" + id);
}

Result<std::unique_ptr<LabelsProcessor>> LabelsProcessor::Open(
    const LabelsProcessorOptions& options) {
  Result<std::string> name = NameFor(options);
  if (!name.ok()) return name.status();
  Result<std::unique_ptr<LabelModel>> model = LabelModel::Open(options.model);
  if (!model.ok()) return model.status();
  return std::unique_ptr<LabelsProcessor>(
      new LabelsProcessor(options, std::move(model).value(), std::move(name).value()));
}

Result<std::unique_ptr<PreparedItem>> LabelsProcessor::Prepare(const ObjectInfo& item,
                                                               std::string bytes) const {
  return PrepareWith(item, std::move(bytes), options_.settings);
}

Result<std::unique_ptr<PreparedItem>> LabelsProcessor::PrepareWith(
    const ObjectInfo& item, std::string bytes, const LabelSettings& settings) const {
  DecodeOptions decode;
  decode.max_pixels = options_.max_pixels;
  decode.min_side = settings.general_labels ? model_->MinInputSide() : 0;
  decode.min_long_side = settings.image_properties ? kAnalysisLongSide : 0;
  if (settings.general_labels && decode.min_side == 0) decode.min_long_side = 0;  // full size
  if (settings.general_labels && (decode.min_side != 0 || decode.min_long_side != 0)) {
    for (const auto& source : options_.sources) {
      decode.min_long_side = std::max(decode.min_long_side, source->MinLongSide());
    }
  }
  Result<Image> image = DecodeImage(bytes, item.key, decode);
  if (!image.ok()) return image.status();
  bytes = std::string();  // the encoded bytes are no longer needed while the item waits
  std::vector<cv::Mat> inputs;
  std::vector<std::any> sources;
  if (settings.general_labels) {
    inputs = model_->MakeInputs(image->bgr);
    for (const auto& source : options_.sources) sources.push_back(source->Prepare(image->bgr));
  }
  cv::Mat work;
  if (settings.image_properties) work = ShrinkForAnalysis(image->bgr);
  return std::unique_ptr<PreparedItem>(
      std::make_unique<PreparedLabels>(std::move(inputs), std::move(work), std::move(sources)));
}


Result<std::unique_ptr<ProcessorWorker>> LabelsProcessor::NewWorker() const {
  if (pool_) return std::unique_ptr<ProcessorWorker>(std::make_unique<BorrowingWorker>(*this, *pool_));
  Result<std::unique_ptr<LabelsWorker>> w = NewLabelsWorker(*this, *model_, options_.sources);
  if (!w.ok()) return w.status();
  return std::unique_ptr<ProcessorWorker>(std::move(w).value());
}

Result<std::unique_ptr<LabelsProcessor::RequestWorker>> LabelsProcessor::NewRequestWorker() const {
  if (pool_) return std::unique_ptr<RequestWorker>(std::make_unique<BorrowingWorker>(*this, *pool_));
  Result<std::unique_ptr<LabelsWorker>> w = NewLabelsWorker(*this, *model_, options_.sources);
  if (!w.ok()) return w.status();
  return std::unique_ptr<RequestWorker>(std::move(w).value());
}

}  // namespace imagemill::vision
