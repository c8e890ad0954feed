// label_eval: how well and at what cost label methods label the photo set of
// bench/label_eval_set.txt (fetched by scripts/fetch-label-eval.sh). The default label model, its
// cross-class suppression, its calibration and the figures in docs/labels.md come from here.
//
//   label_eval [--methods M1,M2,...] [--min-confidence 55] [--fit] [--detail METHOD] [--verbose]
//              [--runs DIR] [--set bench/label_eval_set.txt] [--photos .cache/label-photos]
//              [--models-dir DIR]
//
// A method is a built-in label model (label_model.h) and what is done with its merged detections,
// written MODEL[/STEP...]:
//   default            the default processor end to end (LabelModelRunner::Run with the built-in
//                      suppression, second opinion and calibration), nothing else changed
//   precise            the same for the precise mode (label_model.h)
//   x0.6               cross-class suppression: boxes of different classes with IoU > 0.6 are one
//                      object (object_suppression.h); c0.8: or 80 % of the smaller box inside
//   g                  ... only between confusable classes (horse/cow/sheep, car/truck/bus, ...)
//   a0.005             drop boxes under 0.5 % of the image
//   w0.6               in a second opinion, the first network's score weighs 0.6 (default 0.5)
//   cum                calibrate cumulatively: Confidence = the share of right labels among those
//                      scoring at least as much (score_calibration.h; else band by band)
//   s                  then place the calibrated Confidence on the confidence scale fitted on tune:
//                      the best-F1 threshold at 80, precision 0.9 at 90 (confidence_scale.h)
//   k0.1               in a second opinion, a box covering at least 10 % of the image is never
//                      lowered (the photo's main subject: second_opinion.h)
//   h3                 a herd is one kind: drop a confusable class found once in a photo where
//                      another class of its group is found at least 3 times (scores >= 0.3)
//   or                 a label's score from all its instances, 1 - Π(1 - s) (else: the best one);
//                      or0.3: from its instances scoring at least 0.3 only (never below the best)
//   A~B:lo-hi          a second opinion (second_opinion.h): network B runs only on photos where A
//                      gives some class a best score in [lo, hi); there each such class scores
//                      the mean of A's and B's best (0 where B has none). A~B alone is the
//                      built-in second opinion, band and weight (builtin_spec.h)
// A network may be NETWORK@flip: that network on the mirror image alone (as a second opinion, a
// mirror pass only when unsure).
// e.g. nanodet-320, nanodet-320/x0.6/g, nanodet-320~centernet-384:0.3-0.6/x0.6,
// nanodet-320~nanodet-320@flip:0.45-0.7/x0.6/w0.5/cum.
//
// Each network runs once per photo, OpenCV on one thread; the steps are applied afterwards. For
// each method it fits a calibration on the tune split (score_calibration.h) and reports, on tune
// and on check, precision, recall, F1 and false labels per photo with no COCO object at
// MinConfidence C, plus the raw score threshold with the best tune F1. CPU per photo is this
// thread's CPU time (hardly changed by other processes): decoding and network inputs, then the
// network passes, mean over the photos. --detail adds a per-class table and a confusion table
// for one method (on check, and on tune); --fit prints calibration lines for
// src/vision/labels/score_calibration.cc; --verbose every photo's labels. --runs DIR keeps each
// network's merged detections and CPU times in DIR and reuses them on the next call with the same
// photos (to try steps quickly; remove DIR after changing a network or its decoding).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "eval_util.h"
#include "label_eval_scoring.h"
#include "vision/decode/image.h"
#include "vision/detectors/detector_coco_classes.h"
#include "vision/labels/builtin_spec.h"
#include "vision/labels/confidence_scale.h"
#include "vision/labels/label_model.h"
#include "vision/labels/label_score.h"
#include "vision/labels/object_suppression.h"
#include "vision/labels/pass_merging.h"
#include "vision/labels/score_calibration.h"
#include "vision/labels/second_opinion.h"
#include "vision/properties/image_properties.h"

