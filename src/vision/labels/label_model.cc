#include "vision/labels/label_model.h"

#include <cstdio>
#include <fstream>
#include <opencv2/core.hpp>

#include "vision/detectors/detector_centernet.h"
#include "vision/detectors/detector_classifier.h"
#include "vision/detectors/detector_coco_classes.h"
#include "vision/detectors/detector_nanodet.h"
#include "vision/detectors/detector_yolo.h"
#include "vision/detectors/model_dir.h"

namespace imagemill::vision {
namespace {

namespace fs = std::filesystem;

constexpr float kMergeIou = 0.5f;
constexpr const char* kKinds = "yolov5, yolov8, nanodet, classifier";

struct BuiltinSpec {
  std::vector<std::string> detectors;  // "nanodet-416", "centernet-512"
  bool mirror = false;
  MergeMode merge = MergeMode::kMean;
  std::string name;
};

Result<BuiltinSpec> ParseBuiltin(const std::string& spec) {
  BuiltinSpec out;
  const std::string usage =
      "; a label model is nanodet[-SIZE] and/or centernet[-SIZE] joined by "
      "'+', optionally with +mirror and +max (e.g. nanodet-320+mirror)";
  size_t start = 0;
  while (start <= spec.size()) {
    size_t plus = spec.find('+', start);
    if (plus == std::string::npos) plus = spec.size();
    const std::string token = spec.substr(start, plus - start);
    start = plus + 1;
    if (token == "mirror") {
      out.mirror = true;
      continue;
    }
    if (token == "max" || token == "mean") {
      out.merge = token == "max" ? MergeMode::kMax : MergeMode::kMean;
      continue;
    }
    std::string family = token;
    int size = 0;
    if (const size_t dash = token.find('-'); dash != std::string::npos) {
      family = token.substr(0, dash);
      const std::string digits = token.substr(dash + 1);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
          digits.size() > 4) {
        return Status::InvalidArgument("label model '" + spec + "': bad size in '" + token + "'" +
                                       usage);
      }
      size = std::stoi(digits);
    }
    if (family != "nanodet" && family != "centernet") {
      return Status::InvalidArgument("label model '" + spec + "': unknown part '" + token + "'" +
                                     usage);
    }
    if (size == 0) size = family == "nanodet" ? 416 : 512;
    if (size % 32 != 0 || size < 64 || size > 1024) {
      return Status::InvalidArgument("label model '" + spec + "': the input size of '" + token +
                                     "' must be a multiple of 32 from 64 to 1024 (try 320 or 416)");
    }
    const std::string canonical = family + "-" + std::to_string(size);
    for (const std::string& d : out.detectors) {
      if (d == canonical) {
        return Status::InvalidArgument("label model '" + spec + "' names " + canonical + " twice");
      }
    }
    out.detectors.push_back(canonical);
  }
  if (out.detectors.empty()) {
    return Status::InvalidArgument("label model '" + spec + "' names no network" + usage);
  }
  for (const std::string& d : out.detectors) out.name += (out.name.empty() ? "" : "+") + d;
  if (out.mirror) out.name += "+mirror";
  if (out.merge == MergeMode::kMax) out.name += "+max";
  return out;
}

int SizeOf(const std::string& detector_spec) {
  return std::stoi(detector_spec.substr(detector_spec.find('-') + 1));
}

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
    Result<BuiltinSpec> spec = ParseBuiltin(options.builtin);
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
    BuiltinSpec spec = ParseBuiltin(options.builtin).value();
    Result<fs::path> dir = FindModelDir(options.models_dir);
    if (!dir.ok()) return dir.status();
    m->models_dir_ = *dir;
    m->detector_specs_ = spec.detectors;
    m->merge_ = spec.merge;
    for (size_t d = 0; d < spec.detectors.size(); ++d) {
      m->passes_.push_back({d, false});
      if (spec.mirror) m->passes_.push_back({d, true});
      m->min_side_ = std::max(m->min_side_, SizeOf(spec.detectors[d]));
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
  m->calibration_ = CalibrationFor(m->name_);
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
      o.input_size = SizeOf(spec);
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
  return inputs;
}

Result<std::unique_ptr<LabelModelRunner>> LabelModel::NewRunner() const {
  Result<std::vector<std::unique_ptr<Detector>>> detectors = MakeDetectors();
  if (!detectors.ok()) return detectors.status();
  return std::unique_ptr<LabelModelRunner>(
      new LabelModelRunner(*this, std::move(detectors).value()));
}

Result<std::vector<FoundObject>> LabelModelRunner::Run(const std::vector<cv::Mat>& inputs) {
  const auto& passes = model_.passes_;
  if (inputs.size() != passes.size()) {
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
  std::vector<FoundObject> out;
  for (const Detection& d : MergePasses(found, kMergeIou, model_.merge_)) {
    if (d.class_index < 0 || static_cast<size_t>(d.class_index) >= model_.class_names_.size()) {
      continue;
    }
    FoundObject f;
    f.class_name = model_.class_names_[d.class_index];
    f.confidence = model_.calibration_.Confidence(d.score);
    f.score = d.score;
    if (d.box.width > 0 && d.box.height > 0) f.box = d.box;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace imagemill::vision
