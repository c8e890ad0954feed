// The processors an execution can name (`run --processor`). The default is the one a user of the
// seed expects: `labels`, DetectLabels with GENERAL_LABELS and IMAGE_PROPERTIES on the default
// label model. `faces` answers DetectFaces (vision/faces/faces_processor.h), `text` answers
// DetectText (vision/text/text_processor.h); `image-properties` and `none` (the inventory) are the
// others.
//
// An execution stores its processor's name (which changes with every setting that changes the
// answers: incremental runs reuse only results of the same name) and the settings that build it
// again (ExecutionSpec::processor_settings), so that resume and redrive run the same processor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"
#include "vision/labels/labels_processor.h"
#include "vision/text/text_settings.h"
#include "workflow/execution_spec.h"
#include "workflow/processor.h"

namespace imagemill::service {

struct ProcessorSettings {
  std::string name;  // as given to --processor
  uint64_t max_pixels = 100'000'000;
  vision::LabelModelOptions model;  // `labels` only
  vision::LabelSettings labels;     // `labels` only
  // `labels` only: detectors whose findings join the labels (`--extra-labels face`).
  std::vector<std::string> extra_labels;
  vision::TextSettings text;        // `text` only: the DetectText request's Filters
  // `labels` only, not stored: sets of networks shared by all workers (LabelsProcessorOptions::
  // shared_networks); 0, a run's way, loads a set per worker.
  int shared_networks = 0;

  // The settings an execution stores (null for processors that have none).
  nlohmann::json ToJson() const;
  // The settings of a stored execution; InvalidArgument when they cannot be read.
  static Result<ProcessorSettings> FromSpec(const ExecutionSpec& spec);
};

// The processor's Name() for `settings`, without loading any model. InvalidArgument for an
// unknown processor or bad label settings; NotFound for a missing user model file.
Result<std::string> ProcessorName(const ProcessorSettings& settings);
// The processor's Kind() for `settings` ("labels", "inventory", ...), without loading anything.
Result<std::string> ProcessorKind(const ProcessorSettings& settings);

// InvalidArgument, listing the known names, for an unknown one; the label model's errors
// (NotFound saying to run scripts/fetch-models.sh) for `labels`, the text detector's and
// Tesseract's for `text`.
Result<std::unique_ptr<Processor>> MakeProcessor(const ProcessorSettings& settings);
std::vector<std::string> ProcessorNames();
std::string DefaultProcessorName();
// The names --extra-labels accepts ("face", "text").
std::vector<std::string> ExtraLabelNames();
// The label sources settings.extra_labels names, opened (`open`: their models load, a missing
// one is NotFound saying what to do) or for their names only. InvalidArgument, listing the known
// names, for an unknown one.
Result<std::vector<std::shared_ptr<const vision::LabelSource>>> LabelSources(
    const ProcessorSettings& settings, bool open);

// One image's answer from `processor` on `worker` (Prepare then Process): what `detect-labels`,
// `detect-faces` and the server's DetectLabels and DetectFaces give for an image's bytes.
Result<Answer> AnswerOneImage(const Processor& processor, ProcessorWorker& worker,
                              const std::string& name, std::string bytes);

}  // namespace imagemill::service
