// label_eval's ground truth and scoring (bench/label_eval.cc): the labelled photo set of
// bench/label_eval_set.txt, and how a method's labels are counted against it.
//
// A photo's labels are (class, score) pairs, one per class. Against the list, a label is right
// when the class is one of the photo's classes, ignored when it is one of its optional classes,
// and false otherwise; a class of the photo that is not labelled is missed. Precision = right /
// (right + false), recall = right / (right + missed), over (photo, class) pairs.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace imagemill::bench {

struct LabelledPhoto {
  std::string name, split;
  std::set<std::string> classes, optional;
};

// One class a method gives a photo: its label score (0..1) and the best instance's box.
struct ScoredLabel {
  double score = 0;
  float x = 0, y = 0, w = 0, h = 0;  // ratios of the image; w = 0 without a box
  double box_confidence = 0;         // that box's own Confidence, where it differs from score
};
using PhotoLabels = std::map<std::string, ScoredLabel>;  // by COCO class name

struct Counts {
  int right = 0, wrong = 0, missed = 0;
  int empty_photos = 0, wrong_on_empty = 0;  // photos with no COCO class, false labels on them
  double Precision() const { return right + wrong ? double(right) / (right + wrong) : 1; }
  double Recall() const { return right + missed ? double(right) / (right + missed) : 1; }
  double F1() const {
    const double p = Precision(), r = Recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  double FalsePerEmptyPhoto() const {
    return empty_photos ? double(wrong_on_empty) / empty_photos : 0;
  }
};

inline std::set<std::string> SplitClassList(const std::string& s) {
  std::set<std::string> out;
  if (s == "-") return out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::replace(item.begin(), item.end(), '_', ' ');
    out.insert(item);
  }
  return out;
}

// The photos of `path` (bench/label_eval_set.txt's format); exits 2 naming a bad line.
inline std::vector<LabelledPhoto> ReadLabelledSet(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "label_eval: cannot read " << path << "\n";
    std::exit(2);
  }
  std::vector<LabelledPhoto> photos;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::stringstream fields(line);
    std::string name, split, package, file, classes, optional;
    if (!(fields >> name >> split >> package >> file >> classes >> optional) ||
        (split != "tune" && split != "check")) {
      std::cerr << "label_eval: " << path << ":" << number
                << ": want NAME tune|check PACKAGE PATH CLASSES OPTIONAL\n";
      std::exit(2);
    }
    photos.push_back({name, split, SplitClassList(classes), SplitClassList(optional)});
  }
  return photos;
}

// Counts over the photos of `split` ("" for all) whose labels `keep` accepts.
using KeepLabel = std::function<bool(const std::string& cls, const ScoredLabel& label)>;
inline Counts Score(const std::vector<LabelledPhoto>& photos,
                    const std::vector<PhotoLabels>& labels, const std::string& split,
                    const KeepLabel& keep, const std::string& only_class = "") {
  Counts c;
  for (size_t i = 0; i < photos.size(); ++i) {
    const LabelledPhoto& p = photos[i];
    if (!split.empty() && p.split != split) continue;
    if (p.classes.empty()) ++c.empty_photos;
    for (const auto& [cls, label] : labels[i]) {
      if (!only_class.empty() && cls != only_class) continue;
      if (!keep(cls, label)) continue;
      if (p.classes.count(cls)) {
        ++c.right;
      } else if (!p.optional.count(cls)) {
        ++c.wrong;
        if (p.classes.empty()) ++c.wrong_on_empty;
      }
    }
    for (const std::string& cls : p.classes) {
      if (!only_class.empty() && cls != only_class) continue;
      auto it = labels[i].find(cls);
      if (it == labels[i].end() || !keep(cls, it->second)) ++c.missed;
    }
  }
  return c;
}

inline std::string Describe(const Counts& c) {
  char buf[200];
  std::snprintf(buf, sizeof(buf),
                "P %.2f R %.2f F1 %.2f | right %3d false %3d missed %3d | false per empty photo "
                "%.2f (%d on %d)",
                c.Precision(), c.Recall(), c.F1(), c.right, c.wrong, c.missed,
                c.FalsePerEmptyPhoto(), c.wrong_on_empty, c.empty_photos);
  return buf;
}

// Which wrong class stands in for which true one: a false label `f` on a photo counts against
// each true class `t` of the photo that was missed or whose box overlaps f's (IoU > 0.3), or
// against "(no COCO object)" on a photo without classes, "(other)" otherwise.
inline std::map<std::pair<std::string, std::string>, int> Confusions(
    const std::vector<LabelledPhoto>& photos, const std::vector<PhotoLabels>& labels,
    const std::string& split, const KeepLabel& keep) {
  auto iou = [](const ScoredLabel& a, const ScoredLabel& b) {
    const float ix = std::max(0.0f, std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x));
    const float iy = std::max(0.0f, std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y));
    const float inter = ix * iy, uni = a.w * a.h + b.w * b.h - inter;
    return uni > 0 ? inter / uni : 0.0f;
  };
  std::map<std::pair<std::string, std::string>, int> out;
  for (size_t i = 0; i < photos.size(); ++i) {
    const LabelledPhoto& p = photos[i];
    if (!split.empty() && p.split != split) continue;
    for (const auto& [cls, label] : labels[i]) {
      if (!keep(cls, label) || p.classes.count(cls) || p.optional.count(cls)) continue;
      bool counted = false;
      for (const std::string& t : p.classes) {
        auto it = labels[i].find(t);
        const bool missed = it == labels[i].end() || !keep(t, it->second);
        if (missed || iou(it->second, label) > 0.3f) {
          ++out[{t, cls}];
          counted = true;
        }
      }
      if (!counted) ++out[{p.classes.empty() ? "(no COCO object)" : "(other)", cls}];
    }
  }
  return out;
}

}  // namespace imagemill::bench
