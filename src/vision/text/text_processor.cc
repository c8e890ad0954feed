#include "vision/text/text_processor.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <utility>
#include <vector>

#include "vision/text/detect_text_answer.h"

namespace imagemill::vision {
namespace {

// One image, ready for the worker: the detector's input and the grey copy the words are read
// from.
class PreparedText : public PreparedItem {
 public:
  PreparedText(TextDetectorInput input, cv::Mat gray)
      : input_(std::move(input)), gray_(std::move(gray)) {}
  const TextDetectorInput& input() const { return input_; }
  const cv::Mat& gray() const { return gray_; }

 private:
  TextDetectorInput input_;
  cv::Mat gray_;
};

class TextWorker : public ProcessorWorker {
 public:
  TextWorker(const TextProcessor& processor, std::unique_ptr<TextDetectorRunner> runner,
             std::unique_ptr<WordReader> reader)
      : processor_(processor), runner_(std::move(runner)), reader_(std::move(reader)) {}

  Result<imagemill::Answer> Process(const ObjectInfo& item, PreparedItem& prepared) override {
    return Respond(item.key, prepared, processor_.options().settings);
  }

  Result<imagemill::Answer> Respond(const std::string& name, PreparedItem& prepared,
                                    const TextSettings& settings) {
    Result<nlohmann::json> response = Read(name, prepared, settings);
    if (!response.ok()) return response.status();
    imagemill::Answer answer;
    answer.index = TextIndexEntries(*response);
    answer.response = std::move(response).value();
    return answer;
  }

  Result<nlohmann::json> Read(const std::string& name, PreparedItem& prepared,
                              const TextSettings& settings) {
    const auto* image = dynamic_cast<const PreparedText*>(&prepared);
    if (image == nullptr) {
      return Status::Internal(name + ": text worker was handed another processor's item");
    }
    Result<std::vector<TextBox>> boxes = runner_->Detect(image->input());
    if (!boxes.ok()) return Status(boxes.status().code(), name + ": " + boxes.status().message());
    std::vector<TextLine> lines;
    lines.reserve(boxes->size());
    for (const TextBox& box : *boxes) {
      lines.push_back(ReadTextLine(*reader_, image->gray(), box, processor_.options().reading));
    }
    return DetectTextAnswer(std::move(lines), settings, processor_.model_version(),
                            processor_.options().max_words);
  }

  const TextProcessor& processor() const { return processor_; }

 private:
  const TextProcessor& processor_;
  std::unique_ptr<TextDetectorRunner> runner_;
  std::unique_ptr<WordReader> reader_;
};

}  // namespace

std::vector<IndexEntry> TextIndexEntries(const nlohmann::json& response) {
  double best = -1;
  for (const nlohmann::json& d : response.value("TextDetections", nlohmann::json::array())) {
    if (d.value("Type", "") == "LINE") best = std::max(best, d.value("Confidence", 0.0));
  }
  if (best < 0) return {};
  return {IndexEntry{"Text", best, true}};
}

TextProcessor::TextProcessor(TextProcessorOptions options, std::unique_ptr<TextDetector> detector,
                             std::string name)
    : options_(std::move(options)),
      detector_(std::move(detector)),
      name_(std::move(name)),
      model_version_(detector_->Name() + "+" + WordReader::Version()) {}

Result<std::string> TextProcessor::NameFor(const TextProcessorOptions& options) {
  if (Status s = options.settings.Validate(); !s.ok()) return s;
  TextDetectorOptions d = options.detector;
  std::string name = "text/pp-ocrv4-det";
  if (d.max_side != TextDetectorOptions().max_side) name += "-" + std::to_string(d.max_side);
  const std::string id = options.settings.ShortId();
  return name + (id.empty() ? "" : "/" + id);
}

Result<std::unique_ptr<TextProcessor>> TextProcessor::Open(const TextProcessorOptions& options) {
  Result<std::string> name = NameFor(options);
  if (!name.ok()) return name.status();
  Result<std::unique_ptr<TextDetector>> detector = TextDetector::Open(options.detector);
  if (!detector.ok()) return detector.status();
  // Tesseract's data is checked here, so that a missing package is a start-up error.
  if (Result<std::unique_ptr<WordReader>> reader = WordReader::Open(options.tesseract);
      !reader.ok()) {
    return reader.status();
  }
  return std::unique_ptr<TextProcessor>(
      new TextProcessor(options, std::move(detector).value(), std::move(name).value()));
}

Result<std::unique_ptr<PreparedItem>> TextProcessor::Prepare(const ObjectInfo& item,
                                                             std::string bytes) const {
  return PrepareBytes(bytes, item.key);
}

Result<std::unique_ptr<PreparedItem>> TextProcessor::PrepareBytes(std::string_view bytes,
                                                                  const std::string& name) const {
  DecodeOptions decode;
  decode.max_pixels = options_.max_pixels;
  decode.min_long_side = ReadSide();
  Result<Image> image = DecodeImage(bytes, name, decode);
  if (!image.ok()) return image.status();
  return PrepareImage(image->bgr);
}

int TextProcessor::ReadSide() const { return 2 * detector_->options().max_side; }

std::unique_ptr<PreparedItem> TextProcessor::PrepareImage(const cv::Mat& bgr) const {
  const int read_side = ReadSide();
  TextDetectorInput input = detector_->MakeInput(bgr);
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  const int long_side = std::max(gray.cols, gray.rows);
  if (long_side > read_side) {
    const double scale = static_cast<double>(read_side) / long_side;
    cv::resize(gray, gray, cv::Size(), scale, scale, cv::INTER_AREA);
  }
  return std::make_unique<PreparedText>(std::move(input), std::move(gray));
}

Result<std::unique_ptr<ProcessorWorker>> TextProcessor::NewWorker() const {
  Result<std::unique_ptr<TextDetectorRunner>> runner = detector_->NewRunner();
  if (!runner.ok()) return runner.status();
  Result<std::unique_ptr<WordReader>> reader = WordReader::Open(options_.tesseract);
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<ProcessorWorker>(
      std::make_unique<TextWorker>(*this, std::move(runner).value(), std::move(reader).value()));
}

Result<Answer> TextProcessor::DetectText(std::string_view bytes, const std::string& name,
                                         const TextSettings& settings,
                                         ProcessorWorker& worker) const {
  auto* text_worker = dynamic_cast<TextWorker*>(&worker);
  if (text_worker == nullptr || &text_worker->processor() != this) {
    return Status::Internal(name + ": DetectText needs a worker of the same text processor");
  }
  if (Status s = settings.Validate(); !s.ok()) return s;
  Result<std::unique_ptr<PreparedItem>> prepared = PrepareBytes(bytes, name);
  if (!prepared.ok()) return prepared.status();
  return text_worker->Respond(name, **prepared, settings);
}

}  // namespace imagemill::vision
