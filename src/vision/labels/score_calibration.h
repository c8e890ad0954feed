// ScoreCalibration: how a model's score (0..1) becomes a Rekognition-style Confidence (0..100)
// that means something measured on the tune half of the labelled photo set
// (bench/label_eval_set.txt; bench/label_eval.cc fits it, docs/labels.md has the figures).
//
// Two steps. First a curve, piecewise-linear through (band start, value) over n bands of the
// score range, fitted on every label the model gives a tune photo (its class with its score after
// the model's suppression and second opinion: its best box's, or its score from all its boxes
// when `label_from` is set), right or wrong:
//   - band by band (FitCalibration, 10 bands): a band's value is the smoothed share of its
//     labels that were right, made non-decreasing (pool adjacent violators);
//   - cumulative (FitCumulativeCalibration, 20 bands): a band start's value is the smoothed share
//     of right labels among all labels scoring at least that much, so the curve at a score is the
//     precision of filtering there.
// Then, for the built-in models that have one, the confidence scale (confidence_scale.h) places
// that calibrated value on the scale users filter on. What a Confidence C then promises, on the
// tune half (and, measured once, on the check half kept aside: docs/labels.md):
//   - C = 80 is the balance point: filtering at 80 gives the best F1 of any threshold;
//   - C ≥ 90 is the precise point: the labels at 90 or more were right at least 9 times in 10;
//   - between, and below 80, C rises with the precision of filtering at it, never reordering
//     labels.
// A model never measured (a user's) gets the identity, Confidence = 100 · score.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "vision/labels/confidence_scale.h"

namespace imagemill::vision {

struct ScoreCalibration {
  // values[k]: the Confidence / 100 at score k / n, n = values.size() − 1 bands (at least 1);
  // non-decreasing.
  std::vector<double> values = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  // How the calibrated label's score is made from its instances' scores: unset, its best
  // instance's; set, LabelScores(instances, *label_from) (label_score.h), the way the curve was
  // fitted. An instance's own Confidence is always the curve at its own score.
  std::optional<float> label_from;
  // Where the curve's value (as a Confidence) is shown; empty: as it is.
  ConfidenceScale scale;

  // 0..100; non-decreasing in `score` (clamped to 0..1).
  double Confidence(double score) const;
  // The smallest score whose Confidence is at least `confidence` (1 when none is).
  double ScoreFor(double confidence) const;
};

// The measured calibration of a built-in label model by its canonical name without revision
// ("nanodet-320~centernet-256", builtin_spec.h), or the identity for a name never measured.
ScoreCalibration CalibrationFor(std::string_view model_name);

// The calibration that `samples` (a label's score, whether it was right) measure, as above.
ScoreCalibration FitCalibration(const std::vector<std::pair<double, bool>>& samples);

// The cumulative calibration `samples` measure, in `bands` bands (0.05 wide for 20): a band
// start's value is the smoothed share of
// right labels among all labels scoring at least that much, (right + 0.5) / (all + 1), raised
// where needed so that the curve is non-decreasing (a higher threshold keeps a subset, whose
// smoothed share dips only because it holds fewer labels). So MinConfidence C keeps
// labels of which about C % were right, and a label's Confidence is the precision a user gets by
// filtering at it.
ScoreCalibration FitCumulativeCalibration(const std::vector<std::pair<double, bool>>& samples,
                                          int bands = 20);

}  // namespace imagemill::vision
