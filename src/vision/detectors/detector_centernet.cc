#include "vision/detectors/detector_centernet.h"

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "vision/detectors/detector_coco_classes.h"

namespace imagemill::vision {
namespace {

constexpr int kCenternetDefaultSize = 512;
constexpr int kOutputStride = 4;
constexpr int kTopK = 100;  // as the original graph's TopKV2
const char* const kHeatmap = "tower_0/keypoints";
const char* const kSizes = "tower_0/wh";

}  // namespace

CenterNetDetector::CenterNetDetector(model::LoadedNet net, const DetectorOptions& options,
                                     int input_size)
    : net_(std::move(net)), options_(options), size_(input_size) {}

std::string CenterNetDetector::Name() const { return "centernet-" + std::to_string(size_); }

cv::Mat CenterNetDetector::MakeInput(const cv::Mat& bgr) const {
  cv::Mat resized, rgb;
  cv::resize(bgr, resized, cv::Size(size_, size_), 0, 0, cv::INTER_LINEAR);
  cv::cvtColor(resized, rgb, cv::COLOR_BGR2RGB);
  // An interleaved HWC image is the NHWC tensor: give the float pixels a 4-D header.
  const int dims[] = {1, size_, size_, 3};
  cv::Mat blob(4, dims, CV_32F);
  cv::Mat view(size_, size_, CV_32FC3, blob.data);
  rgb.convertTo(view, CV_32FC3);
  return blob;
}

Result<std::vector<Detection>> CenterNetDetector::DetectInput(const cv::Mat& input) {
  static const std::vector<std::string> kOutputs = {kHeatmap, kSizes};
  Result<std::vector<cv::Mat>> outs = RunNet(net_.net, input, kOutputs, Name());
  if (!outs.ok()) return outs.status();
  const cv::Mat& heat = (*outs)[0];
  const cv::Mat& wh = (*outs)[1];
  if (heat.dims != 4 || heat.size[3] != kCocoClassCount || wh.dims != 4 || wh.size[3] != 4) {
    return Status::Internal(Name() + ": unexpected output shapes");
  }
  const int rows = heat.size[1], cols = heat.size[2];
  const float* h = heat.ptr<float>();
  const float* s = wh.ptr<float>();
  auto at = [&](int y, int x, int c) {
    return h[(static_cast<size_t>(y) * cols + x) * kCocoClassCount + c];
  };

  std::vector<Detection> candidates;
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      for (int c = 0; c < kCocoClassCount; ++c) {
        const float v = at(y, x, c);
        if (v < options_.score_threshold) continue;
        bool peak = true;
        for (int dy = -1; dy <= 1 && peak; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) {
            const int yy = y + dy, xx = x + dx;
            if (yy < 0 || xx < 0 || yy >= rows || xx >= cols) continue;
            if (at(yy, xx, c) > v) {
              peak = false;
              break;
            }
          }
        }
        if (!peak) continue;
        const float* size = s + (static_cast<size_t>(y) * cols + x) * 4;
        const float cx = static_cast<float>(x * kOutputStride),
                    cy = static_cast<float>(y * kOutputStride);
        const float limit = static_cast<float>(size_);
        const float x1 = std::clamp(cx - size[0], 0.0f, limit),
                    y1 = std::clamp(cy - size[1], 0.0f, limit);
        const float x2 = std::clamp(cx + size[2], 0.0f, limit),
                    y2 = std::clamp(cy + size[3], 0.0f, limit);
        if (x2 <= x1 || y2 <= y1) continue;
        candidates.push_back(
            {c, v, cv::Rect2f(x1 / limit, y1 / limit, (x2 - x1) / limit, (y2 - y1) / limit)});
      }
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  if (candidates.size() > static_cast<size_t>(kTopK)) candidates.resize(kTopK);
  return SuppressNonMaxima(std::move(candidates), options_.nms_iou, options_.max_detections);
}

Result<std::unique_ptr<Detector>> MakeCenterNetDetector(const DetectorOptions& options) {
  const int size = options.input_size > 0 ? options.input_size : kCenternetDefaultSize;
  if (size % 32 != 0 || size < 64) {
    return Status::InvalidArgument("centernet: input size " + std::to_string(size) +
                                   " is not a multiple of 32");
  }
  model::ImportOptions import;
  import.outputs = {kHeatmap, kSizes};
  import.input_height = import.input_width = size;
  auto net = model::LoadNet(options.model, import);
  if (!net.ok()) return net.status();
  return std::unique_ptr<Detector>(
      std::make_unique<CenterNetDetector>(std::move(net).value(), options, size));
}

}  // namespace imagemill::vision
