// TextLabelSource: the text processor's lines as the "Text" label of DetectLabels
// (label_source.h), as Rekognition answers it: no parents, category "Text and Documents", one
// instance per line read, boxed, with the line's confidence (the mean of its words' Tesseract
// confidences); the label's confidence is its best line's. The label needs a word read, not only
// a region the detector finds: the detector alone fires on too many photos without text
// (docs/text.md). Asked for with `--extra-labels text`; off by default, since it costs what
// DetectText costs (the detector's pass and Tesseract's reading of each line).
//
// Thread safety: as LabelSource. Each runner owns a network and a Tesseract engine.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "vision/labels/label_source.h"
#include "vision/text/text_processor.h"

namespace imagemill::vision {

// The taxon of the "Text" label.
LabelTaxon TextTaxon();

// The "Text" label's findings in a DetectText response: one per LINE, with its box and
// confidence.
std::vector<FoundObject> TextLabelObjects(const nlohmann::json& detect_text_response);

class TextLabelSource : public LabelSource {
 public:
  // Opens the text processor (NotFound saying to run scripts/fetch-models.sh for a missing
  // model, or naming tesseract-ocr-eng for missing English data): a start-up error.
  static Result<std::shared_ptr<const TextLabelSource>> Open(const TextProcessorOptions& options);

  std::string Name() const override { return "text"; }
  int MinLongSide() const override;
  std::any Prepare(const cv::Mat& bgr) const override;
  Result<std::unique_ptr<LabelSourceRunner>> NewRunner() const override;

  // `processor` null: a source good for its Name() only (a processor's name without loading).
  explicit TextLabelSource(std::shared_ptr<const TextProcessor> processor)
      : processor_(std::move(processor)) {}

 private:
  const std::shared_ptr<const TextProcessor> processor_;
};

}  // namespace imagemill::vision
