#include "vision/properties/color_clusters.h"

#include <cmath>
#include <limits>
#include <random>
#include <unordered_map>

#include "vision/properties/css_colors.h"

namespace imagemill::vision {
namespace {

constexpr uint64_t kSeed = 0x1a2b3c4d5e6f7788ull;
constexpr int kMaxIterations = 20;
constexpr int kBinBits = 4;

uint32_t Pack(const cv::Vec3b& bgr) {
  return uint32_t{bgr[2]} << 16 | uint32_t{bgr[1]} << 8 | bgr[0];
}

// Pixel sums of a set of pixels (a histogram bin, a cluster).
struct Sums {
  int64_t r = 0, g = 0, b = 0, n = 0;
  void Add(const Sums& o) {
    r += o.r;
    g += o.g;
    b += o.b;
    n += o.n;
  }
  ColorCluster Mean() const {
    const double d = static_cast<double>(n);
    return {static_cast<int>(std::lround(r / d)), static_cast<int>(std::lround(g / d)),
            static_cast<int>(std::lround(b / d)), n};
  }
};

// Case 1: the exact colours, or nothing when there are more than k.
std::vector<ColorCluster> ExactColors(const cv::Mat& bgr, int k) {
  std::unordered_map<uint32_t, Sums> colors;
  uint32_t last = 0;
  Sums* last_sums = nullptr;
  for (int y = 0; y < bgr.rows; ++y) {
    const auto* row = bgr.ptr<cv::Vec3b>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      const uint32_t c = Pack(row[x]);
      if (last_sums == nullptr || c != last) {
        last = c;
        last_sums = &colors[c];
        if (static_cast<int>(colors.size()) > k) return {};
      }
      last_sums->Add({row[x][2], row[x][1], row[x][0], 1});
    }
  }
  std::vector<ColorCluster> out;
  out.reserve(colors.size());
  for (const auto& [packed, sums] : colors) out.push_back(sums.Mean());
  return out;
}

float Distance2(const Lab& a, const Lab& b) {
  const float dl = a.l - b.l, da = a.a - b.a, db = a.b - b.b;
  return dl * dl + da * da + db * db;
}

// A uniform double in [0, 1) from the generator's raw output (std's distributions are not
// specified bit for bit across standard libraries).
double Uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Picks an index with probability proportional to weight[i]. REQUIRES: some weight > 0.
size_t Pick(const std::vector<double>& weight, std::mt19937_64& rng) {
  double total = 0;
  for (double w : weight) total += w;
  double target = Uniform(rng) * total;
  for (size_t i = 0; i < weight.size(); ++i) {
    if (target < weight[i]) return i;
    target -= weight[i];
  }
  for (size_t i = weight.size(); i-- > 0;) {
    if (weight[i] > 0) return i;
  }
  return 0;
}

// Case 2: weighted k-means over the histogram bins.
std::vector<ColorCluster> HistogramKmeans(const cv::Mat& bgr, int k) {
  constexpr int kShift = 8 - kBinBits;
  std::vector<Sums> bins(size_t{1} << (3 * kBinBits));
  for (int y = 0; y < bgr.rows; ++y) {
    const auto* row = bgr.ptr<cv::Vec3b>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      const cv::Vec3b& p = row[x];
      const auto i = static_cast<size_t>((p[2] >> kShift) << (2 * kBinBits) |
                                         (p[1] >> kShift) << kBinBits | (p[0] >> kShift));
      bins[i].Add({p[2], p[1], p[0], 1});
    }
  }
  std::vector<Sums> used;
  std::vector<Lab> points;
  for (const Sums& s : bins) {
    if (s.n == 0) continue;
    used.push_back(s);
    const ColorCluster mean = s.Mean();
    points.push_back(SrgbToLab(mean.red, mean.green, mean.blue));
  }
  const size_t n = points.size();
  const size_t clusters = std::min(n, static_cast<size_t>(k));

  // k-means++ seeding, each draw weighted by pixel count x squared distance to the nearest centre.
  std::mt19937_64 rng(kSeed);
  std::vector<Lab> centers;
  std::vector<double> weight(n);
  for (size_t i = 0; i < n; ++i) weight[i] = static_cast<double>(used[i].n);
  std::vector<float> nearest(n, std::numeric_limits<float>::max());
  while (centers.size() < clusters) {
    centers.push_back(points[Pick(weight, rng)]);
    for (size_t i = 0; i < n; ++i) {
      nearest[i] = std::min(nearest[i], Distance2(points[i], centers.back()));
      weight[i] = static_cast<double>(used[i].n) * nearest[i];
    }
  }

  std::vector<size_t> assignment(n, clusters);
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    bool changed = false;
    for (size_t i = 0; i < n; ++i) {
      size_t best = 0;
      float best_d = std::numeric_limits<float>::max();
      for (size_t c = 0; c < clusters; ++c) {
        const float d = Distance2(points[i], centers[c]);
        if (d < best_d) {
          best_d = d;
          best = c;
        }
      }
      changed |= assignment[i] != best;
      assignment[i] = best;
    }
    if (!changed) break;
    std::vector<double> l(clusters), a(clusters), b(clusters), w(clusters);
    for (size_t i = 0; i < n; ++i) {
      const double wi = static_cast<double>(used[i].n);
      l[assignment[i]] += wi * points[i].l;
      a[assignment[i]] += wi * points[i].a;
      b[assignment[i]] += wi * points[i].b;
      w[assignment[i]] += wi;
    }
    for (size_t c = 0; c < clusters; ++c) {
      if (w[c] > 0) {
        centers[c] = {static_cast<float>(l[c] / w[c]), static_cast<float>(a[c] / w[c]),
                      static_cast<float>(b[c] / w[c])};
      }
    }
  }

  std::vector<Sums> totals(clusters);
  for (size_t i = 0; i < n; ++i) totals[assignment[i]].Add(used[i]);
  std::vector<ColorCluster> out;
  for (const Sums& s : totals) {
    if (s.n > 0) out.push_back(s.Mean());
  }
  return out;
}

}  // namespace

std::vector<ColorCluster> ClusterColors(const cv::Mat& bgr, int k) {
  CV_Assert(!bgr.empty() && bgr.type() == CV_8UC3 && k >= 1);
  std::vector<ColorCluster> exact = ExactColors(bgr, k);
  if (!exact.empty()) return exact;
  return HistogramKmeans(bgr, k);
}

}  // namespace imagemill::vision
