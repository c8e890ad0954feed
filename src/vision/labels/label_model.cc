#include "vision/labels/label_model.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <opencv2/core.hpp>

#include "vision/detectors/detector_centernet.h"
#include "vision/detectors/detector_classifier.h"
#include "vision/detectors/detector_coco_classes.h"
#include "vision/detectors/detector_nanodet.h"
#include "vision/detectors/detector_yolo.h"
#include "vision/detectors/model_dir.h"
#include "vision/labels/builtin_spec.h"
#include "vision/labels/label_score.h"

namespace imagemill::vision {
namespace {

namespace fs = std::filesystem;

constexpr float kMergeIou = 0.5f;
constexpr const char* kKinds = "yolov5, yolov8, nanodet, classifier";

// FNV-1a over the bytes of `files`; NotFound naming a missing one.
Result<uint32_t> HashFiles(const std::vector<fs::path>& files) {
  uint32_t h = 2166136261u;
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return Status::NotFound(f.string() + ": no such file (or it cannot be read)");
    char buf[1 << 16];
    while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
      for (std::streamsize i = 0; i < in.gcount(); ++i) {
        h = (h ^ static_cast<unsigned char>(buf[i])) * 16777619u;
      }
    }
  }
  return h;
}

Result<std::vector<std::string>> ReadClassNames(const fs::path& file) {
  std::ifstream in(file);
  if (!in) {
    return Status::NotFound(file.string() +
                            ": no such class-name file (--labels: one class name per line)");
  }
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  if (names.empty()) return Status::InvalidArgument(file.string() + ": holds no class names");
  return names;
}

bool IsKnownKind(const std::string& kind) {
  return kind == "yolov5" || kind == "yolov8" || kind == "nanodet" || kind == "classifier";
}

}  // namespace

LabelModel::~LabelModel() = default;

Result<std::string> LabelModel::NameFor(const LabelModelOptions& options) {
  if (options.model_file.empty()) {
    Result<BuiltinSpec> spec = ParseBuiltinSpec(options.builtin);
    if (!spec.ok()) return spec.status();
    return spec->name;
  }
  if (!IsKnownKind(options.model_kind)) {
    return Status::InvalidArgument("--model-kind '" + options.model_kind + "' is not one of " +
                                   kKinds);
  }
  if (options.labels_file.empty()) {
    return Status::InvalidArgument("--model needs --labels FILE: the class names, one per line");
  }
  Result<uint32_t> hash = HashFiles({options.model_file, options.labels_file});
  if (!hash.ok()) return hash.status();
  char hex[16];
  std::snprintf(hex, sizeof(hex), "%08x", *hash);
  return options.model_kind +
         (options.input_size > 0 ? "-" + std::to_string(options.input_size) : "") + ":" +
         options.model_file.filename().string() + "@" + hex;
}

Result<std::unique_ptr<LabelModel>> LabelModel::Open(const LabelModelOptions& options) {
  Result<std::string> name = NameFor(options);
  if (!name.ok()) return name.status();
  std::unique_ptr<LabelModel> m(new LabelModel());
  m->options_ = options;
  m->name_ = *name;
  if (options.model_file.empty()) {
    BuiltinSpec spec = ParseBuiltinSpec(options.builtin).value();
    Result<fs::path> dir = FindModelDir(options.models_dir);
    if (!dir.ok()) return dir.status();
    m->models_dir_ = *dir;
    m->detector_specs_ = spec.detectors;
    m->merge_ = spec.merge;
    m->calibration_ = CalibrationFor(spec.base);
    m->suppression_ = kBuiltinSuppression;
    for (size_t d = 0; d < spec.detectors.size(); ++d) {
      m->passes_.push_back({d, false});
      if (spec.mirror) m->passes_.push_back({d, true});
      m->min_side_ = std::max(m->min_side_, InputSizeOf(spec.detectors[d]));
    }
    if (!spec.second.empty()) {
      m->second_ = m->detector_specs_.size();
      m->detector_specs_.push_back(spec.second);
      m->min_side_ = std::max(m->min_side_, InputSizeOf(spec.second));
    }
    for (int c = 0; c < kCocoClassCount; ++c) m->class_names_.emplace_back(CocoClassName(c));
  } else {
    Result<std::vector<std::string>> names = ReadClassNames(options.labels_file);
    if (!names.ok()) return names.status();
    m->class_names_ = std::move(names).value();
    if (options.model_kind == "nanodet" &&
        m->class_names_.size() != static_cast<size_t>(kCocoClassCount)) {
      return Status::InvalidArgument(options.labels_file.string() + ": a nanodet model has " +
                                     std::to_string(kCocoClassCount) + " classes, the file names " +
                                     std::to_string(m->class_names_.size()));
    }
    m->detector_specs_ = {options.model_kind};
    m->passes_.push_back({0, false});
    m->min_side_ = options.input_size;
  }
  Result<std::vector<std::unique_ptr<Detector>>> prototypes = m->MakeDetectors();
  if (!prototypes.ok()) return prototypes.status();
  m->prototypes_ = std::move(prototypes).value();
  if (m->min_side_ == 0) {
    const Detector* d = m->prototypes_[0].get();
    if (const auto* y = dynamic_cast<const YoloDetector*>(d)) m->min_side_ = y->input_side();
    if (const auto* c = dynamic_cast<const ClassifierDetector*>(d)) m->min_side_ = c->input_side();
    if (options.model_kind == "nanodet") m->min_side_ = 416;
  }
  return m;
}

