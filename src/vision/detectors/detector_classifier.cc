#include "vision/detectors/detector_classifier.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/dnn.hpp>

namespace imagemill::vision {
namespace {

constexpr int kClassifierDefaultSize = 224;
const cv::Scalar kClassifierMean(0.485, 0.456, 0.406);
const cv::Scalar kStd(0.229, 0.224, 0.225);

// Probabilities from `scores`: as they are when they already are, else their softmax.
std::vector<float> Probabilities(const float* scores, int n) {
  std::vector<float> p(scores, scores + n);
  float sum = 0;
  bool in_range = true;
  for (float v : p) {
    sum += v;
    in_range = in_range && v >= 0 && v <= 1;
  }
  if (in_range && std::abs(sum - 1) < 0.01f) return p;
  const float max = *std::max_element(p.begin(), p.end());
  sum = 0;
  for (float& v : p) sum += (v = std::exp(v - max));
  for (float& v : p) v /= sum;
  return p;
}

}  // namespace

ClassifierDetector::ClassifierDetector(model::LoadedNet net, const DetectorOptions& options,
                                       int width, int height, int classes)
    : net_(std::move(net)), options_(options), width_(width), height_(height), classes_(classes) {}

std::string ClassifierDetector::Name() const {
  return "classifier-" + std::to_string(width_) +
         (width_ == height_ ? "" : "x" + std::to_string(height_));
}

cv::Mat ClassifierDetector::MakeInput(const cv::Mat& bgr) const {
  cv::Mat blob = cv::dnn::blobFromImage(bgr, 1.0 / 255, cv::Size(width_, height_), cv::Scalar(),
                                        true, false, CV_32F);
  for (int c = 0; c < 3; ++c) {
    cv::Mat plane(height_, width_, CV_32F, blob.ptr<float>(0, c));
    plane.convertTo(plane, CV_32F, 1 / kStd[c], -kClassifierMean[c] / kStd[c]);
  }
  return blob;
}

Result<std::vector<Detection>> ClassifierDetector::DetectInput(const cv::Mat& input) {
  Result<std::vector<cv::Mat>> outs = RunNet(net_.net, input, {}, Name());
  if (!outs.ok()) return outs.status();
  const cv::Mat& out = outs->front();
  if (out.total() != static_cast<size_t>(classes_)) {
    return Status::InvalidArgument(options_.model.string() + ": the model gives " +
                                   std::to_string(out.total()) + " scores for " +
                                   std::to_string(classes_) +
                                   " class names; check --model-kind and the --labels file");
  }
  const std::vector<float> p = Probabilities(out.ptr<float>(), classes_);
  std::vector<Detection> found;
  for (int c = 0; c < classes_; ++c) {
    if (p[c] >= options_.score_threshold) found.push_back({c, p[c], cv::Rect2f()});
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  if (found.size() > static_cast<size_t>(options_.max_detections)) {
    found.resize(options_.max_detections);
  }
  return found;
}

Result<std::unique_ptr<Detector>> MakeClassifierDetector(const DetectorOptions& options,
                                                         int classes) {
  auto loaded = LoadUserNet(options, classes, kClassifierDefaultSize);
  if (!loaded.ok()) return loaded.status();
  const int width = loaded->width, height = loaded->height;
  auto detector =
      std::make_unique<ClassifierDetector>(std::move(loaded->net), options, width, height, classes);
  cv::Mat grey(height, width, CV_8UC3, cv::Scalar(128, 128, 128));
  Result<std::vector<Detection>> probe = detector->Detect(grey);
  if (!probe.ok()) return probe.status();
  return std::unique_ptr<Detector>(std::move(detector));
}

}  // namespace imagemill::vision
