#include "vision/detectors/detector_yolo.h"

#include <algorithm>
#include <filesystem>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

namespace imagemill::vision {
namespace {

constexpr int kYoloDefaultSize = 640;

// The layout of a YOLO output: N candidates of `stride` values each, candidate n's value k at
// data[n * n_step + k * k_step].
struct Layout {
  int candidates = 0;
  size_t n_step = 0, k_step = 0;
};

Result<Layout> OutputLayout(const cv::Mat& out, YoloVersion version, int classes,
                            const std::string& name) {
  const int values = (version == YoloVersion::kV5 ? 5 : 4) + classes;
  if (out.dims == 3 && out.size[0] == 1) {
    const int a = out.size[1], b = out.size[2];
    if (b == values) return Layout{a, static_cast<size_t>(b), 1};
    if (version == YoloVersion::kV8 && a == values) {
      return Layout{b, 1, static_cast<size_t>(b)};
    }
  }
  std::string shape;
  for (int i = 0; i < out.dims; ++i) shape += (i ? "x" : "") + std::to_string(out.size[i]);
  return Status::InvalidArgument(
      name + ": the model's output is " + shape + ", not a " +
      (version == YoloVersion::kV5 ? "yolov5 output 1xNx" : "yolov8 output 1x") +
      std::to_string(values) + (version == YoloVersion::kV5 ? "" : "xN") + " for " +
      std::to_string(classes) + " classes; check --model-kind and the --labels file");
}

}  // namespace

YoloDetector::YoloDetector(model::LoadedNet net, const DetectorOptions& options,
                           YoloVersion version, int width, int height, int classes)
    : net_(std::move(net)),
      options_(options),
      version_(version),
      width_(width),
      height_(height),
      classes_(classes) {}

std::string YoloDetector::Name() const {
  return std::string(version_ == YoloVersion::kV5 ? "yolov5" : "yolov8") + "-" +
         std::to_string(width_) + (width_ == height_ ? "" : "x" + std::to_string(height_));
}

cv::Mat YoloDetector::MakeInput(const cv::Mat& bgr) const {
  return cv::dnn::blobFromImage(bgr, 1.0 / 255, cv::Size(width_, height_), cv::Scalar(), true,
                                false, CV_32F);
}

Result<std::vector<Detection>> YoloDetector::DetectInput(const cv::Mat& input) {
  Result<std::vector<cv::Mat>> outs = RunNet(net_.net, input, {}, Name());
  if (!outs.ok()) return outs.status();
  const cv::Mat& out = outs->front();
  Result<Layout> layout = OutputLayout(out, version_, classes_, options_.model.string());
  if (!layout.ok()) return layout.status();
  const float* data = out.ptr<float>();
  const int first_class = version_ == YoloVersion::kV5 ? 5 : 4;
  std::vector<Detection> candidates;
  for (int n = 0; n < layout->candidates; ++n) {
    auto at = [&](int k) { return data[n * layout->n_step + k * layout->k_step]; };
    const float objectness = version_ == YoloVersion::kV5 ? at(4) : 1.0f;
    if (objectness < options_.score_threshold) continue;
    int best = 0;
    float best_score = at(first_class);
    for (int c = 1; c < classes_; ++c) {
      if (at(first_class + c) > best_score) {
        best_score = at(first_class + c);
        best = c;
      }
    }
    const float score = objectness * best_score;
    if (score < options_.score_threshold) continue;
    const float w = at(2) / static_cast<float>(width_), h = at(3) / static_cast<float>(height_);
    const float x = at(0) / static_cast<float>(width_) - w / 2;
    const float y = at(1) / static_cast<float>(height_) - h / 2;
    cv::Rect2f box = cv::Rect2f(x, y, w, h) & cv::Rect2f(0, 0, 1, 1);
    if (box.width <= 0 || box.height <= 0) continue;
    candidates.push_back({best, std::min(score, 1.0f), box});
  }
  return SuppressNonMaxima(std::move(candidates), options_.nms_iou, options_.max_detections);
}

Result<std::unique_ptr<Detector>> MakeYoloDetector(const DetectorOptions& options,
                                                   YoloVersion version, int classes) {
  auto loaded = LoadUserNet(options, classes, kYoloDefaultSize);
  if (!loaded.ok()) return loaded.status();
  const int width = loaded->width, height = loaded->height;
  auto detector = std::make_unique<YoloDetector>(std::move(loaded->net), options, version, width,
                                                 height, classes);
  // One pass over a grey image proves at start-up that the model runs and its output fits.
  cv::Mat grey(height, width, CV_8UC3, cv::Scalar(114, 114, 114));
  Result<std::vector<Detection>> probe = detector->Detect(grey);
  if (!probe.ok()) return probe.status();
  return std::unique_ptr<Detector>(std::move(detector));
}

}  // namespace imagemill::vision
