// LabelModel: the networks that label an image, and how their detections become calibrated,
// named objects. Either a built-in set of the pretrained models (docs/models.md), named as
// builtin_spec.h says ("nanodet-320", "nanodet-320+mirror", "nanodet-320~centernet-256"), or a
// user's ONNX model (yolov5, yolov8, nanodet as `imagemill model import` writes it, or an image
// classifier) with a file of class names, one per line.
//
// A built-in model's detections are merged across its passes (pass_merging.h), reduced to one
// label per object (object_suppression.h), given a second opinion where it has one and is unsure
// (second_opinion.h), scored per label from all its instances where its calibration was fitted
// so (label_score.h), and calibrated (score_calibration.h). A user's model's detections are taken
// as they are, with Confidence = 100 * score.
//
// A LabelModel is immutable and thread-safe: MakeInputs runs on any thread (decoding stage);
// networks are not thread-safe, so each worker thread takes its own LabelModelRunner.
#pragma once

#include <filesystem>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"
#include "vision/detectors/detector.h"
#include "vision/labels/detect_labels_answer.h"
#include "vision/labels/object_suppression.h"
#include "vision/labels/pass_merging.h"
#include "vision/labels/score_calibration.h"

namespace imagemill::vision {

// The default built-in model (docs/labels.md): NanoDet at 320, a label scored from all its
// instances, calibrated so that a Confidence is the precision of filtering at it.
inline constexpr const char* kDefaultLabelModel = "nanodet-320";
// The precise mode (--label-model nanodet-320~centernet-256): a second network where NanoDet is
// unsure, and a cumulative calibration; fewer wrong labels at about 1.5 times the default's cost,
// but it misses some main subjects the default finds (docs/labels.md).
inline constexpr const char* kPreciseLabelModel = "nanodet-320~centernet-256";

struct LabelModelOptions {
  std::string builtin = kDefaultLabelModel;  // used when model_file is empty
  std::filesystem::path models_dir;          // the built-in models' directory; empty: model_dir.h

  // A user's model: an .onnx file, its kind (yolov5, yolov8, nanodet, classifier) and its class
  // names (a text file, one per line, in the model's class order).
  std::filesystem::path model_file;
  std::string model_kind;
  std::filesystem::path labels_file;
  int input_size = 0;  // a user's model whose file leaves its input size open (0: 640 / 224)
};

class LabelModelRunner;

class LabelModel {
 public:
  // Loads every network once (proving at start-up that they load and run) and keeps them to make
  // inputs. NotFound (with what to do) when a file is missing; InvalidArgument for a bad spec.
  static Result<std::unique_ptr<LabelModel>> Open(const LabelModelOptions& options);

  // The model's name for a set of options, without loading anything: "nanodet-416.v5",
  // "nanodet-320~centernet-256.v5" (builtin_spec.h), or for a user's model
  // "yolov5:best.onnx@1a2b3c4d" (a hash of the model and class-name files, so that a changed file
  // is a changed model). InvalidArgument for a bad built-in spec; NotFound for a user's file that
  // is missing.
  static Result<std::string> NameFor(const LabelModelOptions& options);

  ~LabelModel();

  const std::string& name() const { return name_; }
  // Decoding may reduce an image while both sides stay at least this long.
  int MinInputSide() const { return min_side_; }
  // The network input of every pass for `bgr` (CV_8UC3, as displayed), and last the second
  // opinion's when there is one. Thread-safe.
  std::vector<cv::Mat> MakeInputs(const cv::Mat& bgr) const;
  // Networks for one worker thread. Thread-safe.
  Result<std::unique_ptr<LabelModelRunner>> NewRunner() const;
  // The objects of an image whose merged detections are `merged` (LabelModelRunner::RunMerged):
  // for a built-in model, one label per object (object_suppression.h) first; then each one named
  // and calibrated, best first. Thread-safe.
  // Without the second opinion, which needs a runner (LabelModelRunner::Run).
  std::vector<FoundObject> Finish(std::vector<Detection> merged) const;

 private:
  friend class LabelModelRunner;
  struct Pass {
    size_t detector = 0;  // index into the distinct detectors
    bool mirrored = false;
  };
  LabelModel() = default;
  Result<std::vector<std::unique_ptr<Detector>>> MakeDetectors() const;
  // `detections` (suppressed, best first) named and calibrated.
  std::vector<FoundObject> Named(const std::vector<Detection>& detections) const;

  LabelModelOptions options_;
  std::string name_;
  std::vector<std::string> detector_specs_;  // "nanodet-416", "centernet-512", or a user's kind
  std::vector<Pass> passes_;                 // the first networks' passes
  std::optional<size_t> second_;             // index of the second opinion's detector
  MergeMode merge_ = MergeMode::kMean;
  std::vector<std::string> class_names_;
  ScoreCalibration calibration_;
  SuppressionOptions suppression_;  // built-in models only
  std::filesystem::path models_dir_;
  int min_side_ = 0;
  std::vector<std::unique_ptr<Detector>> prototypes_;  // used for MakeInput only
};

// One worker's networks. Not thread-safe: one thread at a time.
class LabelModelRunner {
 public:
  // Every object found in the image whose inputs are `inputs` (from MakeInputs), with calibrated
  // confidences, best first; boxes are ratios of the image as displayed.
  Result<std::vector<FoundObject>> Run(const std::vector<cv::Mat>& inputs);
  // The detections of every pass of the first networks, merged (pass_merging.h), before Finish.
  // Boxes are ratios of the image as displayed.
  Result<std::vector<Detection>> RunMerged(const std::vector<cv::Mat>& inputs);

 private:
  friend class LabelModel;
  LabelModelRunner(const LabelModel& model, std::vector<std::unique_ptr<Detector>> detectors)
      : model_(model), detectors_(std::move(detectors)) {}
  const LabelModel& model_;
  std::vector<std::unique_ptr<Detector>> detectors_;
};

// Candidate detections below this raw score are dropped before merging and calibration.
inline constexpr float kCandidateScore = 0.1f;

}  // namespace imagemill::vision
