// TextProcessor: Rekognition's DetectText for every image of a run (`run --processor text`),
// and for one image at a time (`imagemill detect-text`, the DetectText API of `serve`). For each
// image it answers
//
//   {"TextDetections": [LINE..., WORD...], "TextModelVersion": "pp-ocrv4-det+tesseract-5.3.0"}
//
// (detect_text_answer.h has the shape and rules), indexed under "Text" with its best line's
// confidence when it read anything, so `imagemill query --label Text` finds the images with
// text. Stage 1, Prepare, on any thread: decode (a
// JPEG at reduced scale while its longer side stays at least twice the detector's), then the
// detector's input and a grey copy to read the words from, at most twice the detector's size
// (text too small for the detector to find is not read either). Stage 2, Process, on the worker
// that owns the network and the Tesseract engine: find the lines (text_detector.h), read each
// one (line_reader.h), filter and answer.
//
// Cost: nothing unless asked for (the labels processor does not run it). Per image, the
// detector's forward pass (its input is at most 960 pixels a side) and Tesseract's reading of
// each line; docs/text.md has the measured figures.
//
// Failures are those of DecodeImage (vision/decode/image.h): NotAnImage (skipped), Unsupported,
// Corrupt, TooLarge, each naming the item's key; a failing forward pass is Internal.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vision/decode/image.h"
#include "vision/text/line_reader.h"
#include "vision/text/text_detector.h"
#include "vision/text/text_settings.h"
#include "vision/text/word_reader.h"
#include "workflow/processor.h"

namespace imagemill::vision {

struct TextProcessorOptions {
  uint64_t max_pixels = kDefaultMaxPixels;  // images over this are TooLarge, undecoded
  TextDetectorOptions detector;
  LineReaderOptions reading;
  WordReaderOptions tesseract;
  TextSettings settings;  // the Filters every image of a run is answered with
  // Rekognition's limit, kept by default; the evaluation lifts it to count every word read.
  int max_words = 100;
};

class TextProcessor : public Processor {
 public:
  // Opens the detection model (NotFound saying to run scripts/fetch-models.sh when it is
  // missing) and checks that Tesseract's English data is there (NotFound naming the Debian
  // package); validates the settings.
  static Result<std::unique_ptr<TextProcessor>> Open(const TextProcessorOptions& options);

  // The processor's name for `options` without loading anything: "text/pp-ocrv4-det" followed
  // by "/<settings id>" when the filters are not the defaults.
  static Result<std::string> NameFor(const TextProcessorOptions& options);

  std::string Name() const override { return name_; }
  // "text": a text run's answers are kept beside an image's labels, never in their place.
  std::string Kind() const override { return "text"; }

  // Thread-safe.
  Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                std::string bytes) const override;

  // A network and a Tesseract engine for one worker. Thread-safe.
  Result<std::unique_ptr<ProcessorWorker>> NewWorker() const override;

  // One image's answer (the DetectText response and its index entries, as a run stores them)
  // with `settings` instead of the processor's own, for callers that answer requests one at a
  // time, each with its own Filters (`detect-text`, the DetectText API of `serve`). `worker` must
  // come from this processor's NewWorker and be the caller's alone; `name` names the image in
  // messages.
  Result<Answer> DetectText(std::string_view bytes, const std::string& name,
                            const TextSettings& settings, ProcessorWorker& worker) const;

  // The item Process reads, made from an image already decoded (`bgr`: CV_8UC3, as displayed;
  // its longer side should be at least ReadSide(), else small text is not read). Thread-safe.
  std::unique_ptr<PreparedItem> PrepareImage(const cv::Mat& bgr) const;
  // The longer side the image is read at (twice the detector's): decoders may reduce to it.
  int ReadSide() const;

  // "pp-ocrv4-det+tesseract-5.3.0": the answers' TextModelVersion.
  const std::string& model_version() const { return model_version_; }
  const TextProcessorOptions& options() const { return options_; }

 private:
  TextProcessor(TextProcessorOptions options, std::unique_ptr<TextDetector> detector,
                std::string name);
  Result<std::unique_ptr<PreparedItem>> PrepareBytes(std::string_view bytes,
                                                     const std::string& name) const;

  const TextProcessorOptions options_;
  const std::unique_ptr<TextDetector> detector_;
  const std::string name_;
  const std::string model_version_;
};

// The index entries of a DetectText response: "Text" with its best line's confidence, or none
// when no line was read.
std::vector<IndexEntry> TextIndexEntries(const nlohmann::json& response);

}  // namespace imagemill::vision
