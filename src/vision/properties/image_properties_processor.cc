#include "vision/properties/image_properties_processor.h"

#include <utility>

namespace imagemill::vision {
namespace {

// An image decoded and shrunk to the properties' working size.
class PreparedImage : public PreparedItem {
 public:
  explicit PreparedImage(cv::Mat work) : work_(std::move(work)) {}
  const cv::Mat& work() const { return work_; }

 private:
  cv::Mat work_;
};

class PropertiesWorker : public ProcessorWorker {
 public:
  explicit PropertiesWorker(ImagePropertiesOptions options) : options_(options) {}

  Result<Answer> Process(const ObjectInfo& item, PreparedItem& prepared) override {
    const auto* image = dynamic_cast<const PreparedImage*>(&prepared);
    if (image == nullptr) {
      return Status::Internal(item.key +
                              ": image-properties worker was handed another processor's item");
    }
    return Answer{
        nlohmann::json{{"Labels", nlohmann::json::array()},
                       {"ImageProperties", ToJson(ComputeImageProperties(image->work(), options_))}},
        {}};
  }

 private:
  const ImagePropertiesOptions options_;
};

}  // namespace

ImagePropertiesProcessor::ImagePropertiesProcessor(ImagePropertiesProcessorOptions options)
    : options_(options) {}

std::string ImagePropertiesProcessor::Name() const {
  const int colors = options_.properties.max_dominant_colors;
  if (colors == ImagePropertiesOptions().max_dominant_colors) return "image-properties";
  return "image-properties/colors-" + std::to_string(colors);
}

Result<std::unique_ptr<PreparedItem>> ImagePropertiesProcessor::Prepare(const ObjectInfo& item,
                                                                        std::string bytes) const {
  DecodeOptions decode;
  decode.max_pixels = options_.max_pixels;
  decode.min_long_side = kAnalysisLongSide;
  Result<Image> image = DecodeImage(bytes, item.key, decode);
  if (!image.ok()) return image.status();
  return std::unique_ptr<PreparedItem>(
      std::make_unique<PreparedImage>(ShrinkForAnalysis(image->bgr)));
}

Result<std::unique_ptr<ProcessorWorker>> ImagePropertiesProcessor::NewWorker() const {
  return std::unique_ptr<ProcessorWorker>(std::make_unique<PropertiesWorker>(options_.properties));
}

}  // namespace imagemill::vision
