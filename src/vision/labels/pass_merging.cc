#include "vision/labels/pass_merging.h"

#include <algorithm>

#include "vision/detectors/box_overlap.h"

namespace imagemill::vision {
namespace {

struct Tagged {
  Detection d;
  size_t pass = 0;
  bool taken = false;
};

}  // namespace

cv::Rect2f MirrorBox(const cv::Rect2f& box) {
  return {1.0f - box.x - box.width, box.y, box.width, box.height};
}

std::vector<Detection> MergePasses(const std::vector<std::vector<Detection>>& passes, float iou,
                                   MergeMode mode) {
  if (passes.size() == 1) return passes[0];
  std::vector<Tagged> all;
  for (size_t p = 0; p < passes.size(); ++p) {
    for (const Detection& d : passes[p]) all.push_back({d, p, false});
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Tagged& a, const Tagged& b) { return a.d.score > b.d.score; });
  std::vector<Detection> merged;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].taken) continue;
    all[i].taken = true;
    std::vector<const Tagged*> members{&all[i]};
    std::vector<bool> pass_used(passes.size(), false);
    pass_used[all[i].pass] = true;
    const cv::Rect2f& seed = all[i].d.box;
    for (size_t p = 0; p < passes.size(); ++p) {
      if (pass_used[p]) continue;
      Tagged* best = nullptr;
      float best_iou = iou;
      for (size_t j = i + 1; j < all.size(); ++j) {
        Tagged& t = all[j];
        if (t.taken || t.pass != p || t.d.class_index != all[i].d.class_index) continue;
        const float overlap = HasBox(seed) && HasBox(t.d.box)     ? Iou(seed, t.d.box)
                              : !HasBox(seed) && !HasBox(t.d.box) ? 1.0f
                                                                  : 0.0f;
        if (overlap > best_iou) {
          best_iou = overlap;
          best = &t;
        }
      }
      if (best != nullptr) {
        best->taken = true;
        pass_used[p] = true;
        members.push_back(best);
      }
    }
    float sum = 0, max = 0, x = 0, y = 0, w = 0, h = 0;
    for (const Tagged* m : members) {
      const float s = m->d.score;
      sum += s;
      max = std::max(max, s);
      x += s * m->d.box.x;
      y += s * m->d.box.y;
      w += s * m->d.box.width;
      h += s * m->d.box.height;
    }
    Detection out;
    out.class_index = all[i].d.class_index;
    out.score = mode == MergeMode::kMean ? sum / static_cast<float>(passes.size()) : max;
    if (sum > 0) out.box = cv::Rect2f(x / sum, y / sum, w / sum, h / sum);
    merged.push_back(out);
  }
  std::stable_sort(merged.begin(), merged.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  return merged;
}

}  // namespace imagemill::vision
