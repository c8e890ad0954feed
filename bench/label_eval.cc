// label_eval: how well and how fast label models label the photo set of bench/label_eval_set.txt
// (fetched by scripts/fetch-label-eval.sh). The default label model, its calibration and the
// figures in docs/labels.md come from this program.
//
//   label_eval [--models nanodet-320,nanodet-416,...] [--min-confidence 55] [--fit] [--verbose]
//              [--set bench/label_eval_set.txt] [--photos .cache/label-eval] [--models-dir DIR]
//
// Each model labels every photo once, OpenCV on one thread. A photo's labels are its classes
// with their best score. Against the list: a label is right when the class is one of the photo's
// classes, ignored when it is one of its optional classes, and false otherwise; a class of the
// photo that is not labelled is missed. Precision = right / (right + false), recall = right /
// (right + missed). For each model and split (tune, check) it reports:
//   - at the raw score threshold that maximises F1 on the tune split;
//   - at MinConfidence C under a calibration fitted on the tune split (--fit prints it as the
//     line to put in src/vision/labels/score_calibration.cc), and under the calibration built in.
// Times are per photo: prepare (decode at reduced scale + network inputs) and run (forward passes,
// merging), medians over the photos, as wall time and as this thread's CPU time (the latter
// hardly depends on what else the machine is doing).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <opencv2/core.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "eval_util.h"
#include "vision/decode/image.h"
#include "vision/labels/label_model.h"
#include "vision/labels/score_calibration.h"
#include "vision/properties/image_properties.h"

