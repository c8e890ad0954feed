// The processor the engine ships first: Rekognition's DetectLabels with Features
// [IMAGE_PROPERTIES] and no label model. For each image it answers
//
//   {"Labels": [], "ImageProperties": {"Quality": {...}, "DominantColors": [...]}}
//
// (no LabelModelVersion: no label model ran). Stage 1, Prepare, sniffs and decodes the bytes
// (JPEG at reduced scale, down to a longer side of kAnalysisLongSide) and shrinks the pixels to
// the properties' working size, so a prepared item waiting in a queue holds at most 512 x 512
// pixels and no encoded bytes. Stage 2, Process, computes the properties.
//
// Failures are those of DecodeImage (vision/decode/image.h): NotAnImage (skipped), Unsupported, Corrupt,
// TooLarge, each naming the item's key.
#pragma once

#include <memory>
#include <string>

#include "vision/decode/image.h"
#include "vision/properties/image_properties.h"
#include "workflow/processor.h"

namespace imagemill::vision {

struct ImagePropertiesProcessorOptions {
  uint64_t max_pixels = kDefaultMaxPixels;  // images over this are TooLarge, undecoded
  ImagePropertiesOptions properties;        // MaxDominantColors
};

class ImagePropertiesProcessor : public Processor {
 public:
  explicit ImagePropertiesProcessor(ImagePropertiesProcessorOptions options = {});

  // "image-properties", or "image-properties/colors-N" when MaxDominantColors is not 10.
  std::string Name() const override;
  // A DetectLabels answer with IMAGE_PROPERTIES only: it takes the place of a labels answer.
  std::string Kind() const override { return "labels"; }

  // Thread-safe.
  Result<std::unique_ptr<PreparedItem>> Prepare(const ObjectInfo& item,
                                                std::string bytes) const override;

  // Workers hold no state of their own; never fails.
  Result<std::unique_ptr<ProcessorWorker>> NewWorker() const override;

 private:
  const ImagePropertiesProcessorOptions options_;
};

}  // namespace imagemill::vision
