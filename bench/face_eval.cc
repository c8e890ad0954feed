// face_eval: how well and how fast the face detector finds the faces of the labelled photo set
// bench/face_eval_set.txt (fetched by `scripts/fetch-label-eval.sh bench/face_eval_set.txt
// face-eval`; `make face-eval` does both). The figures in docs/faces.md come from this program.
//
//   face_eval [--set bench/face_eval_set.txt] [--photos .cache/face-eval] [--models-dir DIR]
//             [--scores 0.5,0.6,0.65,0.7,0.75,0.8] [--verbose]
//
// Each photo is prepared as the faces processor prepares it (decode, letterbox) and the detector
// runs once, OpenCV on one thread; faces are then kept at each score threshold. A found face is
// right when its centre lies inside a listed face's box not yet matched and its width is between
// a third of and 1.5 times that box's width (face boxes are drawn differently by every
// annotator; this asks for the same face at about the same size); it is ignored when its centre
// lies in an optional region (a painted or drawn face, a face turned away, a crowd of tiny faces)
// and false otherwise. A listed face left unmatched
// is missed. Precision = right / (right + false), recall = right / (right + missed). Times are
// per photo, medians: prepare (decode + network input) and detect (forward pass + decoding the
// anchors), as wall time and as this thread's CPU time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <opencv2/core.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "eval_util.h"
#include "vision/decode/image.h"
#include "vision/faces/face_detector.h"
#include "vision/properties/image_properties.h"

namespace {

using imagemill::bench::Median;
using imagemill::bench::ReadFile;
using imagemill::bench::ThreadCpuMs;

using imagemill::vision::Face;

struct Photo {
  std::string name;
  std::vector<cv::Rect2f> faces, optional;
};

std::vector<cv::Rect2f> Boxes(const std::string& s) {
  std::vector<cv::Rect2f> out;
  if (s == "-") return out;
  std::stringstream in(s);
  std::string box;
  while (std::getline(in, box, ';')) {
    float l = 0, t = 0, w = 0, h = 0;
    if (std::sscanf(box.c_str(), "%f,%f,%f,%f", &l, &t, &w, &h) == 4) out.emplace_back(l, t, w, h);
  }
  return out;
}

std::vector<Photo> ReadSet(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "face_eval: cannot read " << path << "\n";
    std::exit(2);
  }
  std::vector<Photo> photos;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream fields(line);
    std::string name, split, package, file, faces, optional;
    if (!(fields >> name >> split >> package >> file >> faces >> optional)) continue;
    photos.push_back({name, Boxes(faces), Boxes(optional)});
  }
  return photos;
}

bool Matches(const Face& f, const cv::Rect2f& truth) {
  const cv::Point2f c(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2);
  return truth.contains(c) && f.box.width >= truth.width / 3 && f.box.width <= truth.width * 1.5f;
}

struct Counts {
  int right = 0, wrong = 0, missed = 0, wrong_on_empty = 0;
};

