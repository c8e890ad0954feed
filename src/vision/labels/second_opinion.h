// A second opinion, only when the first model is unsure: the first network runs on every image;
// when it gives some class a score in an uncertain band, a second network runs on the same image
// and each such class scores a weighted mean of the two networks' best scores for it (0 for a
// network that does not find it). Classes the first network is sure of, or dismisses, keep their
// score, so the second network's cost is paid only on the images that need it. Measured on the
// labelled photo set (docs/labels.md): an uncertain label the second model does not see is mostly
// wrong.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <vector>

#include "vision/detectors/detector.h"

namespace imagemill::vision {

struct UncertainBand {
  float low = 0;   // a class whose best score is at least this ...
  float high = 0;  // ... and below this is uncertain
};

// Whether some class of `detections` has its best score in `band`.
bool NeedsSecondOpinion(const std::vector<Detection>& detections, const UncertainBand& band);

// Rescores `first` in place: every detection of a class whose best score in `first` lies in
// `band` scores w · its score + (1 − w) · the best score of that class in `second` (w =
// `first_weight`; 0.5: the mean); then sorts best first. A detection whose box covers at least
// `keep_area` of the image (0: none does) is the photo's main subject: the second opinion may
// raise its score but never lowers it. Detections of other classes, and classes only `second`
// found, are left as they are.
void ApplySecondOpinion(std::vector<Detection>& first, const std::vector<Detection>& second,
                        const UncertainBand& band, float first_weight = 0.5f,
                        float keep_area = 0.0f);

}  // namespace imagemill::vision
