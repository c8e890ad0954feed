#include "vision/labels/score_calibration.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace imagemill::vision {
namespace {

constexpr int kBands = 10;

struct Measured {
  const char* model;
  ScoreCalibration calibration;
};

// Fitted by `label_eval --fit` on the tune half of the labelled photo set, over each model's
// labels after its cross-class suppression and, for A~B, its second opinion: the revision in
// builtin_spec.h (docs/labels.md has the figures). The two named modes (the default and the
// precise mode) also carry their confidence scale (confidence_scale.h); the others show the
// calibrated value. Refit, and bump that revision, whenever a model, its pre-processing, the
// merging of passes, the suppression or the second opinion changes. Built-in combinations not
// listed here get the identity.
const Measured kMeasured[] = {
    // Cumulative (FitCumulativeCalibration, 20 bands): the precise mode.
    // On the confidence scale (`label_eval --fit --methods nanodet-320~centernet-256/x0.6/cum/s`).
    {"nanodet-320~centernet-256",
     {{0.081, 0.081, 0.081, 0.122, 0.160, 0.196, 0.275, 0.365, 0.562, 0.842, 0.885,
       0.893, 0.897, 0.907, 0.907, 0.907, 0.950, 0.950, 0.950, 0.950, 0.950},
      std::nullopt,
      {{{0, 0}, {82.854, 80}, {86.487, 90}, {100, 100}}}}},
    // Band by band (FitCalibration).
    {"nanodet-320~centernet-384",
     {{0.000, 0.012, 0.029, 0.088, 0.223, 0.871, 0.871, 0.871, 0.923, 0.923, 0.923}}},
    // The default: cumulative, over labels scored from their instances of 0.4 or more, on the
    // confidence scale (`label_eval --fit --methods nanodet-320/x0.6/or0.4/cum/s`).
    {"nanodet-320",
     {{0.081, 0.081, 0.081, 0.122, 0.160, 0.196, 0.259, 0.309, 0.374, 0.427, 0.509,
       0.597, 0.601, 0.637, 0.740, 0.803, 0.887, 0.896, 0.906, 0.944, 0.944},
      0.4f,
      {{{0, 0}, {56.288, 80}, {88.303, 90}, {100, 100}}}}},
    {"nanodet-416",
     {{0.000, 0.009, 0.011, 0.076, 0.119, 0.330, 0.461, 0.853, 0.944, 0.944, 0.944}}},
    {"nanodet-320+mirror",
     {{0.003, 0.012, 0.015, 0.067, 0.205, 0.450, 0.523, 0.948, 0.948, 0.948, 0.948}}},
    {"centernet-256",
     {{0.000, 0.040, 0.139, 0.325, 0.325, 0.697, 0.697, 0.697, 0.875, 0.875, 0.875}}},
    {"centernet-384",
     {{0.000, 0.022, 0.042, 0.302, 0.422, 0.679, 0.826, 0.826, 0.917, 0.917, 0.917}}},
    {"centernet-512",
     {{0.000, 0.022, 0.116, 0.151, 0.500, 0.646, 0.774, 0.774, 0.875, 0.875, 0.875}}},
    {"nanodet-320+centernet-512",
     {{0.007, 0.018, 0.055, 0.128, 0.500, 0.891, 0.902, 0.902, 0.902, 0.902, 0.902}}},
};

}  // namespace

double ScoreCalibration::Confidence(double score) const {
  const int bands = static_cast<int>(values.size()) - 1;
  const double s = std::clamp(score, 0.0, 1.0) * bands;
  const int k = std::min(static_cast<int>(s), bands - 1);
  return scale.Shown(100 * (values[k] + (values[k + 1] - values[k]) * (s - k)));
}

double ScoreCalibration::ScoreFor(double confidence) const {
  const int bands = static_cast<int>(values.size()) - 1;
  const double want = scale.Calibrated(confidence) / 100;
  if (want <= values[0]) return 0;
  for (int k = 0; k < bands; ++k) {
    if (values[k + 1] >= want) {
      const double rise = values[k + 1] - values[k];
      const double within = rise > 0 ? (want - values[k]) / rise : 1;
      return (k + std::clamp(within, 0.0, 1.0)) / bands;
    }
  }
  return 1;
}

ScoreCalibration CalibrationFor(std::string_view model_name) {
  for (const Measured& m : kMeasured) {
    if (model_name == m.model) return m.calibration;
  }
  return {};
}

ScoreCalibration FitCalibration(const std::vector<std::pair<double, bool>>& samples) {
  // Smoothed share of right labels per band, weighted by the band's count.
  std::array<double, kBands> right{}, all{};
  for (const auto& [score, ok] : samples) {
    const int k = std::min(static_cast<int>(std::clamp(score, 0.0, 1.0) * kBands), kBands - 1);
    all[k] += 1;
    right[k] += ok ? 1 : 0;
  }
  struct Block {
    double value, weight;
    int first, last;
  };
  std::vector<Block> blocks;  // pool adjacent violators over the non-empty bands
  for (int k = 0; k < kBands; ++k) {
    if (all[k] == 0) continue;
    blocks.push_back({(right[k] + 0.5) / (all[k] + 1), all[k], k, k});
    while (blocks.size() > 1 && blocks[blocks.size() - 2].value > blocks.back().value) {
      Block b = blocks.back();
      blocks.pop_back();
      Block& a = blocks.back();
      a.value = (a.value * a.weight + b.value * b.weight) / (a.weight + b.weight);
      a.weight += b.weight;
      a.last = b.last;
    }
  }
  ScoreCalibration c;
  c.values.assign(kBands + 1, 0.0);
  if (blocks.empty()) return {};
  // Bands below the first measured one are worth 0; empty bands between take the next measured
  // value below them (the curve stays non-decreasing); v[10] repeats v[9].
  double current = 0;
  size_t b = 0;
  for (int k = 0; k < kBands; ++k) {
    while (b < blocks.size() && blocks[b].last < k) ++b;
    if (b < blocks.size() && blocks[b].first <= k) current = blocks[b].value;
    c.values[k] = current;
  }
  c.values[kBands] = c.values[kBands - 1];
  return c;
}

ScoreCalibration FitCumulativeCalibration(const std::vector<std::pair<double, bool>>& samples,
                                          int bands) {
  bands = std::max(bands, 1);
  std::vector<double> right(bands), all(bands);
  for (const auto& [score, ok] : samples) {
    const int k = std::min(static_cast<int>(std::clamp(score, 0.0, 1.0) * bands), bands - 1);
    all[k] += 1;
    right[k] += ok ? 1 : 0;
  }
  // From the top band down: the labels scoring at least each band's start.
  std::vector<double> share(bands);
  double r = 0, a = 0;
  for (int k = bands - 1; k >= 0; --k) {
    r += right[k];
    a += all[k];
    share[k] = a > 0 ? (r + 0.5) / (a + 1) : -1;  // -1: no label scores this much
  }
  ScoreCalibration c;
  c.values.assign(bands + 1, 0.0);
  double below = 0;
  for (int k = 0; k < bands; ++k) {
    below = std::max(below, share[k]);
    c.values[k] = below;
  }
  c.values[bands] = c.values[bands - 1];
  return c;
}

}  // namespace imagemill::vision