Result<std::vector<std::unique_ptr<Detector>>> LabelModel::MakeDetectors() const {
  std::vector<std::unique_ptr<Detector>> out;
  for (const std::string& spec : detector_specs_) {
    DetectorOptions o;
    o.score_threshold = kCandidateScore;
    Result<std::unique_ptr<Detector>> d = Status::Internal("unreachable");
    if (options_.model_file.empty()) {
      o.input_size = InputSizeOf(spec);
      const bool nanodet = spec.starts_with("nanodet");
      o.model = models_dir_ / (nanodet ? "nanodet.json" : "centernet.json");
      if (!fs::exists(o.model)) {
        return Status::NotFound(o.model.string() +
                                ": model file missing; run scripts/fetch-models.sh (or `make "
                                "demo`) to fetch the pretrained models");
      }
      d = nanodet ? MakeNanoDetDetector(o) : MakeCenterNetDetector(o);
    } else {
      o.model = options_.model_file;
      o.input_size = options_.input_size;
      const int classes = static_cast<int>(class_names_.size());
      if (!fs::exists(o.model)) return Status::NotFound(o.model.string() + ": no such model file");
      if (spec == "yolov5" || spec == "yolov8") {
        d = MakeYoloDetector(o, spec == "yolov5" ? YoloVersion::kV5 : YoloVersion::kV8, classes);
      } else if (spec == "classifier") {
        d = MakeClassifierDetector(o, classes);
      } else {
        d = MakeNanoDetDetector(o);
      }
    }
    if (!d.ok()) return d.status();
    out.push_back(std::move(d).value());
  }
  return out;
}

std::vector<cv::Mat> LabelModel::MakeInputs(const cv::Mat& bgr) const {
  std::vector<cv::Mat> inputs;
  cv::Mat mirrored;
  for (const Pass& p : passes_) {
    if (p.mirrored && mirrored.empty()) cv::flip(bgr, mirrored, 1);
    inputs.push_back(prototypes_[p.detector]->MakeInput(p.mirrored ? mirrored : bgr));
  }
  if (second_) inputs.push_back(prototypes_[*second_]->MakeInput(bgr));
  return inputs;
}

Result<std::unique_ptr<LabelModelRunner>> LabelModel::NewRunner() const {
  Result<std::vector<std::unique_ptr<Detector>>> detectors = MakeDetectors();
  if (!detectors.ok()) return detectors.status();
  return std::unique_ptr<LabelModelRunner>(
      new LabelModelRunner(*this, std::move(detectors).value()));
}

Result<std::vector<Detection>> LabelModelRunner::RunMerged(const std::vector<cv::Mat>& inputs) {
  const auto& passes = model_.passes_;
  if (inputs.size() != passes.size() + (model_.second_ ? 1 : 0)) {
    return Status::Internal(model_.name_ + ": given " + std::to_string(inputs.size()) +
                            " inputs for " + std::to_string(passes.size()) + " passes");
  }
  std::vector<std::vector<Detection>> found(passes.size());
  for (size_t i = 0; i < passes.size(); ++i) {
    Result<std::vector<Detection>> d = detectors_[passes[i].detector]->DetectInput(inputs[i]);
    if (!d.ok()) return d.status();
    found[i] = std::move(d).value();
    if (passes[i].mirrored) {
      for (Detection& det : found[i]) {
        if (det.box.width > 0) det.box = MirrorBox(det.box);
      }
    }
  }
  return MergePasses(found, kMergeIou, model_.merge_);
}

Result<std::vector<FoundObject>> LabelModelRunner::Run(const std::vector<cv::Mat>& inputs) {
  Result<std::vector<Detection>> merged = RunMerged(inputs);
  if (!merged.ok()) return merged.status();
  std::vector<Detection> kept =
      SuppressAcrossClasses(std::move(merged).value(), model_.suppression_);
  if (model_.second_ && NeedsSecondOpinion(kept, kSecondOpinionBand)) {
    Result<std::vector<Detection>> second = detectors_[*model_.second_]->DetectInput(inputs.back());
    if (!second.ok()) return second.status();
    ApplySecondOpinion(kept, SuppressAcrossClasses(std::move(second).value(), model_.suppression_),
                       kSecondOpinionBand, kSecondOpinionFirstWeight);
  }
  return model_.Named(kept);
}

std::vector<FoundObject> LabelModel::Finish(std::vector<Detection> merged) const {
  return Named(SuppressAcrossClasses(std::move(merged), suppression_));
}

std::vector<FoundObject> LabelModel::Named(const std::vector<Detection>& detections) const {
  std::map<int, float> label_scores;
  if (calibration_.label_from) label_scores = LabelScores(detections, *calibration_.label_from);
  std::vector<FoundObject> out;
  for (const Detection& d : detections) {
    if (d.class_index < 0 || static_cast<size_t>(d.class_index) >= class_names_.size()) continue;
    FoundObject f;
    f.class_name = class_names_[d.class_index];
    f.confidence = calibration_.Confidence(d.score);
    if (calibration_.label_from) {
      f.label_confidence = calibration_.Confidence(label_scores.at(d.class_index));
    }
    f.score = d.score;
    if (d.box.width > 0 && d.box.height > 0) f.box = d.box;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace imagemill::vision
