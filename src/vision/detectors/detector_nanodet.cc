#include "vision/detectors/detector_nanodet.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "vision/detectors/detector_coco_classes.h"

namespace imagemill::vision {
namespace {

constexpr int kNanodetDefaultSize = 416;
constexpr int kBins = 11;  // reg_max + 1
constexpr int kStrides[] = {8, 16, 32};
const cv::Scalar kNanodetMean(103.53, 116.28, 123.675);
const cv::Scalar kInvStd(1 / 57.375, 1 / 57.12, 1 / 58.395);

// Expected distance of one side: Σ softmax(logits)·k.
float SideDistance(const float* logits) {
  float max = logits[0];
  for (int k = 1; k < kBins; ++k) max = std::max(max, logits[k]);
  float sum = 0, weighted = 0;
  for (int k = 0; k < kBins; ++k) {
    const float e = std::exp(logits[k] - max);
    sum += e;
    weighted += e * static_cast<float>(k);
  }
  return weighted / sum;
}

}  // namespace

NanoDetDetector::NanoDetDetector(model::LoadedNet net, const DetectorOptions& options,
                                 int input_size)
    : net_(std::move(net)), options_(options), size_(input_size) {
  // Outputs come as [1, N, 80] scores and [1, N, 44] distances; order them by N, largest first.
  std::vector<std::pair<int64_t, std::string>> cls, reg;
  for (const auto& o : net_.outputs) {
    if (o.shape.size() != 3) continue;
    (o.shape[2] == kCocoClassCount ? cls : reg).emplace_back(-o.shape[1], o.name);
  }
  std::sort(cls.begin(), cls.end());
  std::sort(reg.begin(), reg.end());
  for (const auto& [n, name] : cls) outputs_.push_back(name);
  for (const auto& [n, name] : reg) outputs_.push_back(name);
}

std::string NanoDetDetector::Name() const { return "nanodet-" + std::to_string(size_); }

cv::Mat NanoDetDetector::MakeInput(const cv::Mat& bgr) const {
  cv::Mat resized, normalized;
  cv::resize(bgr, resized, cv::Size(size_, size_), 0, 0, cv::INTER_LINEAR);
  resized.convertTo(normalized, CV_32FC3);
  normalized -= kNanodetMean;
  cv::multiply(normalized, kInvStd, normalized);
  // HWC -> NCHW: split straight into the blob's channel planes.
  const int dims[] = {1, 3, size_, size_};
  cv::Mat blob(4, dims, CV_32F);
  std::vector<cv::Mat> planes;
  planes.reserve(3);
  for (int c = 0; c < 3; ++c) planes.emplace_back(size_, size_, CV_32F, blob.ptr<float>(0, c));
  cv::split(normalized, planes);
  return blob;
}

Result<std::vector<Detection>> NanoDetDetector::DetectInput(const cv::Mat& input) {
  Result<std::vector<cv::Mat>> run = RunNet(net_.net, input, outputs_, Name());
  if (!run.ok()) return run.status();
  const std::vector<cv::Mat>& outs = *run;
  std::vector<Detection> candidates;
  const float inv_size = 1.0f / static_cast<float>(size_);
  for (int level = 0; level < 3; ++level) {
    const int stride = kStrides[level];
    const int cols = size_ / stride;
    const cv::Mat& scores = outs[level];
    const cv::Mat& dist = outs[level + 3];
    const int cells = scores.size[1];
    if (cells != cols * (size_ / stride) || dist.size[1] != cells || dist.size[2] != 4 * kBins) {
      return Status::Internal(Name() + ": unexpected output shapes for stride " +
                              std::to_string(stride));
    }
    const float* s = scores.ptr<float>();
    const float* d = dist.ptr<float>();
    for (int n = 0; n < cells; ++n) {
      const float* row = s + static_cast<size_t>(n) * kCocoClassCount;
      const int best = static_cast<int>(std::max_element(row, row + kCocoClassCount) - row);
      if (row[best] < options_.score_threshold) continue;
      const float cx = (static_cast<float>(n % cols) + 0.5f) * stride;
      const int cell_row = n / cols;
      const float cy = (static_cast<float>(cell_row) + 0.5f) * stride;
      const float* bins = d + static_cast<size_t>(n) * 4 * kBins;
      const float l = SideDistance(bins) * stride, t = SideDistance(bins + kBins) * stride;
      const float r = SideDistance(bins + ptrdiff_t{2} * kBins) * stride,
                  b = SideDistance(bins + ptrdiff_t{3} * kBins) * stride;
      const float x1 = std::clamp(cx - l, 0.0f, static_cast<float>(size_));
      const float y1 = std::clamp(cy - t, 0.0f, static_cast<float>(size_));
      const float x2 = std::clamp(cx + r, 0.0f, static_cast<float>(size_));
      const float y2 = std::clamp(cy + b, 0.0f, static_cast<float>(size_));
      if (x2 <= x1 || y2 <= y1) continue;
      candidates.push_back(
          {best, row[best],
           cv::Rect2f(x1 * inv_size, y1 * inv_size, (x2 - x1) * inv_size, (y2 - y1) * inv_size)});
    }
  }
  return SuppressNonMaxima(std::move(candidates), options_.nms_iou, options_.max_detections);
}

Result<std::unique_ptr<Detector>> MakeNanoDetDetector(const DetectorOptions& options) {
  const int size = options.input_size > 0 ? options.input_size : kNanodetDefaultSize;
  if (size % 32 != 0 || size < 64) {
    return Status::InvalidArgument("nanodet: input size " + std::to_string(size) +
                                   " is not a multiple of 32 (try 320 or 416)");
  }
  model::ImportOptions import;
  import.input_height = import.input_width = size;
  auto net = model::LoadNet(options.model, import);
  if (!net.ok()) return net.status();
  if (net->outputs.size() != 6) {
    return Status::InvalidArgument(options.model.string() +
                                   ": not a NanoDet model (expects 6 outputs, has " +
                                   std::to_string(net->outputs.size()) + ")");
  }
  return std::unique_ptr<Detector>(
      std::make_unique<NanoDetDetector>(std::move(net).value(), options, size));
}

}  // namespace imagemill::vision
