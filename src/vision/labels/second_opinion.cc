#include "vision/labels/second_opinion.h"

#include <algorithm>
#include <map>

namespace imagemill::vision {
namespace {

std::map<int, float> BestByClass(const std::vector<Detection>& detections) {
  std::map<int, float> best;
  for (const Detection& d : detections) {
    float& b = best[d.class_index];
    b = std::max(b, d.score);
  }
  return best;
}

bool InBand(float score, const UncertainBand& band) {
  return score >= band.low && score < band.high;
}

}  // namespace

bool NeedsSecondOpinion(const std::vector<Detection>& detections, const UncertainBand& band) {
  for (const auto& [cls, best] : BestByClass(detections)) {
    if (InBand(best, band)) return true;
  }
  return false;
}

void ApplySecondOpinion(std::vector<Detection>& first, const std::vector<Detection>& second,
                        const UncertainBand& band, float first_weight, float keep_area) {
  const std::map<int, float> mine = BestByClass(first);
  const std::map<int, float> theirs = BestByClass(second);
  for (Detection& d : first) {
    if (!InBand(mine.at(d.class_index), band)) continue;
    const auto it = theirs.find(d.class_index);
    const float mean =
        first_weight * d.score + (1 - first_weight) * (it == theirs.end() ? 0.0f : it->second);
    const bool main_subject = keep_area > 0 && d.box.width * d.box.height >= keep_area;
    d.score = main_subject ? std::max(d.score, mean) : mean;
  }
  std::stable_sort(first.begin(), first.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
}

}  // namespace imagemill::vision