namespace {

using imagemill::bench::Median;
using imagemill::bench::ReadFile;
using imagemill::bench::ThreadCpuMs;

using imagemill::vision::FoundObject;
using imagemill::vision::LabelModel;
using imagemill::vision::ScoreCalibration;

struct Photo {
  std::string name, split;
  std::set<std::string> classes, optional;
};

struct Outcome {
  std::map<std::string, double> best;         // class -> best raw score
  double prepare_ms = 0, run_ms = 0;          // wall clock
  double prepare_cpu_ms = 0, run_cpu_ms = 0;  // this thread's CPU time
};

struct Counts {
  int right = 0, wrong = 0, missed = 0, wrong_on_empty = 0;
  double Precision() const { return right + wrong ? double(right) / (right + wrong) : 1; }
  double Recall() const { return right + missed ? double(right) / (right + missed) : 1; }
  double F1() const {
    const double p = Precision(), r = Recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
};

std::set<std::string> SplitList(const std::string& s) {
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

std::vector<Photo> ReadSet(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "label_eval: cannot read " << path << "\n";
    std::exit(2);
  }
  std::vector<Photo> photos;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream fields(line);
    std::string name, split, package, file, classes, optional;
    if (!(fields >> name >> split >> package >> file >> classes >> optional)) continue;
    photos.push_back({name, split, SplitList(classes), SplitList(optional)});
  }
  return photos;
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

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// `keep(score)` decides which labels a photo gets.
template <typename Keep>
Counts Score(const std::vector<Photo>& photos, const std::vector<Outcome>& outcomes,
             const std::string& split, Keep keep) {
  Counts c;
  for (size_t i = 0; i < photos.size(); ++i) {
    const Photo& p = photos[i];
    if (p.split != split) continue;
    std::set<std::string> labelled;
    for (const auto& [cls, score] : outcomes[i].best) {
      if (keep(score)) labelled.insert(cls);
    }
    for (const std::string& cls : labelled) {
      if (p.classes.count(cls)) {
        ++c.right;
      } else if (!p.optional.count(cls)) {
        ++c.wrong;
        if (p.classes.empty()) ++c.wrong_on_empty;
      }
    }
    for (const std::string& cls : p.classes) c.missed += labelled.count(cls) == 0;
  }
  return c;
}

std::string Describe(const Counts& c) {
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "P %.2f R %.2f F1 %.2f (right %d, false %d [%d on empty photos], missed %d)",
                c.Precision(), c.Recall(), c.F1(), c.right, c.wrong, c.wrong_on_empty, c.missed);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string source = SourceDir();
  std::string set_path = source + "/bench/label_eval_set.txt";
  std::string photos_dir;
  std::string models =
      "nanodet-288,nanodet-320,nanodet-352,nanodet-384,nanodet-416,nanodet-448,nanodet-512,"
      "nanodet-320+mirror,nanodet-416+mirror,nanodet-320+mirror+max,centernet-384,centernet-512,"
      "nanodet-320+centernet-512,nanodet-416+centernet-512,nanodet-320+centernet-512+max";
  std::string models_dir;
  double min_confidence = 55;
  bool fit = false, verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "label_eval: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--set")
      set_path = next();
    else if (a == "--photos")
      photos_dir = next();
    else if (a == "--models")
      models = next();
    else if (a == "--models-dir")
      models_dir = next();
    else if (a == "--min-confidence")
      min_confidence = std::stod(next());
    else if (a == "--fit")
      fit = true;
    else if (a == "--verbose")
      verbose = true;
    else {
      std::cerr << "usage: label_eval [--models A,B] [--min-confidence C] [--fit] [--verbose] "
                   "[--set FILE] [--photos DIR] [--models-dir DIR]\n";
      return 2;
    }
  }
  if (photos_dir.empty()) {
    const char* cache = std::getenv("IMAGEMILL_CACHE");
    photos_dir = (cache && *cache ? std::string(cache) : source + "/.cache") + "/label-eval";
  }
  const std::vector<Photo> photos = ReadSet(set_path);
  std::vector<std::string> bytes;
  for (const Photo& p : photos) {
    bytes.push_back(ReadFile(photos_dir + "/" + p.name));
    if (bytes.back().empty()) {
      std::cerr << "label_eval: " << photos_dir << "/" << p.name
                << " is missing; run scripts/fetch-label-eval.sh\n";
      return 2;
    }
  }
  cv::setNumThreads(1);
  std::printf("%zu photos (%s); MinConfidence %g; OpenCV on 1 thread\n\n", photos.size(),
              set_path.c_str(), min_confidence);

  std::stringstream model_list(models);
  std::string spec;
  while (std::getline(model_list, spec, ',')) {
    imagemill::vision::LabelModelOptions o;
    o.builtin = spec;
    o.models_dir = models_dir;
    auto model = LabelModel::Open(o);
    if (!model.ok()) {
      std::cerr << "label_eval: " << model.status().ToString() << "\n";
      return 1;
    }
    auto runner = (*model)->NewRunner();
    if (!runner.ok()) {
      std::cerr << "label_eval: " << runner.status().ToString() << "\n";
      return 1;
    }
    std::vector<Outcome> outcomes(photos.size());
    for (size_t i = 0; i < photos.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = ThreadCpuMs();
      imagemill::vision::DecodeOptions decode;
      decode.min_side = (*model)->MinInputSide();
      decode.min_long_side = imagemill::vision::kAnalysisLongSide;  // as LabelsProcessor decodes
      auto image = imagemill::vision::DecodeImage(bytes[i], photos[i].name, decode);
      if (!image.ok()) {
        std::cerr << "label_eval: " << image.status().ToString() << "\n";
        return 1;
      }
      const std::vector<cv::Mat> inputs = (*model)->MakeInputs(image->bgr);
      const auto t1 = std::chrono::steady_clock::now();
      const double c1 = ThreadCpuMs();
      auto found = (*runner)->Run(inputs);
      const auto t2 = std::chrono::steady_clock::now();
      const double c2 = ThreadCpuMs();
      if (!found.ok()) {
        std::cerr << "label_eval: " << found.status().ToString() << "\n";
        return 1;
      }
      outcomes[i].prepare_ms = Ms(t1 - t0);
      outcomes[i].run_ms = Ms(t2 - t1);
      outcomes[i].prepare_cpu_ms = c1 - c0;
      outcomes[i].run_cpu_ms = c2 - c1;
      for (const FoundObject& f : *found) {
        double& best = outcomes[i].best[f.class_name];
        best = std::max(best, f.score);
      }
    }

    // The raw threshold with the best F1 on the tune split, and a calibration fitted there.
    double best_t = 0.5, best_f1 = -1;
    for (int k = 10; k <= 90; ++k) {
      const double t = k / 100.0;
      const double f1 = Score(photos, outcomes, "tune", [&](double s) { return s >= t; }).F1();
      if (f1 >= best_f1) {
        best_f1 = f1;
        best_t = t;
      }
    }
    std::vector<std::pair<double, bool>> samples;
    for (size_t i = 0; i < photos.size(); ++i) {
      if (photos[i].split != "tune") continue;
      for (const auto& [cls, score] : outcomes[i].best) {
        if (!photos[i].optional.count(cls))
          samples.emplace_back(score, photos[i].classes.count(cls) > 0);
      }
    }
    const ScoreCalibration fitted = imagemill::vision::FitCalibration(samples);
    std::string bands;
    for (int lo = 1; lo < 10; ++lo) {
      int right = 0, all = 0;
      for (const auto& [score, ok] : samples) {
        if (score >= lo / 10.0 && (score < (lo + 1) / 10.0 || lo == 9)) {
          ++all;
          right += ok;
        }
      }
      char buf[32];
      std::snprintf(buf, sizeof(buf), " %.1f: %d/%d", lo / 10.0, right, all);
      bands += buf;
    }
    const ScoreCalibration built_in = imagemill::vision::CalibrationFor((*model)->name());

    std::vector<double> prepare, run, prepare_cpu, run_cpu;
    for (const Outcome& o : outcomes) {
      prepare.push_back(o.prepare_ms);
      run.push_back(o.run_ms);
      prepare_cpu.push_back(o.prepare_cpu_ms);
      run_cpu.push_back(o.run_cpu_ms);
    }
    std::printf("== %s: per photo, medians: prepare %.1f ms (CPU %.1f), run %.1f ms (CPU %.1f)\n",
                (*model)->name().c_str(), Median(prepare), Median(prepare_cpu), Median(run),
                Median(run_cpu));
    std::printf("  tune labels right/all by score band:%s\n", bands.c_str());
    std::string values;
    for (double v : fitted.values) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "%s%.3f", values.empty() ? "" : ", ", v);
      values += buf;
    }
    std::printf("  fitted calibration: {%s} (MinConfidence %g = raw score %.3f)\n", values.c_str(),
                min_confidence, fitted.ScoreFor(min_confidence));
    for (const char* split : {"tune", "check"}) {
      std::printf(
          "  %-5s raw >= %.2f (best tune F1): %s\n", split, best_t,
          Describe(Score(photos, outcomes, split, [&](double s) { return s >= best_t; })).c_str());
      std::printf("  %-5s MinConfidence %g, fitted:    %s\n", split, min_confidence,
                  Describe(Score(photos, outcomes, split, [&](double s) {
                    return fitted.Confidence(s) >= min_confidence;
                  })).c_str());
      std::printf("  %-5s MinConfidence %g, built in:  %s\n", split, min_confidence,
                  Describe(Score(photos, outcomes, split, [&](double s) {
                    return built_in.Confidence(s) >= min_confidence;
                  })).c_str());
    }
    if (fit) {
      std::printf("  calibration line: {\"%s\", {{%s}}},\n", (*model)->name().c_str(),
                  values.c_str());
    }
    if (verbose) {
      for (size_t i = 0; i < photos.size(); ++i) {
        std::printf("    %-5s %-20s", photos[i].split.c_str(), photos[i].name.c_str());
        for (const auto& [cls, score] : outcomes[i].best) {
          if (score < 0.2) continue;
          const char* mark = photos[i].classes.count(cls)    ? "+"
                             : photos[i].optional.count(cls) ? "~"
                                                             : "!";
          std::printf(" %s%s:%.2f", mark, cls.c_str(), score);
        }
        for (const std::string& cls : photos[i].classes) {
          if (!outcomes[i].best.count(cls)) std::printf(" -%s", cls.c_str());
        }
        std::printf("\n");
      }
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}
