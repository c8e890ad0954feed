#include "cli/label_flags.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service/processors.h"

namespace imagemill::cli {
namespace {

std::string Absolute(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

// --settings: inline JSON when it starts with '{', else a file holding it.
Result<nlohmann::json> ReadSettings(const std::string& value) {
  std::string text = value;
  const size_t first = value.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || value[first] != '{') {
    std::ifstream in(value);
    if (!in) {
      return Status::InvalidArgument("--settings " + value +
                                     ": neither JSON nor a readable file holding it");
    }
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument("--settings is not valid JSON: " + std::string(e.what()));
  }
}

}  // namespace

void LabelFlags::Add(CLI::App& cmd) {
  options_.push_back(
      label_model_option_ = cmd.add_option("--label-model", label_model,
                     "Built-in label model: nanodet[-SIZE] and/or centernet[-SIZE] joined by '+', "
                     "optionally +mirror, +max (docs/labels.md)")
          ->capture_default_str());
  cmd.add_option(
      "--models-dir", models_dir,
      "Directory of the pretrained models (default: $IMAGEMILL_MODELS, then the project cache)");
  options_.push_back(cmd.add_option("--model", model_file, "Your own ONNX model instead"));
  options_.push_back(cmd.add_option("--model-kind", model_kind, "Kind of --model")
                         ->check(CLI::IsMember({"yolov5", "yolov8", "nanodet", "classifier"})));
  options_.push_back(
      cmd.add_option("--labels", labels_file, "Class names of --model, one per line"));
  options_.push_back(cmd.add_option("--model-input-size", model_input_size,
                                    "Input size of --model when its file leaves it open"));
  options_.push_back(cmd.add_option(
      "--settings", settings,
      "DetectLabels request JSON (inline or a file): MinConfidence, MaxLabels, Features, "
      "Settings.GeneralLabels filters, Settings.ImageProperties.MaxDominantColors"));
  options_.push_back(cmd.add_option(
      "--min-confidence", min_confidence,
      "MinConfidence, 0-100 (default 80: the balance point; 90: labels right 9 times in 10)"));
  options_.push_back(cmd.add_option("--max-labels", max_labels, "MaxLabels (default 1000)"));
  options_.push_back(
      cmd.add_option("--features", features,
                     "GENERAL_LABELS, IMAGE_PROPERTIES or both, comma-separated (default both)"));
  options_.push_back(
      cmd.add_option("--extra-labels", extra_labels,
                     "Also label with these detectors: face (a 'Face' label from the face "
                     "detector, parents Head and Person; docs/faces.md), text (a 'Text' label "
                     "where words are read, at DetectText's cost; docs/text.md); off by default")
          ->delimiter(',')
          ->check(CLI::IsMember(service::ExtraLabelNames())));
}

std::string LabelFlags::ModelsDir() const { return Absolute(models_dir); }

bool LabelFlags::AnyGiven() const {
  for (const CLI::Option* o : options_) {
    if (o->count() > 0) return true;
  }
  return false;
}

Status LabelFlags::Resolve(vision::LabelModelOptions& model,
                           vision::LabelSettings& settings) const {
  model = vision::LabelModelOptions();
  model.builtin = label_model;
  model.models_dir = Absolute(models_dir);
  if (!model_file.empty()) {
    if (label_model_option_ != nullptr && label_model_option_->count() > 0) {
      return Status::InvalidArgument("give --label-model or --model, not both");
    }
    if (model_kind.empty()) {
      return Status::InvalidArgument(
          "--model needs --model-kind (yolov5, yolov8, nanodet or classifier)");
    }
    if (labels_file.empty()) {
      return Status::InvalidArgument("--model needs --labels FILE: its class names, one per line");
    }
    model.model_file = Absolute(model_file);
    model.model_kind = model_kind;
    model.labels_file = Absolute(labels_file);
    model.input_size = model_input_size;
  } else if (!model_kind.empty() || !labels_file.empty() || model_input_size != 0) {
    return Status::InvalidArgument(
        "--model-kind, --labels and --model-input-size describe --model; give --model too");
  }
  settings = vision::LabelSettings();
  if (!this->settings.empty()) {
    Result<nlohmann::json> doc = ReadSettings(this->settings);
    if (!doc.ok()) return doc.status();
    if (Status s = settings.MergeJson(*doc); !s.ok()) {
      return Status::InvalidArgument("--settings: " + s.message());
    }
  }
  if (min_confidence) settings.min_confidence = *min_confidence;
  if (max_labels) settings.max_labels = *max_labels;
  if (!features.empty()) {
    if (Status s = vision::ParseFeatures(features, settings); !s.ok()) {
      return Status::InvalidArgument("--features: " + s.message());
    }
  }
  if (Status s = settings.Validate(); !s.ok()) return s;
  return Status::Ok();
}

}  // namespace imagemill::cli