namespace {

using imagemill::bench::Counts;
using imagemill::bench::ReadFile;
using imagemill::bench::ThreadCpuMs;
using imagemill::bench::LabelledPhoto;
using imagemill::bench::PhotoLabels;
using imagemill::bench::ScoredLabel;
using imagemill::vision::Detection;
using imagemill::vision::ScoreCalibration;

// One network spec's outcome on every photo.
struct NetworkRun {
  std::vector<std::vector<Detection>> merged;  // per photo, before suppression
  std::vector<PhotoLabels> end_to_end;         // per photo, LabelModelRunner::Run's confidences
  std::vector<double> prepare_cpu_ms, run_cpu_ms;
  std::vector<double> inputs_cpu_ms;  // the part of prepare that makes the network inputs
};

struct Method {
  std::string name;
  std::string first, second;  // network specs; second empty without a second opinion
  double band_lo = 0, band_hi = 0;
  imagemill::vision::SuppressionOptions suppression;
  int herd = 0;               // 0: off
  double first_weight = 0.5;  // the first network's weight in a second opinion
  double keep_area = 0;       // in a second opinion, boxes this large are never lowered
  bool noisy_or = false;
  bool cumulative = false;  // the cumulative calibration
  bool scaled = false;      // the confidence scale on top of it
  double or_floor = 0;      // instances below this do not count towards the noisy-or
  bool end_to_end = false;  // "default": the production path
};

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

[[noreturn]] void Usage(const std::string& why) {
  std::cerr << "label_eval: " << why
            << "\nusage: label_eval [--methods M1,M2] [--min-confidence C] [--fit] [--detail M] "
               "[--verbose] [--runs DIR] [--set FILE] [--photos DIR] [--models-dir DIR]\n";
  std::exit(2);
}

Method ParseMethod(const std::string& text) {
  Method m;
  m.name = text;
  std::vector<std::string> steps = SplitOn(text, '/');
  if (steps.empty()) Usage("empty method");
  if (steps[0] == "default" || steps[0] == "precise") {
    m.first = steps[0];
    m.end_to_end = true;
    if (steps.size() > 1) Usage("'" + steps[0] + "' takes no steps");
    return m;
  }
  const std::string& models = steps[0];
  if (const size_t gt = models.find('~'); gt != std::string::npos) {
    m.first = models.substr(0, gt);
    const std::string rest = models.substr(gt + 1);
    bool rest_done = false;
    const size_t colon = rest.find(':'),
                 dash = rest.find('-', colon == std::string::npos ? 0 : colon);
    if (colon == std::string::npos) {
      // The built-in band.
      m.second = rest;
      m.band_lo = imagemill::vision::kSecondOpinionBand.low;
      m.band_hi = imagemill::vision::kSecondOpinionBand.high;
      m.first_weight = imagemill::vision::kSecondOpinionFirstWeight;
      rest_done = true;
    } else if (dash == std::string::npos) {
      Usage("want A~B:lo-hi in " + text);
    }
    if (!rest_done) {
      m.second = rest.substr(0, colon);
      m.band_lo = std::stod(rest.substr(colon + 1, dash - colon - 1));
      m.band_hi = std::stod(rest.substr(dash + 1));
      if (m.band_lo >= m.band_hi) Usage("the band's low end must be below its high end in " + text);
    }
  } else {
    m.first = models;
  }
  for (size_t i = 1; i < steps.size(); ++i) {
    const std::string& s = steps[i];
    if (s == "cum") {
      m.cumulative = true;
    } else if (s == "s") {
      m.scaled = true;
    } else if (s == "or") {
      m.noisy_or = true;
    } else if (s.size() > 2 && s.rfind("or", 0) == 0) {
      m.noisy_or = true;
      m.or_floor = std::stod(s.substr(2));

    } else if (s == "g") {
      m.suppression.confusable_only = true;
    } else if (s.size() > 1 && s[0] == 'x') {
      m.suppression.iou = std::stof(s.substr(1));
    } else if (s.size() > 1 && s[0] == 'c') {
      m.suppression.cover = std::stof(s.substr(1));
    } else if (s.size() > 1 && s[0] == 'w') {
      m.first_weight = std::stod(s.substr(1));
    } else if (s.size() > 1 && s[0] == 'k') {
      m.keep_area = std::stod(s.substr(1));
    } else if (s.size() > 1 && s[0] == 'h') {
      m.herd = std::stoi(s.substr(1));
    } else if (s.size() > 1 && s[0] == 'a') {
      m.suppression.min_area = std::stof(s.substr(1));
    } else {
      Usage("unknown step '" + s + "' in " + text);
    }
  }
  return m;
}

// The checkout this program belongs to: the working directory when it is one, else the parent of
// the build directory holding the executable.
std::string SourceDir() {
  if (std::ifstream("bench/label_eval_set.txt")) return ".";
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) return ".";
  std::string dir(exe, static_cast<size_t>(n));
  for (int up = 0; up < 2; ++up) dir = dir.substr(0, dir.find_last_of('/'));
  return dir;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

// DIR/<spec>.txt: one line per photo, "name prepare_ms inputs_ms run_ms n" then n lines
// "class score x y w h".
std::string RunsFile(const std::string& dir, const std::string& spec) {
  return dir + "/" + spec + ".txt";
}

bool LoadRun(const std::string& path, const std::vector<LabelledPhoto>& photos, NetworkRun& out) {
  std::ifstream in(path);
  if (!in) return false;
  for (const LabelledPhoto& p : photos) {
    std::string name;
    double prepare = 0, inputs = 0, run = 0;
    size_t n = 0;
    if (!(in >> name >> prepare >> inputs >> run >> n) || name != p.name) return false;
    std::vector<Detection> merged(n);
    for (Detection& d : merged) {
      in >> d.class_index >> d.score >> d.box.x >> d.box.y >> d.box.width >> d.box.height;
    }
    out.prepare_cpu_ms.push_back(prepare);
    out.inputs_cpu_ms.push_back(inputs);
    out.run_cpu_ms.push_back(run);
    out.merged.push_back(std::move(merged));
  }
  return static_cast<bool>(in);
}

void SaveRun(const std::string& path, const std::vector<LabelledPhoto>& photos,
             const NetworkRun& r) {
  std::ofstream out(path);
  for (size_t i = 0; i < photos.size(); ++i) {
    out << photos[i].name << " " << r.prepare_cpu_ms[i] << " " << r.inputs_cpu_ms[i] << " "
        << r.run_cpu_ms[i] << " " << r.merged[i].size() << "\n";
    for (const Detection& d : r.merged[i]) {
      out << d.class_index << " " << d.score << " " << d.box.x << " " << d.box.y << " "
          << d.box.width << " " << d.box.height << "\n";
    }
  }
}

// `bytes` decoded as LabelsProcessor decodes them for `model`; exits on an undecodable photo.
cv::Mat DecodeForModel(const imagemill::vision::LabelModel& model, const std::string& bytes,
                       const std::string& name) {
  imagemill::vision::DecodeOptions decode;
  decode.min_side = model.MinInputSide();
  decode.min_long_side = imagemill::vision::kAnalysisLongSide;
  auto image = imagemill::vision::DecodeImage(bytes, name, decode);
  if (!image.ok()) {
    std::cerr << "label_eval: " << image.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(image->bgr);
}

// `spec` is a built-in label model, or NETWORK@flip: that network on the mirror image only, its
// boxes mirrored back (the mirror pass alone, to try it as a second opinion).
NetworkRun RunNetwork(const std::string& spec, const std::string& models_dir,
                      const std::vector<LabelledPhoto>& photos,
                      const std::vector<std::string>& bytes) {
  const size_t at = spec.find("@flip");
  const bool flip = at != std::string::npos;
  imagemill::vision::LabelModelOptions o;
  o.builtin = spec.substr(0, at);
  o.models_dir = models_dir;
  auto model = imagemill::vision::LabelModel::Open(o);
  if (!model.ok()) {
    std::cerr << "label_eval: " << model.status().ToString() << "\n";
    std::exit(1);
  }
  auto runner = (*model)->NewRunner();
  if (!runner.ok()) {
    std::cerr << "label_eval: " << runner.status().ToString() << "\n";
    std::exit(1);
  }
  NetworkRun out;
  for (size_t i = 0; i < photos.size(); ++i) {
    const double c0 = ThreadCpuMs();
    cv::Mat bgr = DecodeForModel(**model, bytes[i], photos[i].name);
    const double c_inputs = ThreadCpuMs();
    if (flip) cv::flip(bgr, bgr, 1);
    const std::vector<cv::Mat> inputs = (*model)->MakeInputs(bgr);
    const double c1 = ThreadCpuMs();
    out.inputs_cpu_ms.push_back(c1 - c_inputs);
    auto merged = (*runner)->RunMerged(inputs);
    if (!merged.ok()) {
      std::cerr << "label_eval: " << merged.status().ToString() << "\n";
      std::exit(1);
    }
    const double c2 = ThreadCpuMs();
    out.prepare_cpu_ms.push_back(c1 - c0);
    out.run_cpu_ms.push_back(c2 - c1);
    if (flip) {
      for (Detection& d : *merged) {
        if (d.box.width > 0) d.box = imagemill::vision::MirrorBox(d.box);
      }
    }
    out.merged.push_back(std::move(merged).value());
  }
  return out;
}

// The default processor's labels end to end (LabelModelRunner::Run: the built-in suppression,
// second opinion and calibration), as scores 0..1 = Confidence / 100, with its CPU per photo.
NetworkRun RunDefault(const std::string& builtin, const std::string& models_dir,
                      const std::vector<LabelledPhoto>& photos,
                      const std::vector<std::string>& bytes) {
  imagemill::vision::LabelModelOptions o;
  o.builtin = builtin;
  o.models_dir = models_dir;
  auto model = imagemill::vision::LabelModel::Open(o);
  auto runner = model.ok() ? (*model)->NewRunner() : model.status();
  if (!model.ok() || !runner.ok()) {
    std::cerr << "label_eval: " << (model.ok() ? runner.status() : model.status()).ToString()
              << "\n";
    std::exit(1);
  }
  NetworkRun out;
  for (size_t i = 0; i < photos.size(); ++i) {
    const double c0 = ThreadCpuMs();
    const cv::Mat bgr = DecodeForModel(**model, bytes[i], photos[i].name);
    const std::vector<cv::Mat> inputs = (*model)->MakeInputs(bgr);
    const double c1 = ThreadCpuMs();
    auto found = (*runner)->Run(inputs);
    const double c2 = ThreadCpuMs();
    if (!found.ok()) {
      std::cerr << "label_eval: " << found.status().ToString() << "\n";
      std::exit(1);
    }
    out.prepare_cpu_ms.push_back(c1 - c0);
    out.run_cpu_ms.push_back(c2 - c1);
    out.inputs_cpu_ms.push_back(0);
    out.merged.emplace_back();
    PhotoLabels labels;
    for (const auto& f : *found) {
      ScoredLabel& l = labels[f.class_name];
      const bool best_box = l.w == 0 || f.confidence > l.box_confidence;
      l.score = std::max(l.score, f.label_confidence.value_or(f.confidence) / 100);
      if (f.box && best_box) {
        l.box_confidence = f.confidence;
        l.x = f.box->x, l.y = f.box->y, l.w = f.box->width, l.h = f.box->height;
      }
    }
    out.end_to_end.push_back(std::move(labels));
  }
  return out;
}

// Merged detections under a method's suppression and herd steps.
std::vector<Detection> Steps(const std::vector<Detection>& merged, const Method& m) {
  std::vector<Detection> kept = SuppressAcrossClasses(merged, m.suppression);
  if (m.herd == 0) return kept;
  std::map<int, int> count;
  for (const Detection& d : kept) count[d.class_index] += d.score >= 0.3f;
  std::vector<Detection> herded;
  for (const Detection& d : kept) {
    bool herd_elsewhere = false;
    for (const auto& [cls, n] : count) {
      herd_elsewhere |=
          cls != d.class_index && n >= m.herd && imagemill::vision::Confusable(cls, d.class_index);
    }
    if (!(count[d.class_index] <= 1 && herd_elsewhere)) herded.push_back(d);
  }
  return herded;
}

// A photo's labels: each class with its best detection's score, or with `or` its score from all
// its instances (label_score.h); the box is the best detection's.
PhotoLabels LabelsOf(const std::vector<Detection>& kept, const Method& m) {
  PhotoLabels labels;
  for (const Detection& d : kept) {
    if (d.class_index < 0 || d.class_index >= imagemill::vision::kCocoClassCount) continue;
    const std::string cls(imagemill::vision::CocoClassName(d.class_index));
    ScoredLabel& l = labels[cls];
    if (d.score > l.score || l.w == 0) {
      if (d.score > l.score) l.score = d.score;
      l.x = d.box.x, l.y = d.box.y, l.w = d.box.width, l.h = d.box.height;
    }
  }
  if (m.noisy_or) {
    for (const auto& [c, score] :
         imagemill::vision::LabelScores(kept, static_cast<float>(m.or_floor))) {
      if (c < 0 || c >= imagemill::vision::kCocoClassCount) continue;
      ScoredLabel& l = labels[std::string(imagemill::vision::CocoClassName(c))];
      l.score = std::max(l.score, static_cast<double>(score));
    }
  }
  return labels;
}

struct MethodResult {
  std::vector<PhotoLabels> labels;
  std::vector<double> cpu_ms;  // per photo: prepare + network passes
  double second_share = 0;     // share of photos that needed the second opinion
};

MethodResult Apply(const Method& m, const std::map<std::string, NetworkRun>& runs) {
  const NetworkRun& a = runs.at(m.first);
  MethodResult r;
  int second = 0;
  for (size_t i = 0; i < a.merged.size(); ++i) {
    double cpu = a.prepare_cpu_ms[i] + a.run_cpu_ms[i];
    if (m.end_to_end) {
      r.labels.push_back(a.end_to_end[i]);
      r.cpu_ms.push_back(cpu);
      continue;
    }
    std::vector<Detection> kept = Steps(a.merged[i], m);
    const imagemill::vision::UncertainBand band{static_cast<float>(m.band_lo),
                                                static_cast<float>(m.band_hi)};
    if (!m.second.empty() && NeedsSecondOpinion(kept, band)) {
      ++second;
      const NetworkRun& b = runs.at(m.second);
      cpu += b.run_cpu_ms[i] + b.inputs_cpu_ms[i];  // from the same decoded image
      ApplySecondOpinion(kept, Steps(b.merged[i], m), band, static_cast<float>(m.first_weight),
                         static_cast<float>(m.keep_area));
    }
    PhotoLabels labels = LabelsOf(kept, m);
    r.labels.push_back(std::move(labels));
    r.cpu_ms.push_back(cpu);
  }
  r.second_share = a.merged.empty() ? 0 : double(second) / static_cast<double>(a.merged.size());
  return r;
}

std::vector<std::pair<double, bool>> TuneSamples(const std::vector<LabelledPhoto>& photos,
                                                 const std::vector<PhotoLabels>& labels) {
  std::vector<std::pair<double, bool>> samples;
  for (size_t i = 0; i < photos.size(); ++i) {
    if (photos[i].split != "tune") continue;
    for (const auto& [cls, l] : labels[i]) {
      if (!photos[i].optional.count(cls))
        samples.emplace_back(l.score, photos[i].classes.count(cls) > 0);
    }
  }
  return samples;
}

std::string CalibrationValues(const ScoreCalibration& c) {
  std::string values;
  for (double v : c.values) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%s%.3f", values.empty() ? "" : ", ", v);
    values += buf;
  }
  return values;
}

// The calibration as score_calibration.cc's table writes it: {{values}, label_from, {knots}}.
std::string CalibrationLine(const ScoreCalibration& c) {
  std::string line = "{{" + CalibrationValues(c) + "}";
  char buf[64];
  if (c.label_from || !c.scale.knots.empty()) {
    if (c.label_from) {
      std::snprintf(buf, sizeof(buf), ",\n      %.2ff", *c.label_from);
      line += buf;
    } else {
      line += ",\n      std::nullopt";
    }
  }
  if (!c.scale.knots.empty()) {
    line += ",\n      {{";
    for (size_t i = 0; i < c.scale.knots.size(); ++i) {
      std::snprintf(buf, sizeof(buf), "%s{%.3f, %.0f}", i ? ", " : "", c.scale.knots[i].first,
                    c.scale.knots[i].second);
      line += buf;
    }
    line += "}}";
  }
  return line + "}";
}

// The confidence scale that the tune labels measure under `calibration` (confidence_scale.h).
imagemill::vision::ConfidenceScale FitScale(const ScoreCalibration& calibration,
                                            const std::vector<std::pair<double, bool>>& samples,
                                            const std::vector<LabelledPhoto>& photos,
                                            const std::vector<PhotoLabels>& labels) {
  std::vector<std::pair<double, bool>> calibrated;
  for (const auto& [score, ok] : samples)
    calibrated.emplace_back(calibration.Confidence(score), ok);
  const Counts all = imagemill::bench::Score(
      photos, labels, "tune", [](const std::string&, const ScoredLabel&) { return true; });
  return imagemill::vision::FitConfidenceScale(calibrated, all.right + all.missed);
}

void PrintDetail(const std::string& name, const std::vector<LabelledPhoto>& photos,
                 const MethodResult& r, const imagemill::bench::KeepLabel& keep) {
  for (const char* split : {"check", "tune"}) {
    std::printf("\n  per class, %s half (%s): right / false / missed, P, R\n", split, name.c_str());
    std::set<std::string> classes;
    for (size_t i = 0; i < photos.size(); ++i) {
      if (photos[i].split != split) continue;
      classes.insert(photos[i].classes.begin(), photos[i].classes.end());
      for (const auto& [cls, l] : r.labels[i]) {
        if (keep(cls, l)) classes.insert(cls);
      }
    }
    for (const std::string& cls : classes) {
      const Counts c = imagemill::bench::Score(photos, r.labels, split, keep, cls);
      if (c.right + c.wrong + c.missed == 0) continue;
      std::printf("    %-14s %3d / %3d / %3d   P %.2f R %.2f\n", cls.c_str(), c.right, c.wrong,
                  c.missed, c.Precision(), c.Recall());
    }
    std::printf("  confusions, %s half: true class -> false label (count)\n   ", split);
    auto confusions = imagemill::bench::Confusions(photos, r.labels, split, keep);
    std::vector<std::pair<int, std::pair<std::string, std::string>>> sorted;
    for (const auto& [pair, n] : confusions) sorted.push_back({n, pair});
    std::sort(sorted.rbegin(), sorted.rend());
    for (const auto& [n, pair] : sorted) {
      std::printf(" %s -> %s (%d);", pair.first.c_str(), pair.second.c_str(), n);
    }
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string source = SourceDir();
  std::string set_path = source + "/bench/label_eval_set.txt";
  std::string photos_dir, models_dir, detail, runs_dir;
  std::string methods =
      "default,precise,nanodet-320,nanodet-320/x0.6,nanodet-320/x0.6/g,nanodet-320/x0.5/c0.9,"
      "nanodet-320/x0.6/h3,nanodet-320/x0.6/or0.4,nanodet-320/x0.6/a0.005,nanodet-416/x0.6,"
      "nanodet-320+mirror/x0.6,centernet-256/x0.6,centernet-384/x0.6,"
      "nanodet-320~centernet-256:0.4-0.7/x0.6,nanodet-320~centernet-256:0.5-0.7/x0.6,"
      "nanodet-320~centernet-256/x0.6,nanodet-320~centernet-384:0.5-0.7/x0.6,"
      "nanodet-320~centernet-256/x0.6/k0.1,nanodet-320~centernet-256/x0.6/cum,"
      "nanodet-320~centernet-256:0.35-0.7/x0.6/cum,nanodet-320/x0.6/cum,"
      "nanodet-320/x0.6/or0.4/cum,nanodet-320/x0.6/a0.005/cum,"
      "nanodet-320~nanodet-320@flip:0.45-0.7/x0.6/w0.5/cum,nanodet-320/x0.6/or0.4/cum/s,"
      "nanodet-320~centernet-256/x0.6/cum/s";
  double min_confidence = 55;
  bool fit = false, verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--set") {
      set_path = next();
    } else if (a == "--photos") {
      photos_dir = next();
    } else if (a == "--methods" || a == "--models") {
      methods = next();
    } else if (a == "--models-dir") {
      models_dir = next();
    } else if (a == "--min-confidence") {
      min_confidence = std::stod(next());
    } else if (a == "--runs") {
      runs_dir = next();
    } else if (a == "--detail") {
      detail = next();
    } else if (a == "--fit") {
      fit = true;
    } else if (a == "--verbose") {
      verbose = true;
    } else {
      Usage("unknown argument " + a);
    }
  }
  if (photos_dir.empty()) {
    const char* cache = std::getenv("IMAGEMILL_CACHE");
    photos_dir = (cache && *cache ? std::string(cache) : source + "/.cache") + "/label-photos";
  }
  const std::vector<LabelledPhoto> photos = imagemill::bench::ReadLabelledSet(set_path);
  std::vector<std::string> bytes;
  for (const LabelledPhoto& p : photos) {
    bytes.push_back(ReadFile(photos_dir + "/" + p.name));
    if (bytes.back().empty()) {
      std::cerr << "label_eval: " << photos_dir << "/" << p.name
                << " is missing; run scripts/fetch-label-eval.sh\n";
      return 2;
    }
  }
  std::vector<Method> list;
  for (const std::string& m : SplitOn(methods, ',')) list.push_back(ParseMethod(m));
  if (!detail.empty()) {
    bool listed = false;
    for (const Method& m : list) listed |= m.name == detail;
    if (!listed) list.push_back(ParseMethod(detail));
  }
  cv::setNumThreads(1);
  int with_objects = 0;
  for (const LabelledPhoto& p : photos) with_objects += !p.classes.empty();
  std::printf("%zu photos (%d with COCO objects) from %s; MinConfidence %g; OpenCV on 1 thread\n",
              photos.size(), with_objects, set_path.c_str(), min_confidence);

