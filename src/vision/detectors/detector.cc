#include "vision/detectors/detector.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace imagemill::vision {

Result<std::vector<Detection>> Detector::Detect(const cv::Mat& bgr) {
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    return Status::InvalidArgument(Name() + ": needs a non-empty 8-bit BGR image");
  }
  return DetectInput(MakeInput(bgr));
}

std::filesystem::path DefaultModelDir() {
  if (const char* dir = std::getenv("IMAGEMILL_MODELS"); dir != nullptr && *dir != '\0') return dir;
  std::filesystem::path cache = ".cache";
  if (const char* c = std::getenv("IMAGEMILL_CACHE"); c != nullptr && *c != '\0') cache = c;
  return cache / "models" / "human-models-3.0.4";
}

std::vector<Detection> SuppressNonMaxima(std::vector<Detection> candidates, float iou,
                                         int max_count) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (const auto& c : candidates) {
    if (static_cast<int>(kept.size()) >= max_count) break;
    bool suppressed = false;
    for (const auto& k : kept) {
      if (k.class_index != c.class_index) continue;
      const float inter = (k.box & c.box).area();
      const float uni = k.box.area() + c.box.area() - inter;
      if (uni > 0 && inter / uni > iou) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push_back(c);
  }
  return kept;
}

Result<std::vector<cv::Mat>> RunNet(cv::dnn::Net& net, const cv::Mat& input,
                                    const std::vector<std::string>& outputs,
                                    const std::string& who) {
  std::vector<cv::Mat> outs;
  try {
    net.setInput(input);
    if (outputs.empty()) {
      outs.push_back(net.forward());
    } else {
      net.forward(outs, outputs);
    }
  } catch (const cv::Exception& e) {
    return Status::Internal(who + ": forward pass failed: " + e.what());
  }
  return outs;
}

Result<UserNet> LoadUserNet(const DetectorOptions& options, int classes, int default_size) {
  if (!std::filesystem::exists(options.model)) {
    return Status::NotFound(options.model.string() + ": no such model file");
  }
  if (classes < 1) return Status::InvalidArgument(options.model.string() + ": no class names");
  auto net = model::LoadNet(options.model);
  if (!net.ok()) return net.status();
  UserNet out{std::move(net).value(), options.input_size, options.input_size};
  const auto& inputs = out.net.inputs;
  if (out.width <= 0 && !inputs.empty() && inputs[0].shape.size() == 4 && inputs[0].shape[2] > 0 &&
      inputs[0].shape[3] > 0) {
    out.height = static_cast<int>(inputs[0].shape[2]);
    out.width = static_cast<int>(inputs[0].shape[3]);
  }
  if (out.width <= 0) out.width = out.height = default_size;
  return out;
}

}  // namespace imagemill::vision
