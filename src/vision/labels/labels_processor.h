// LabelsProcessor: the default processor, Rekognition's DetectLabels with Features
// [GENERAL_LABELS, IMAGE_PROPERTIES] on a pretrained model. For each image it answers
//
//   {"Labels": [...], "LabelModelVersion": "nanodet-416", "ImageProperties": {...}}
//
// (detect_labels_answer.h has the shape and rules). Stage 1, Prepare, on any thread: decode (a
// JPEG at reduced scale only while both sides stay at least the network input, and the longer at
// least the properties' working size), then build the network input of every pass and the
// properties' working copy; the prepared item holds no encoded bytes and no full-size pixels.
// Stage 2, Process, on the worker that owns the networks: run them, merge and calibrate
// (label_model.h), answer.
//
// Failures are those of DecodeImage (vision/decode/image.h): NotAnImage (skipped), Unsupported, Corrupt,
// TooLarge, each naming the item's key; a forward pass that throws is Internal.
#pragma once

#include <memory>
#include <string>

#include "util/borrow_pool.h"

#include "vision/decode/image.h"
#include "vision/labels/label_model.h"
#include "vision/labels/label_settings.h"
#include "vision/labels/label_source.h"
#include "workflow/processor.h"

namespace imagemill::vision {

struct LabelsProcessorOptions {
  uint64_t max_pixels = kDefaultMaxPixels;  // images over this are TooLarge, undecoded
  LabelModelOptions model;
  LabelSettings settings;
  // Detectors whose findings join the labels (label_source.h), e.g. faces; none by default.
  std::vector<std::shared_ptr<const LabelSource>> sources;
  // 0: every worker (NewWorker, NewRequestWorker) loads networks of its own. N > 0: the processor
  // keeps at most N sets of networks and lends one to a worker for each image (waiting while all
  // N are busy), so that many workers — a server's executions and its DetectLabels requests —
  // share N sets however many there are.
  int shared_networks = 0;
};

class LabelsProcessor : public Processor {
 public:
  // Opens the model (every network loads once here: a missing or broken model is a start-up
  // error, NotFound saying to run scripts/fetch-models.sh) and validates the settings.
  static Result<std::unique_ptr<LabelsProcessor>> Open(const LabelsProcessorOptions& options);

  // The processor's name for `options` without loading anything: "labels/<model>" followed by
  // "/<settings id>" when the settings are not the defaults, e.g. "labels/nanodet-416",
  // "labels/nanodet-320+mirror/c80-n5", with "+<source>" after the model for each label source
  // ("labels/nanodet-320+face"). Results made under another name are not reused by incremental
  // runs.
  static Result<std::string> NameFor(const LabelsProcessorOptions& options);

  std::string Name() const override { return name_; }
  std::string Kind() const override { return "labels"; }

  // Thread-safe.
  Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                std::string bytes) const override;

  // Loads a fresh set of networks for one worker, or with shared_networks a worker that borrows a
  // set for each image. Thread-safe.
  Result<std::unique_ptr<ProcessorWorker>> NewWorker() const override;

  // For answering DetectLabels requests, each with its own settings, on the networks this
  // processor loaded: Prepare and Answer as the processor's own Prepare and worker's Process
  // would with `settings` in place of options().settings, so a request gets the same answer as
  // a run (or `detect-labels`) with those settings. Thread-safe.
  Result<std::unique_ptr<PreparedItem>> PrepareWith(const ObjectInfo& item, std::string bytes,
                                                    const LabelSettings& settings) const;
  class RequestWorker {
   public:
    virtual ~RequestWorker() = default;
    // REQUIRES: `prepared` came from PrepareWith with the same `settings`. One thread at a time.
    virtual Result<nlohmann::json> Respond(const ObjectInfo& item, PreparedItem& prepared,
                                           const LabelSettings& settings) = 0;
  };
  Result<std::unique_ptr<RequestWorker>> NewRequestWorker() const;

  // Sets of networks loaded so far for shared_networks (0 without it).
  int SharedNetworksLoaded() const { return pool_ ? pool_->made() : 0; }

  const LabelModel& model() const { return *model_; }
  const LabelsProcessorOptions& options() const { return options_; }

 private:
  LabelsProcessor(LabelsProcessorOptions options, std::unique_ptr<LabelModel> model,
                  std::string name);

  const LabelsProcessorOptions options_;
  const std::unique_ptr<LabelModel> model_;
  const std::string name_;
  // With shared_networks: the sets of networks lent to workers. Null otherwise.
  std::unique_ptr<BorrowPool<RequestWorker>> pool_;
};

}  // namespace imagemill::vision
