// Detector: finds objects of known classes in one image with a pretrained network.
//
// A detector owns one cv::dnn::Net, which is not thread-safe: each worker thread creates its own
// detector and only that thread calls DetectInput/Detect. MakeInput (resize, colour order,
// normalisation) is const and may run on any thread, so decoding and pre-processing can run ahead
// of inference. OpenCV's thread count (cv::setNumThreads) is process-wide, not per network.
#pragma once

#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "model/net_loader.h"
#include "util/status.h"

namespace imagemill::vision {

struct Detection {
  int class_index = 0;  // into the detector's class list (COCO: detector_coco_classes.h)
  float score = 0;      // the model's confidence, 0..1
  cv::Rect2f box;       // x, y, width, height as ratios (0..1) of the input image's width/height
};

class Detector {
 public:
  virtual ~Detector() = default;

  // A short name with the settings that change its answers ("nanodet-320"). Thread-safe.
  virtual std::string Name() const = 0;

  // The network input for `bgr` (CV_8UC3, non-empty). Thread-safe.
  virtual cv::Mat MakeInput(const cv::Mat& bgr) const = 0;

  // Runs the network on an input made by MakeInput and decodes the detections, best first.
  // Owner thread only.
  virtual Result<std::vector<Detection>> DetectInput(const cv::Mat& input) = 0;

  // MakeInput then DetectInput. Owner thread only. Fails with InvalidArgument on an empty or
  // non-BGR image.
  Result<std::vector<Detection>> Detect(const cv::Mat& bgr);
};

// Settings shared by the detectors.
struct DetectorOptions {
  std::filesystem::path model;   // TF.js model.json (imported in memory) or an imported .onnx
  int input_size = 0;            // square network input in pixels; 0: the detector's default
  float score_threshold = 0.3f;  // detections scoring lower are dropped
  float nms_iou = 0.6f;          // same-class boxes overlapping more than this are merged
  int max_detections = 100;
};

// NanoDet (COCO 80 classes). input_size must be a multiple of 32 (default 416, the trained size).
Result<std::unique_ptr<Detector>> MakeNanoDetDetector(const DetectorOptions& options);

// CenterNet with a MobileNetV3 backbone (COCO 80 classes), 512x512 by default; the network is cut
// before its TopK and the heatmap peaks are decoded here.
Result<std::unique_ptr<Detector>> MakeCenterNetDetector(const DetectorOptions& options);

// Runs `net` on `input` and returns the outputs named in `outputs`, in that order (the network's
// last output when `outputs` is empty). An OpenCV failure becomes Internal naming `who`. Owner
// thread only.
Result<std::vector<cv::Mat>> RunNet(cv::dnn::Net& net, const cv::Mat& input,
                                    const std::vector<std::string>& outputs,
                                    const std::string& who);

// A user's ONNX model, loaded for a detector of `classes` classes: the network and its input size
// (options.input_size, else the size the file declares, else `default_size`). NotFound when the
// file is missing, InvalidArgument when there are no class names.
struct UserNet {
  model::LoadedNet net;
  int width = 0;
  int height = 0;
};
Result<UserNet> LoadUserNet(const DetectorOptions& options, int classes, int default_size);

// Where the pretrained models are: $IMAGEMILL_MODELS if set, else
// ${IMAGEMILL_CACHE:-.cache}/models/human-models-3.0.4 (filled by scripts/fetch-models.sh).
std::filesystem::path DefaultModelDir();

// Greedy per-class non-maximum suppression: keeps the best box and drops same-class boxes whose
// IoU with a kept one exceeds `iou`; returns at most `max_count`, best first.
std::vector<Detection> SuppressNonMaxima(std::vector<Detection> candidates, float iou,
                                         int max_count);

}  // namespace imagemill::vision
