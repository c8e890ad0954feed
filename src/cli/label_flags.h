// Flags that choose the label model and shape the DetectLabels answer, shared by `run`,
// `detect-labels` and `serve`:
//
//   --label-model nanodet-320        a built-in model (vision/labels/label_model.h)
//   --models-dir DIR                 where the built-in models are (vision/detectors/model_dir.h)
//   --model F.onnx --model-kind K --labels F [--model-input-size N]   a user's model
//   --settings JSON|FILE             a DetectLabels request: MinConfidence, MaxLabels, Features,
//                                    Settings.GeneralLabels filters, Settings.ImageProperties
//   --min-confidence C --max-labels N --features GENERAL_LABELS,IMAGE_PROPERTIES
//                                    the same, as flags; they override --settings
//   --extra-labels face,text         detectors whose findings join the labels ("Face", "Text")
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "util/status.h"
#include "vision/labels/label_model.h"
#include "vision/labels/label_settings.h"

namespace imagemill::cli {

struct LabelFlags {
  std::string label_model = vision::kDefaultLabelModel;
  std::string models_dir;
  std::string model_file;
  std::string model_kind;
  std::string labels_file;
  int model_input_size = 0;
  std::string settings;  // inline JSON or a file's path
  std::optional<double> min_confidence;
  std::optional<int> max_labels;
  std::string features;
  std::vector<std::string> extra_labels;  // service::ExtraLabelNames()

  void Add(CLI::App& cmd);
  // Whether any flag that shapes the labels was given (REQUIRES: parsed). --models-dir is not
  // one: it also says where the face model is.
  bool AnyGiven() const;
  // --models-dir made absolute; empty when not given.
  std::string ModelsDir() const;
  // The model options and answer settings the flags ask for, paths made absolute.
  // InvalidArgument naming the flag for a bad value or an unreadable --settings.
  Status Resolve(vision::LabelModelOptions& model, vision::LabelSettings& settings) const;

 private:
  std::vector<CLI::Option*> options_;
  CLI::Option* label_model_option_ = nullptr;
};

}  // namespace imagemill::cli
