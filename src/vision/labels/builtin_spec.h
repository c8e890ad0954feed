// The built-in label models' names (--label-model) and what a name means: which networks run,
// in which passes, how their detections merge, and which network gives a second opinion.
//
//   nanodet-416                 NanoDet at 416x416 (any multiple of 32; "nanodet" alone is 416)
//   centernet-512               CenterNet at 512x512
//   nanodet-320+mirror          each network also runs on the mirror image; scores averaged
//   nanodet-416+centernet-512   both networks on every image; an object's score is their mean
//   ...+max                     merge passes by the best score instead of the mean
//   nanodet-320~centernet-256   CenterNet only on the images where NanoDet is unsure
//                               (second_opinion.h)
//
// A name is made canonical (sizes written out, the networks before +mirror and +max) and given
// the revision of what imagemill does with the detections, kBuiltinRevision: its cross-class
// suppression, the second opinion's band and weight, the label scoring, the calibrations and the
// confidence scale (label_score.h, score_calibration.cc, confidence_scale.h).
// So "nanodet-320~centernet-256" is "nanodet-320~centernet-256.v5"; a new revision is a new
// processor name, and incremental runs label every image again.
//
// Pure functions and constants; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"
#include "vision/labels/object_suppression.h"
#include "vision/labels/pass_merging.h"
#include "vision/labels/second_opinion.h"

namespace imagemill::vision {

inline constexpr int kBuiltinRevision = 5;

// Chosen on the tune half of the labelled photo set (docs/labels.md, bench/label_eval.cc).
inline constexpr SuppressionOptions kBuiltinSuppression = {0.6f, 0.0f, false, 0.0f};
inline constexpr UncertainBand kSecondOpinionBand = {0.45f, 0.70f};
inline constexpr float kSecondOpinionFirstWeight = 0.6f;  // the first network's share

struct BuiltinSpec {
  std::vector<std::string> detectors;  // the first networks, canonical: "nanodet-416", ...
  bool mirror = false;
  MergeMode merge = MergeMode::kMean;
  std::string second;  // the second opinion's network ("centernet-256"), or empty
  std::string base;    // the canonical name without revision: what calibrations are keyed by
  std::string name;    // base + ".v<revision>"
};

// `spec` parsed; a trailing ".v<revision>" is accepted when it is this imagemill's.
// InvalidArgument saying what a name may be otherwise.
Result<BuiltinSpec> ParseBuiltinSpec(std::string spec);

// The input size of a canonical network name ("centernet-256" -> 256).
int InputSizeOf(const std::string& network);

}  // namespace imagemill::vision
