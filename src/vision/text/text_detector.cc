#include "vision/text/text_detector.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <system_error>

#include "model/clip_attributes.h"
#include "model/deconv_layer.h"
#include "model/net_loader.h"
#include "model/sigmoid_layer.h"
#include "model/winograd_conv.h"
#include "vision/detectors/model_dir.h"
#include "vision/text/db_postprocess.h"

namespace imagemill::vision {
namespace {

namespace fs = std::filesystem;

// PaddleOCR's normalisation for its detection networks (BGR order, as OpenCV decodes).
const cv::Scalar kTextMean(0.485 * 255, 0.456 * 255, 0.406 * 255);
const cv::Scalar kStd(0.229 * 255, 0.224 * 255, 0.225 * 255);

int RoundTo32(double side) { return std::max(32, static_cast<int>(std::lround(side / 32)) * 32); }

class NetRunner : public TextDetectorRunner {
 public:
  NetRunner(cv::dnn::Net net, const TextDetectorOptions& options) : net_(std::move(net)) {
    db_.threshold = options.threshold;
    db_.box_threshold = options.box_threshold;
    db_.unclip_ratio = options.unclip_ratio;
  }

  Result<std::vector<TextBox>> Detect(const TextDetectorInput& input) override {
    const cv::Mat& image = input.image;
    if (image.empty() || image.type() != CV_32FC3 || image.cols % 32 != 0 || image.rows % 32 != 0) {
      return Status::InvalidArgument("text detector: the input was not made by MakeInput");
    }
    cv::Mat map;
    try {
      net_.setInput(cv::dnn::blobFromImage(image));
      cv::Mat out = net_.forward();
      if (out.dims != 4 || out.size[0] != 1 || out.size[1] != 1) {
        return Status::Internal("text detector: the network's output is not a 1x1xHxW map");
      }
      map = cv::Mat(out.size[2], out.size[3], CV_32FC1, out.ptr<float>()).clone();
    } catch (const cv::Exception& e) {
      return Status::Internal(std::string("text detector: OpenCV failed: ") + e.what());
    }
    std::vector<TextBox> boxes;
    const float sx = 1.0f / static_cast<float>(map.cols);
    const float sy = 1.0f / static_cast<float>(map.rows);
    for (const DbRegion& r : FindTextRegions(map, db_)) {
      TextBox box;
      box.corners = ReadingOrderCorners(r.rect);
      for (cv::Point2f& p : box.corners) {
        p = {std::clamp(p.x * sx, 0.0f, 1.0f), std::clamp(p.y * sy, 0.0f, 1.0f)};
      }
      box.score = r.score;
      boxes.push_back(box);
    }
    std::sort(boxes.begin(), boxes.end(), [](const TextBox& a, const TextBox& b) {
      return std::min(a.corners[0].y, a.corners[1].y) < std::min(b.corners[0].y, b.corners[1].y);
    });
    return boxes;
  }

 private:
  cv::dnn::Net net_;
  DbOptions db_;
};

Result<std::string> ReadModel(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path.string() + ": cannot read the text detection model");
  std::stringstream bytes;
  bytes << in.rdbuf();
  onnx::ModelProto proto;
  if (!proto.ParseFromString(bytes.str())) {
    return Status::Corrupt(path.string() +
                           ": not an ONNX model (delete it and run scripts/fetch-models.sh again)");
  }
  Result<int> clips = model::ClipInputsToAttributes(proto);
  if (!clips.ok())
    return Status(clips.status().code(), path.string() + ": " + clips.status().message());
  // The input's size changes from image to image (model/deconv_layer.h says why this matters).
  if (model::UseBlockDeconvs(proto) > 0) model::RegisterBlockDeconvLayer();
  if (model::WinogradEnabled() &&
      model::UseWinogradConvs(proto) + model::UseGemmConvs(proto) + model::UseFastSigmoids(proto) >
          0) {
    model::RegisterWinogradConvLayer();
    model::RegisterSigmoidLayer();
  }
  return proto.SerializeAsString();
}

}  // namespace

