// ScoreCalibration: how a model's score (0..1) becomes a Rekognition-style Confidence (0..100)
// that means something: the share of labels at that score that were right, measured.
//
// The score range is cut into ten bands, [0, 0.1), [0.1, 0.2), ... [0.9, 1]. On the tuning half of
// the labelled photo set (bench/label_eval_set.txt; bench/label_eval.cc fits it, docs/labels.md
// has the figures) every label a model gives a photo, with its best box's score (after the
// model's cross-class suppression and second opinion), is right or wrong. A band's value is the
// share of its labels that were right, smoothed ((right + 0.5) / (all + 1), so that one lucky label
// is not 100 %) and made non-decreasing across bands (pool adjacent violators). Confidence is the
// piecewise-linear curve through (band start, value):
//
//   Confidence(s) = 100 · (v[k] + (v[k+1] − v[k]) · (10 s − k)),   k = ⌊10 s⌋
//
// with v[10] = v[9]. So a label whose score falls where 64 % of the tuning labels were right gets
// a Confidence of about 64, and MinConfidence 55 keeps the bands where most labels were right.
// A model never measured (a user's) gets the identity, Confidence = 100 · score.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace imagemill::vision {

struct ScoreCalibration {
  // values[k]: the Confidence / 100 at score k / n, n = values.size() − 1 bands (at least 1);
  // non-decreasing.
  std::vector<double> values = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  // How the calibrated label's score is made from its instances' scores: unset, its best
  // instance's; set, LabelScores(instances, *label_from) (label_score.h), the way the curve was
  // fitted. An instance's own Confidence is always the curve at its own score.
  std::optional<float> label_from;

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
