// ConfidenceScale: where a built-in model's calibrated Confidence (score_calibration.h: the
// precision of filtering at it on the tune half) is placed on the 0..100 scale a user filters on,
// so that the seed's MinConfidence 80 and Rekognition users' 90 keep what a person would keep:
//
//   80  the balance point: the threshold with the best F1 (precision and recall together) on the
//       tune half of the labelled photo set;
//   90  the precise point: the lowest threshold above the balance point at which the labels kept
//       were right at least 9 times in 10 on the tune half (or, when none is, the one with the
//       best precision).
//
// A piecewise-linear map through the knots (0, 0), (balance, 80), (precise, 90), (100, 100) of
// (calibrated Confidence, Confidence shown); increasing, so it never reorders labels. A knot
// sits halfway between the lowest calibrated value kept at that threshold and the highest one
// left out, so a label's value a rounding away from a tune label's falls on the same side.
// The empty scale is the identity (the calibrated Confidence is shown).
//
// Values; pure functions; thread-safe.
#pragma once

#include <utility>
#include <vector>

namespace imagemill::vision {

struct ConfidenceScale {
  // (calibrated, shown) pairs, both strictly increasing, from (0, 0) to (100, 100); empty for
  // the identity.
  std::vector<std::pair<double, double>> knots;

  // The Confidence shown for calibrated Confidence `calibrated` (clamped to 0..100).
  double Shown(double calibrated) const;
  // The smallest calibrated Confidence shown as at least `shown` (clamped to 0..100).
  double Calibrated(double shown) const;
};

inline constexpr double kBalanceConfidence = 80;  // where the balance point is shown
inline constexpr double kPreciseConfidence = 90;  // where the precise point is shown
inline constexpr double kPreciseShare = 0.9;      // the precise point's precision

// The scale that `samples` (each label a model gives a tune photo: its calibrated Confidence,
// whether it was right) measure, given the number of labels there were to find on those photos
// (for recall). The identity when no sample is right.
ConfidenceScale FitConfidenceScale(const std::vector<std::pair<double, bool>>& samples,
                                   int labels_to_find);

}  // namespace imagemill::vision