std::array<cv::Point2f, 4> ReadingOrderCorners(const cv::RotatedRect& rect) {
  cv::Point2f p[4];
  rect.points(p);
  cv::Point2f a = p[1] - p[0], b = p[2] - p[1];
  const float la = std::hypot(a.x, a.y), lb = std::hypot(b.x, b.y);
  // The reading direction: the side nearer the horizontal, unless the other is much longer
  // (a line of text that stands upright).
  const bool a_flatter = std::abs(a.x) * lb >= std::abs(b.x) * la;
  cv::Point2f u = a_flatter ? a : b, v = a_flatter ? b : a;
  float lu = a_flatter ? la : lb, lv = a_flatter ? lb : la;
  if (lv >= 1.5f * lu) std::swap(u, v), std::swap(lu, lv);
  if (lu == 0) return {p[0], p[0], p[0], p[0]};
  u /= lu;
  // Left to right; an upright line reads top to bottom.
  if (u.x < 0 || (std::abs(u.x) < 1e-6f && u.y < 0)) u = -u;
  const cv::Point2f down(-u.y, u.x);
  const cv::Point2f half_u = u * (lu / 2), half_v = down * (lv / 2);
  const cv::Point2f c = rect.center;
  return {c - half_u - half_v, c + half_u - half_v, c + half_u + half_v, c - half_u + half_v};
}

Result<fs::path> FindTextModel(const TextDetectorOptions& options) {
  std::error_code ec;
  if (!options.model.empty()) {
    if (fs::is_regular_file(options.model, ec)) return options.model;
    return Status::NotFound(options.model.string() + ": no such text detection model file");
  }
  std::string looked;
  for (const fs::path& dir : ModelDirCandidates(options.models_dir)) {
    for (const fs::path& candidate :
         {dir / kTextModelFile, dir.parent_path() / kTextModelPackageDir / kTextModelFile}) {
      if (fs::is_regular_file(candidate, ec)) return fs::absolute(candidate, ec);
      looked += (looked.empty() ? "" : ", ") + candidate.parent_path().string();
    }
  }
  return Status::NotFound("the text detection model " + std::string(kTextModelFile) +
                          " is not installed (looked in " + looked +
                          "); run scripts/fetch-models.sh (or `make demo`) once to fetch it");
}

TextDetector::TextDetector(TextDetectorOptions options, std::string onnx)
    : options_(std::move(options)), onnx_(std::move(onnx)) {}

TextDetector::~TextDetector() = default;

Result<std::unique_ptr<TextDetector>> TextDetector::Open(const TextDetectorOptions& options) {
  if (options.max_side < 32 || options.max_side > 4096) {
    return Status::InvalidArgument(
        "the text detector's input side must be 32 to 4096 pixels, not " +
        std::to_string(options.max_side));
  }
  Result<fs::path> path = FindTextModel(options);
  if (!path.ok()) return path.status();
  Result<std::string> onnx = ReadModel(*path);
  if (!onnx.ok()) return onnx.status();
  auto detector = std::unique_ptr<TextDetector>(new TextDetector(options, std::move(onnx).value()));
  // Load once here, so that a model OpenCV cannot run is a start-up error.
  if (Result<cv::dnn::Net> net = model::NetFromOnnx(detector->onnx_, path->string()); !net.ok()) {
    return net.status();
  }
  return detector;
}

std::string TextDetector::Name() const {
  const int side = RoundTo32(options_.max_side);
  return side == 960 ? "pp-ocrv4-det" : "pp-ocrv4-det-" + std::to_string(side);
}

TextDetectorInput TextDetector::MakeInput(const cv::Mat& bgr) const {
  CV_Assert(!bgr.empty() && bgr.type() == CV_8UC3);
  const double scale =
      std::min(1.0, static_cast<double>(options_.max_side) / std::max(bgr.cols, bgr.rows));
  const cv::Size size(RoundTo32(bgr.cols * scale), RoundTo32(bgr.rows * scale));
  cv::Mat resized;
  if (size == bgr.size()) {
    resized = bgr;
  } else {
    cv::resize(bgr, resized, size, 0, 0, size.width < bgr.cols ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  TextDetectorInput input;
  resized.convertTo(input.image, CV_32FC3);
  cv::subtract(input.image, kTextMean, input.image);
  cv::divide(input.image, kStd, input.image);
  return input;
}

Result<std::unique_ptr<TextDetectorRunner>> TextDetector::NewRunner() const {
  Result<cv::dnn::Net> net = model::NetFromOnnx(onnx_, "the text detection model");
  if (!net.ok()) return net.status();
  return std::unique_ptr<TextDetectorRunner>(std::make_unique<NetRunner>(*net, options_));
}

}  // namespace imagemill::vision