// Scores the faces of one photo kept at `min_score`.
void Score(const Photo& p, const std::vector<Face>& found, float min_score, Counts& c,
           bool verbose) {
  std::vector<bool> used(p.faces.size(), false);
  for (const Face& f : found) {
    if (f.score < min_score) continue;
    bool matched = false;
    for (size_t i = 0; i < p.faces.size() && !matched; ++i) {
      if (!used[i] && Matches(f, p.faces[i])) used[i] = matched = true;
    }
    if (matched) {
      ++c.right;
      continue;
    }
    const cv::Point2f centre(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2);
    if (std::any_of(p.optional.begin(), p.optional.end(),
                    [&](const cv::Rect2f& o) { return o.contains(centre); })) {
      continue;
    }
    ++c.wrong;
    if (p.faces.empty()) ++c.wrong_on_empty;
    if (verbose) {
      std::printf("  false %s: %.3f,%.3f,%.3f,%.3f score %.2f\n", p.name.c_str(), f.box.x, f.box.y,
                  f.box.width, f.box.height, f.score);
    }
  }
  for (size_t i = 0; i < used.size(); ++i) {
    if (used[i]) continue;
    ++c.missed;
    if (verbose) std::printf("  missed %s face %zu\n", p.name.c_str(), i);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string set = "bench/face_eval_set.txt", photos_dir = ".cache/face-eval", models_dir;
  std::string scores_arg = "0.5,0.6,0.65,0.7,0.75,0.8";
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "face_eval: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--set")
      set = next();
    else if (a == "--photos")
      photos_dir = next();
    else if (a == "--models-dir")
      models_dir = next();
    else if (a == "--scores")
      scores_arg = next();
    else if (a == "--verbose")
      verbose = true;
    else {
      std::cerr << "face_eval: unknown argument " << a << "\n";
      return 2;
    }
  }
  cv::setNumThreads(1);
  std::vector<float> thresholds;
  std::stringstream ts(scores_arg);
  for (std::string t; std::getline(ts, t, ',');) thresholds.push_back(std::stof(t));
  const float lowest = *std::min_element(thresholds.begin(), thresholds.end());

  auto model = imagemill::vision::FaceModelPath(models_dir);
  if (!model.ok()) {
    std::cerr << "face_eval: " << model.status().message() << "\n";
    return 2;
  }
  imagemill::vision::FaceDetectorOptions options;
  options.model = *model;
  options.min_score = lowest;
  auto detector = imagemill::vision::FaceDetector::Open(options);
  if (!detector.ok()) {
    std::cerr << "face_eval: " << detector.status().message() << "\n";
    return 2;
  }
  const std::vector<Photo> photos = ReadSet(set);
  std::vector<std::vector<Face>> found(photos.size());
  std::vector<double> prepare_ms, detect_ms, prepare_cpu, detect_cpu;
  int faces = 0, with_faces = 0;
  for (size_t i = 0; i < photos.size(); ++i) {
    const Photo& p = photos[i];
    faces += static_cast<int>(p.faces.size());
    with_faces += !p.faces.empty();
    const std::string bytes = ReadFile(photos_dir + "/" + p.name);
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = ThreadCpuMs();
    imagemill::vision::DecodeOptions decode;
    decode.min_long_side = imagemill::vision::kAnalysisLongSide;
    auto image = imagemill::vision::DecodeImage(bytes, p.name, decode);
    if (!image.ok()) {
      std::cerr << "face_eval: " << image.status().ToString() << "\n";
      return 1;
    }
    const imagemill::vision::FaceInput input = imagemill::vision::MakeFaceInput(image->bgr);
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = ThreadCpuMs();
    auto result = (*detector)->Detect(input);
    const auto t2 = std::chrono::steady_clock::now();
    const double c2 = ThreadCpuMs();
    if (!result.ok()) {
      std::cerr << "face_eval: " << result.status().ToString() << "\n";
      return 1;
    }
    found[i] = *result;
    prepare_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    detect_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    prepare_cpu.push_back(c1 - c0);
    detect_cpu.push_back(c2 - c1);
    if (verbose) {
      std::printf("%s: %zu found\n", p.name.c_str(), found[i].size());
      for (const Face& f : found[i]) {
        std::printf("    %.3f,%.3f,%.3f,%.3f score %.3f\n", f.box.x, f.box.y, f.box.width,
                    f.box.height, f.score);
      }
    }
  }
  std::printf("%zu photos (%d with faces, %d faces listed; %zu without faces)\n", photos.size(),
              with_faces, faces, photos.size() - with_faces);
  std::printf(
      "| min score | precision | recall | right | false (on photos without faces) | missed |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (float t : thresholds) {
    Counts c;
    for (size_t i = 0; i < photos.size(); ++i)
      Score(photos[i], found[i], t, c, verbose && t == 0.75f);
    const double precision = c.right + c.wrong ? double(c.right) / (c.right + c.wrong) : 1;
    const double recall = c.right + c.missed ? double(c.right) / (c.right + c.missed) : 1;
    std::printf("| %.2f | %.2f | %.2f | %d | %d (%d) | %d |\n", t, precision, recall, c.right,
                c.wrong, c.wrong_on_empty, c.missed);
  }
  std::printf("per photo, median: prepare %.1f ms (CPU %.1f), detect %.1f ms (CPU %.1f)\n",
              Median(prepare_ms), Median(prepare_cpu), Median(detect_ms), Median(detect_cpu));
  return 0;
}
