#include "vision/labels/label_score.h"

#include <algorithm>

namespace imagemill::vision {

std::map<int, float> LabelScores(const std::vector<Detection>& detections, float from) {
  std::map<int, float> best;
  std::map<int, double> miss;  // Π (1 − s) over the instances that count
  for (const Detection& d : detections) {
    float& b = best[d.class_index];
    b = std::max(b, d.score);
    auto [it, fresh] = miss.emplace(d.class_index, 1.0);
    if (d.score >= from) it->second *= 1.0 - std::clamp(static_cast<double>(d.score), 0.0, 1.0);
  }
  std::map<int, float> out;
  for (const auto& [cls, b] : best) {
    out[cls] = std::max(b, static_cast<float>(1.0 - miss[cls]));
  }
  return out;
}

}  // namespace imagemill::vision
