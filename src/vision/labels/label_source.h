// LabelSource: a detector beside the label model whose findings join the DetectLabels answer, as
// Rekognition's DetectLabels answers "Face" and "Text" among the objects (vision/faces/,
// vision/text/). A LabelsProcessor runs each source it is given on every image, after the label
// model, and merges their FoundObjects into one answer (same MinConfidence, filters and
// MaxLabels). A source is off unless asked for, so it costs nothing otherwise.
//
// Thread safety: the source is immutable and shared; Prepare runs on any thread (the decoding
// stage); each worker takes its own LabelSourceRunner and uses it from one thread at a time.
#pragma once

#include <any>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "util/status.h"
#include "vision/labels/detect_labels_answer.h"

namespace imagemill::vision {

class LabelSourceRunner {
 public:
  virtual ~LabelSourceRunner() = default;
  // What the source found in the image `prepared` was made from: confidences 0..100, boxes as
  // ratios of the image as displayed, FoundObject::taxon set when the class is not COCO's.
  virtual Result<std::vector<FoundObject>> Run(const std::any& prepared) = 0;
};

class LabelSource {
 public:
  virtual ~LabelSource() = default;
  // A short stable id, part of the processor's name ("face").
  virtual std::string Name() const = 0;
  // The longer side the decoded image must keep for this source (a JPEG is decoded at reduced
  // scale no further); 0: whatever the label model needs is enough.
  virtual int MinLongSide() const { return 0; }
  // What the runner needs from the image (`bgr`: CV_8UC3, as displayed, possibly reduced).
  virtual std::any Prepare(const cv::Mat& bgr) const = 0;
  // One worker's state (a network). May fail like a model that does not load.
  virtual Result<std::unique_ptr<LabelSourceRunner>> NewRunner() const = 0;
};

}  // namespace imagemill::vision
