#include "vision/labels/score_calibration.h"

#include <algorithm>
#include <cmath>

namespace imagemill::vision {
namespace {

constexpr int kBands = 10;

struct Measured {
  const char* model;
  ScoreCalibration calibration;
};

// Fitted by `label_eval --fit` on the tune split (docs/labels.md has the figures). Refit and
// update whenever a model, its pre-processing or the merging of passes changes.
const Measured kMeasured[] = {
    {"nanodet-288",
     {{0.000, 0.017, 0.042, 0.147, 0.464, 0.688, 0.700, 0.853, 0.853, 0.853, 0.853}}},
    {"nanodet-320",
     {{0.000, 0.005, 0.014, 0.104, 0.650, 0.682, 0.833, 0.857, 0.857, 0.857, 0.857}}},
    {"nanodet-352",
     {{0.000, 0.004, 0.016, 0.233, 0.250, 0.773, 0.773, 0.875, 0.900, 0.900, 0.900}}},
    {"nanodet-384",
     {{0.000, 0.004, 0.066, 0.079, 0.500, 0.688, 0.750, 0.900, 0.900, 0.900, 0.900}}},
    {"nanodet-416",
     {{0.000, 0.004, 0.011, 0.167, 0.423, 0.786, 0.917, 0.917, 0.917, 0.917, 0.917}}},
    {"nanodet-448",
     {{0.000, 0.004, 0.011, 0.196, 0.375, 0.688, 0.912, 0.912, 0.912, 0.912, 0.912}}},
    {"nanodet-512",
     {{0.000, 0.010, 0.010, 0.250, 0.423, 0.500, 0.913, 0.913, 0.913, 0.913, 0.913}}},
    {"nanodet-320+mirror",
     {{0.005, 0.007, 0.086, 0.107, 0.625, 0.722, 0.812, 0.860, 0.860, 0.860, 0.860}}},
    {"nanodet-416+mirror",
     {{0.009, 0.009, 0.078, 0.375, 0.438, 0.611, 0.750, 0.917, 0.917, 0.917, 0.917}}},
    {"nanodet-320+mirror+max",
     {{0.000, 0.004, 0.011, 0.017, 0.433, 0.708, 0.833, 0.872, 0.872, 0.872, 0.872}}},
    {"centernet-384",
     {{0.000, 0.027, 0.096, 0.550, 0.917, 0.925, 0.925, 0.925, 0.925, 0.925, 0.925}}},
    {"centernet-512",
     {{0.000, 0.014, 0.141, 0.250, 0.882, 0.882, 0.896, 0.896, 0.896, 0.896, 0.896}}},
    {"nanodet-320+centernet-512",
     {{0.003, 0.008, 0.107, 0.318, 0.833, 0.919, 0.919, 0.919, 0.919, 0.919, 0.919}}},
    {"nanodet-416+centernet-512",
     {{0.003, 0.007, 0.023, 0.722, 0.812, 0.900, 0.911, 0.911, 0.911, 0.911, 0.911}}},
    {"nanodet-320+centernet-512+max",
     {{0.000, 0.003, 0.011, 0.058, 0.438, 0.577, 0.874, 0.874, 0.874, 0.874, 0.874}}},
};

}  // namespace

double ScoreCalibration::Confidence(double score) const {
  const double s = std::clamp(score, 0.0, 1.0) * kBands;
  const int k = std::min(static_cast<int>(s), kBands - 1);
  return 100 * (values[k] + (values[k + 1] - values[k]) * (s - k));
}

double ScoreCalibration::ScoreFor(double confidence) const {
  const double want = confidence / 100;
  if (want <= values[0]) return 0;
  for (int k = 0; k < kBands; ++k) {
    if (values[k + 1] >= want) {
      const double rise = values[k + 1] - values[k];
      const double within = rise > 0 ? (want - values[k]) / rise : 1;
      return (k + std::clamp(within, 0.0, 1.0)) / kBands;
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
  if (blocks.empty()) return c;
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

}  // namespace imagemill::vision