  std::map<std::string, NetworkRun> runs;
  for (const Method& m : list) {
    for (const std::string& spec : {m.first, m.second}) {
      if (spec.empty() || runs.count(spec)) continue;
      NetworkRun run;
      if (spec == "default" || spec == "precise") {
        run = RunDefault(spec == "default" ? imagemill::vision::kDefaultLabelModel
                                           : imagemill::vision::kPreciseLabelModel,
                         models_dir, photos, bytes);
      } else if (runs_dir.empty() || !LoadRun(RunsFile(runs_dir, spec), photos, run)) {
        run = RunNetwork(spec, models_dir, photos, bytes);
        if (!runs_dir.empty()) SaveRun(RunsFile(runs_dir, spec), photos, run);
      }
      runs.emplace(spec, std::move(run));
      std::fflush(stdout);
    }
  }

  std::vector<std::string> summary;
  for (const Method& m : list) {
    const MethodResult r = Apply(m, runs);
    const std::vector<std::pair<double, bool>> tune_samples = TuneSamples(photos, r.labels);
    ScoreCalibration fitted = m.cumulative
                                  ? imagemill::vision::FitCumulativeCalibration(tune_samples)
                                  : imagemill::vision::FitCalibration(tune_samples);
    if (m.scaled) fitted.scale = FitScale(fitted, tune_samples, photos, r.labels);
    if (m.noisy_or) fitted.label_from = static_cast<float>(m.or_floor);
    const double threshold_score =
        m.end_to_end ? min_confidence / 100 : fitted.ScoreFor(min_confidence);
    imagemill::bench::KeepLabel at_c = [&](const std::string&, const ScoredLabel& l) {
      return l.score >= threshold_score;
    };
    double best_t = 0.5, best_f1 = -1;
    for (int k = 10; k <= 95; ++k) {
      const double t = k / 100.0;
      const double f1 = imagemill::bench::Score(
                            photos, r.labels, "tune",
                            [&](const std::string&, const ScoredLabel& l) { return l.score >= t; })
                            .F1();
      if (f1 >= best_f1) best_f1 = f1, best_t = t;
    }
    std::printf(
        "\n== %s: CPU per photo %.1f ms (mean; median decode + inputs %.1f)%s\n", m.name.c_str(),
        Mean(r.cpu_ms),
        [&] {
          std::vector<double> v = runs.at(m.first).prepare_cpu_ms;
          std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
          return v[v.size() / 2];
        }(),
        m.second.empty()
            ? ""
            : (" , second opinion on " +
               std::to_string(static_cast<int>(std::lround(100 * r.second_share))) + " % of photos")
                  .c_str());
    if (!m.end_to_end) {
      std::printf("  calibration fitted on tune: {%s}; MinConfidence %g = score %.3f\n",
                  CalibrationValues(fitted).c_str(), min_confidence, threshold_score);
      for (const auto& [calibrated, shown] : fitted.scale.knots) {
        if (shown == 80 || shown == 90) {
          std::printf("  scale: calibrated %.2f (score %.3f) shown as %g\n", calibrated,
                      fitted.ScoreFor(shown), shown);
        }
      }
    }
    Counts at[2];
    for (int s = 0; s < 2; ++s) {
      const char* split = s == 0 ? "tune" : "check";
      at[s] = imagemill::bench::Score(photos, r.labels, split, at_c);
      std::printf("  %-5s @%g: %s\n", split, min_confidence,
                  imagemill::bench::Describe(at[s]).c_str());
    }
    // What a Confidence means to a user: the labels at 80 and 90 (under the fitted calibration,
    // or the built-in one for `default`), on tune and on check.
    for (const char* split : {"tune", "check"}) {
      for (const double at_conf : {80.0, 90.0}) {
        const double t = m.end_to_end ? at_conf / 100 : fitted.ScoreFor(at_conf);
        const Counts c = imagemill::bench::Score(
            photos, r.labels, split,
            [&](const std::string&, const ScoredLabel& l) { return l.score >= t; });
        std::printf("  %-5s @%g: %s\n", split, at_conf, imagemill::bench::Describe(c).c_str());
      }
    }
    const Counts best = imagemill::bench::Score(
        photos, r.labels, "check",
        [&](const std::string&, const ScoredLabel& l) { return l.score >= best_t; });
    std::printf("  check at the best tune score threshold %.2f: %s\n", best_t,
                imagemill::bench::Describe(best).c_str());
    if (fit && !m.end_to_end) {
      std::printf("  calibration line (for %s): {\"%s\", %s},\n", m.name.c_str(),
                  (m.first + (m.second.empty() ? "" : "~" + m.second)).c_str(),
                  CalibrationLine(fitted).c_str());
    }
    char row[400];
    std::snprintf(row, sizeof(row),
                  "| `%s` | %.0f | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %.2f | %.2f / %.2f / "
                  "%.2f (score ≥ %.2f) |",
                  m.name.c_str(), Mean(r.cpu_ms), at[0].Precision(), at[0].Recall(), at[0].F1(),
                  at[1].Precision(), at[1].Recall(), at[1].F1(), at[1].FalsePerEmptyPhoto(),
                  best.Precision(), best.Recall(), best.F1(), best_t);
    summary.push_back(row);
    if (m.name == detail) PrintDetail(m.name, photos, r, at_c);
    if (verbose) {
      for (size_t i = 0; i < photos.size(); ++i) {
        std::printf("    %-5s %-40s", photos[i].split.c_str(), photos[i].name.c_str());
        for (const auto& [cls, l] : r.labels[i]) {
          if (l.score < 0.2) continue;
          const char* mark = photos[i].classes.count(cls)    ? "+"
                             : photos[i].optional.count(cls) ? "~"
                                                             : "!";
          std::string shown = cls;
          std::replace(shown.begin(), shown.end(), ' ', '_');
          std::printf(" %s%s:%.2f", mark, shown.c_str(), l.score);
        }
        for (const std::string& cls : photos[i].classes) {
          if (!r.labels[i].count(cls)) {
            std::string shown = cls;
            std::replace(shown.begin(), shown.end(), ' ', '_');
            std::printf(" -%s", shown.c_str());
          }
        }
        std::printf("\n");
      }
    }
    std::fflush(stdout);
  }
  std::printf(
      "\n| method | CPU ms per photo | tune @%g: P / R / F1 | check @%g: P / R / F1 | check: false "
      "labels per photo with no COCO object | check at the best tune score threshold: P / R / F1 "
      "|\n|---|---|---|---|---|---|\n",
      min_confidence, min_confidence);
  for (const std::string& row : summary) std::printf("%s\n", row.c_str());
  return 0;
}
