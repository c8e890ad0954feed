#include "vision/labels/confidence_scale.h"

#include <algorithm>
#include <functional>
#include <optional>

namespace imagemill::vision {
namespace {

// `x` mapped through the increasing piecewise-linear function of `points` (first, second),
// clamped to its ends.
double Through(const std::vector<std::pair<double, double>>& points, double x,
               bool inverse = false) {
  auto in = [&](size_t i) { return inverse ? points[i].second : points[i].first; };
  auto out = [&](size_t i) { return inverse ? points[i].first : points[i].second; };
  if (x <= in(0)) return out(0);
  for (size_t i = 1; i < points.size(); ++i) {
    if (x <= in(i)) return out(i - 1) + (out(i) - out(i - 1)) * (x - in(i - 1)) / (in(i)-in(i - 1));
  }
  return out(points.size() - 1);
}

// One threshold: keep the labels whose calibrated Confidence is at least `value`.
struct Threshold {
  double value = 0;
  double below = 0;  // the highest calibrated value left out (0 when none is)
  int right = 0, kept = 0;
};

}  // namespace

double ConfidenceScale::Shown(double calibrated) const {
  calibrated = std::clamp(calibrated, 0.0, 100.0);
  return knots.empty() ? calibrated : Through(knots, calibrated);
}

double ConfidenceScale::Calibrated(double shown) const {
  shown = std::clamp(shown, 0.0, 100.0);
  return knots.empty() ? shown : Through(knots, shown, /*inverse=*/true);
}

ConfidenceScale FitConfidenceScale(const std::vector<std::pair<double, bool>>& samples,
                                   int labels_to_find) {
  std::vector<std::pair<double, bool>> sorted = samples;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  // Every distinct value as a threshold, highest first, with what it keeps.
  std::vector<Threshold> thresholds;
  int right = 0, kept = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    right += sorted[i].second;
    ++kept;
    if (i + 1 < sorted.size() && sorted[i + 1].first == sorted[i].first) continue;
    const double below = i + 1 < sorted.size() ? sorted[i + 1].first : 0;
    thresholds.push_back({sorted[i].first, below, right, kept});
  }
  if (right == 0) return {};
  const double to_find = std::max(labels_to_find, right);
  auto f1 = [&](const Threshold& t) { return 2.0 * t.right / (t.kept + to_find); };
  auto precision = [](const Threshold& t) { return static_cast<double>(t.right) / t.kept; };
  // The balance point: the best F1, the higher threshold on a tie.
  size_t balance = 0;
  for (size_t i = 1; i < thresholds.size(); ++i) {
    if (f1(thresholds[i]) > f1(thresholds[balance])) balance = i;
  }
  // The precise point, above it: the lowest threshold reaching the precise share, else the one
  // with the best precision (the lower on a tie).
  std::optional<size_t> precise;
  for (size_t i = 0; i < balance; ++i) {
    if (precision(thresholds[i]) >= kPreciseShare) precise = i;
  }
  if (!precise) {
    for (size_t i = 0; i < balance; ++i) {
      if (!precise || precision(thresholds[i]) >= precision(thresholds[*precise])) precise = i;
    }
  }
  const Threshold& b = thresholds[balance];
  const double balance_knot = (b.value + b.below) / 2;
  if (balance_knot <= 0) return {};  // every label is right at a calibrated 0: nothing to place
  const double precise_knot =
      precise ? (thresholds[*precise].value + thresholds[*precise].below) / 2
              : (balance_knot + 100) / 2;  // nothing kept above the balance point
  ConfidenceScale scale;
  scale.knots = {
      {0, 0}, {balance_knot, kBalanceConfidence}, {precise_knot, kPreciseConfidence}, {100, 100}};
  return scale;
}

}  // namespace imagemill::vision
