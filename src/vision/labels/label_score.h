// A label's score from all its instances: what a built-in label model does, after the second
// opinion and before calibration, to score each class found in an image. A nano detector scores
// each of a herd's horses modestly and a single cow-like box higher; taking a label's best box
// alone ranks Cow above Horse. Here every instance that is itself fairly likely counts as
// evidence:
//
//   score(class) = max(best, 1 − Π (1 − s_i))   over the class's instances with s_i ≥ `from`
//
// so three horses at 0.57, 0.44 and 0.43 score 0.86, above one cow at 0.61 (0.77 with its
// second box at 0.41). Instances under `from` do not count, so a crowd of faint boxes (a pattern
// on a wall) does not add up to a label. Measured on the labelled photo set, `from` chosen on its
// tune half (docs/labels.md, bench/label_eval.cc's `or` step).
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <map>
#include <vector>

#include "vision/detectors/detector.h"

namespace imagemill::vision {

// Each class of `detections` with its label score as above (0..1). `from` ≤ 0 counts every
// instance.
std::map<int, float> LabelScores(const std::vector<Detection>& detections, float from);

}  // namespace imagemill::vision
