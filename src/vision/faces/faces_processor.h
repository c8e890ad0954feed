// FacesProcessor: Rekognition's DetectFaces as a processor (`run --processor faces`,
// `imagemill detect-faces`). For each image it answers
//
//   {"FaceDetails": [...]}   (detect_faces_answer.h has the shape and what each member means)
//
// and indexes it under "Face" (with the best face's confidence) when it found any, so that a
// query for Face finds the images with faces.
//
// Stage 1, Prepare, on any thread: decode (a JPEG at reduced scale while its longer side stays
// at least 512), letterbox the network input, and keep a copy whose longer side is at most 512
// to measure each face's Quality on. Stage 2, Process, on the worker that owns the network:
// detect, answer. Failures are those of DecodeImage (vision/decode/image.h), each naming the
// item's key; a forward pass that throws is Internal.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "vision/decode/image.h"
#include "vision/faces/face_detector.h"
#include "workflow/processor.h"

namespace imagemill::vision {

struct FacesProcessorOptions {
  uint64_t max_pixels = kDefaultMaxPixels;  // images over this are TooLarge, undecoded
  std::filesystem::path models_dir;         // empty: found as model_dir.h says
};

class FacesProcessor : public Processor {
 public:
  // Finds the model and loads it once, so that a missing or broken model is a start-up error
  // (NotFound saying to run scripts/fetch-models.sh).
  static Result<std::unique_ptr<FacesProcessor>> Open(const FacesProcessorOptions& options);

  // "faces/blazeface-256".
  static std::string NameFor() { return "faces/" + FaceDetector::Name(); }
  std::string Name() const override { return NameFor(); }
  // "faces": its answers are kept beside the labels of the same object, never replacing them.
  std::string Kind() const override { return "faces"; }

  Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                std::string bytes) const override;
  Result<std::unique_ptr<ProcessorWorker>> NewWorker() const override;

 private:
  FacesProcessor(FacesProcessorOptions options, FaceDetectorOptions detector)
      : options_(std::move(options)), detector_(std::move(detector)) {}
  const FacesProcessorOptions options_;
  const FaceDetectorOptions detector_;
};

}  // namespace imagemill::vision
