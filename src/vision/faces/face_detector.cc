#include "vision/faces/face_detector.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "vision/detectors/box_overlap.h"
#include "vision/detectors/detector.h"
#include "vision/detectors/model_dir.h"

namespace imagemill::vision {
namespace {

constexpr int kAnchors = 16 * 16 * 2 + 8 * 8 * 6;  // 896
constexpr int kRegressors = 16;

struct Anchor {
  float x, y;  // centre, ratios of the input
};

const std::vector<Anchor>& Anchors() {
  static const std::vector<Anchor> anchors = [] {
    std::vector<Anchor> a;
    a.reserve(kAnchors);
    for (const auto& [grid, per_cell] : {std::pair{16, 2}, std::pair{8, 6}}) {
      for (int row = 0; row < grid; ++row) {
        for (int col = 0; col < grid; ++col) {
          for (int k = 0; k < per_cell; ++k) {
            a.push_back({(col + 0.5f) / grid, (row + 0.5f) / grid});
          }
        }
      }
    }
    return a;
  }();
  return anchors;
}

float Sigmoid(float logit) { return 1.0f / (1.0f + std::exp(-std::clamp(logit, -100.0f, 100.0f))); }

// Clusters of overlapping faces, best first, each blended into one (weighted by score).
std::vector<Face> Blend(std::vector<Face> candidates, float iou, int max_faces) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Face& a, const Face& b) { return a.score > b.score; });
  std::vector<Face> out;
  std::vector<bool> used(candidates.size(), false);
  for (size_t i = 0; i < candidates.size() && out.size() < static_cast<size_t>(max_faces); ++i) {
    if (used[i]) continue;
    Face sum{};
    float weight = 0;
    for (size_t j = i; j < candidates.size(); ++j) {
      if (used[j] || Iou(candidates[i].box, candidates[j].box) <= iou) continue;
      used[j] = true;
      const Face& f = candidates[j];
      const float w = f.score;
      sum.box.x += w * f.box.x;
      sum.box.y += w * f.box.y;
      sum.box.width += w * f.box.width;
      sum.box.height += w * f.box.height;
      for (size_t k = 0; k < f.keypoints.size(); ++k) sum.keypoints[k] += w * f.keypoints[k];
      weight += w;
    }
    Face blended;
    blended.score = candidates[i].score;
    blended.box = cv::Rect2f(sum.box.x / weight, sum.box.y / weight, sum.box.width / weight,
                             sum.box.height / weight);
    for (size_t k = 0; k < sum.keypoints.size(); ++k) {
      blended.keypoints[k] = sum.keypoints[k] / weight;
    }
    out.push_back(blended);
  }
  return out;
}

}  // namespace

FaceInput MakeFaceInput(const cv::Mat& bgr) {
  const int longer = std::max(bgr.cols, bgr.rows);
  const double scale = double(kFaceInputSize) / longer;
  const int w = std::clamp(static_cast<int>(std::lround(bgr.cols * scale)), 1, kFaceInputSize);
  const int h = std::clamp(static_cast<int>(std::lround(bgr.rows * scale)), 1, kFaceInputSize);
  const int left = (kFaceInputSize - w) / 2, top = (kFaceInputSize - h) / 2;
  cv::Mat square(kFaceInputSize, kFaceInputSize, CV_8UC3, cv::Scalar::all(0));
  cv::resize(bgr, square(cv::Rect(left, top, w, h)), cv::Size(w, h), 0, 0,
             w < bgr.cols ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::cvtColor(square, square, cv::COLOR_BGR2RGB);
  FaceInput in;
  // An interleaved HWC image is the NHWC tensor: give the float pixels a 4-D header.
  const int dims[] = {1, kFaceInputSize, kFaceInputSize, 3};
  in.tensor.create(4, dims, CV_32F);
  cv::Mat view(kFaceInputSize, kFaceInputSize, CV_32FC3, in.tensor.data);
  square.convertTo(view, CV_32FC3, 1.0 / 127.5, -1.0);
  const float s = kFaceInputSize;
  in.content = cv::Rect2f(left / s, top / s, w / s, h / s);
  return in;
}

Result<std::unique_ptr<FaceDetector>> FaceDetector::Open(const FaceDetectorOptions& options) {
  Result<model::LoadedNet> net = model::LoadNet(options.model);
  if (!net.ok()) return net.status();
  return std::unique_ptr<FaceDetector>(new FaceDetector(std::move(net).value(), options));
}

Result<std::vector<Face>> FaceDetector::Detect(const FaceInput& input) {
  std::vector<std::string> names;
  for (const model::TensorInfo& t : net_.outputs) names.push_back(t.name);
  Result<std::vector<cv::Mat>> outs = RunNet(net_.net, input.tensor, names, Name());
  if (!outs.ok()) return outs.status();
  // The four outputs, told apart by their shapes: scores [1,512,1] and [1,384,1], regressors
  // [1,512,16] and [1,384,16].
  const cv::Mat *scores[2] = {nullptr, nullptr}, *boxes[2] = {nullptr, nullptr};
  for (const cv::Mat& m : *outs) {
    const size_t n = m.total();
    if (n == 512) scores[0] = &m;
    if (n == 384) scores[1] = &m;
    if (n == 512 * kRegressors) boxes[0] = &m;
    if (n == 384 * kRegressors) boxes[1] = &m;
  }
  if (!scores[0] || !scores[1] || !boxes[0] || !boxes[1]) {
    return Status::Internal(Name() + ": unexpected output shapes (is this blazeface.json?)");
  }
  const std::vector<Anchor>& anchors = Anchors();
  const cv::Rect2f& c = input.content;
  const float s = kFaceInputSize;
  // Input pixels to ratios of the image.
  auto to_image = [&](float x, float y) {
    return cv::Point2f((x / s - c.x) / c.width, (y / s - c.y) / c.height);
  };
  std::vector<Face> candidates;
  for (int i = 0; i < kAnchors; ++i) {
    const int part = i < 512 ? 0 : 1;
    const int j = part == 0 ? i : i - 512;
    const float score = Sigmoid(scores[part]->ptr<float>()[j]);
    if (score < options_.min_score) continue;
    const float* r = boxes[part]->ptr<float>() + static_cast<size_t>(j) * kRegressors;
    const float ax = anchors[i].x * s, ay = anchors[i].y * s;
    Face f;
    f.score = score;
    const cv::Point2f centre = to_image(ax + r[0], ay + r[1]);
    const float w = r[2] / s / c.width, h = r[3] / s / c.height;
    f.box = cv::Rect2f(centre.x - w / 2, centre.y - h / 2, w, h);
    for (int k = 0; k < 6; ++k) f.keypoints[k] = to_image(ax + r[4 + 2 * k], ay + r[5 + 2 * k]);
    if (w > 0 && h > 0) candidates.push_back(f);
  }
  return Blend(std::move(candidates), options_.blend_iou, options_.max_faces);
}

Result<std::filesystem::path> FaceModelPath(const std::filesystem::path& explicit_dir) {
  Result<std::filesystem::path> dir = FindModelDir(explicit_dir);
  if (!dir.ok()) return dir.status();
  std::filesystem::path path = *dir / "blazeface.json";
  if (!std::filesystem::exists(path)) {
    return Status::NotFound(path.string() +
                            ": the face model is missing; run scripts/fetch-models.sh (or make "
                            "demo) to fetch it");
  }
  return path;
}

}  // namespace imagemill::vision
