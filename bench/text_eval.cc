// text_eval: how well and how fast `imagemill`'s text processor finds and reads text, on the
// photos of bench/text_eval_set.txt (signs, documents, photos without text; fetched by
// `scripts/fetch-label-eval.sh bench/text_eval_set.txt text-eval`) and on documents and
// screenshots drawn with their words known (bench/text_pages.h). The figures in docs/text.md
// come from this program (`make text-eval`).
//
//   text_eval [--documents 8] [--screenshots 8] [--max-side 960] [--threshold 0.3]
//             [--box-threshold 0.5] [--unclip-ratio 1.5] [--line-height 48]
//             [--min-word-confidence 45] [--all-words] [--verbose] [--write DIR]
//             [--set bench/text_eval_set.txt] [--photos .cache/text-eval] [--models-dir DIR]
//             [--label-cost]
//
// Every image goes through the processor `run --processor text` uses (Prepare, then a worker's
// Process), one image at a time, OpenCV on one thread. A word read is compared with the image's
// words without case and without the punctuation around it: right when it matches a word not
// matched yet, ignored when it matches an optional one, false otherwise. Recall = right / words
// in the images; precision = right / (right + false). Rekognition's limit of 100 words an
// image is kept unless --all-words (two of the book pages have about 170). Cost is the process's
// CPU time per image (decoding, detection and reading; Tesseract may use threads of its own),
// and its wall time, medians over each kind.
//
// It also counts the images the "Text" label of DetectLabels (`--extra-labels text`,
// vision/text/text_labels.h) fires on, at MinConfidence 55 (Rekognition's default) and 80 (the
// seed's), per kind; with --label-cost it runs the default labels processor over every image
// without and with the text label source and prints the CPU each costs per image.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <opencv2/core.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "text_pages.h"
#include "vision/decode/image.h"
#include "vision/labels/detect_labels_answer.h"
#include "vision/labels/labels_processor.h"
#include "vision/text/text_labels.h"
#include "vision/text/text_processor.h"

namespace {

namespace fs = std::filesystem;
using imagemill::ObjectInfo;
using imagemill::vision::TextProcessor;
using imagemill::vision::TextProcessorOptions;

struct Sample {
  std::string name, kind, bytes;
  std::vector<std::string> words, optional;
};

struct Counts {
  int images = 0, words = 0, right = 0, wrong = 0, images_with_false = 0;
  int text_label_55 = 0, text_label_80 = 0;  // images the "Text" label fires on
  std::vector<double> cpu_ms, wall_ms;
  double Recall() const { return words ? static_cast<double>(right) / words : 1; }
  double Precision() const {
    return right + wrong ? static_cast<double>(right) / (right + wrong) : 1;
  }
  // "0.99 | 1.00", or dashes for images without words to read (photos without text).
  std::string RecallPrecision() const {
    if (words == 0) return "– | –";
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f | %.2f", Recall(), Precision());
    return buf;
  }
};

std::string Normal(const std::string& word) {
  size_t a = 0, b = word.size();
  auto punct = [](char c) { return std::ispunct(static_cast<unsigned char>(c)) != 0; };
  while (a < b && punct(word[a])) ++a;
  while (b > a && punct(word[b - 1])) --b;
  std::string out = word.substr(a, b - a);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// `name`'s value as given, or `fallback`'s default as a string.
template <typename T>
std::string Default(T value) {
  std::ostringstream s;
  s << value;
  return s.str();
}

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

bool Flag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == name) return true;
  }
  return false;
}

std::vector<Sample> ReadSet(const fs::path& list, const fs::path& photos) {
  std::vector<Sample> out;
  std::ifstream in(list);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Sample s;
    std::string package, path, word;
    if (!(fields >> s.name >> s.kind >> package >> path)) continue;
    while (fields >> word) {
      if (word == "-") continue;
      (word[0] == '?' ? s.optional : s.words)
          .push_back(Normal(word[0] == '?' ? word.substr(1) : word));
    }
    std::ifstream photo(photos / s.name, std::ios::binary);
    if (!photo) {
      std::cerr
          << "text_eval: " << (photos / s.name).string()
          << " is missing; run scripts/fetch-label-eval.sh bench/text_eval_set.txt text-eval\n";
      std::exit(2);
    }
    std::stringstream bytes;
    bytes << photo.rdbuf();
    s.bytes = bytes.str();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

// The CPU per image of the default labels processor (Prepare and Process), without and with the
// "Text" label source, medians over `samples`; prints them. 0, or 2 when a model does not load.
int LabelCost(const std::vector<Sample>& samples, const TextProcessorOptions& text) {
  auto source = imagemill::vision::TextLabelSource::Open(text);
  if (!source.ok()) {
    std::cerr << "text_eval: " << source.status().message() << "\n";
    return 2;
  }
  std::printf("\nWhat the \"Text\" label costs in DetectLabels (default label model, CPU ms an "
              "image, median):\n\n| label sources | all | photos without text |\n|---|---|---|\n");
  for (bool with_text : {false, true}) {
    imagemill::vision::LabelsProcessorOptions o;
    if (with_text) o.sources.push_back(*source);
    auto processor = imagemill::vision::LabelsProcessor::Open(o);
    auto worker = processor.ok() ? (*processor)->NewWorker() : processor.status();
    if (!worker.ok()) {
      std::cerr << "text_eval: " << worker.status().message() << "\n";
      return 2;
    }
    std::vector<double> all, photos;
    for (const Sample& s : samples) {
      ObjectInfo item;
      item.key = s.name;
      item.size = s.bytes.size();
      const double cpu0 = CpuMs();
      auto prepared = (*processor)->Prepare(item, s.bytes);
      auto processed = prepared.ok() ? (*worker)->Process(item, **prepared) : prepared.status();
      if (!processed.ok()) {
        std::cerr << "text_eval: " << processed.status().ToString() << "\n";
        return 1;
      }
      all.push_back(CpuMs() - cpu0);
      if (s.words.empty()) photos.push_back(all.back());
    }
    std::printf("| %s | %.0f | %.0f |\n", with_text ? "labels + text" : "labels",
                Median(all), Median(photos));
  }
  return 0;
}

int main(int argc, char** argv) {
  const char* cache_env = std::getenv("IMAGEMILL_CACHE");
  const fs::path cache = cache_env != nullptr ? fs::path(cache_env) : fs::path(".cache");
  const fs::path set = Arg(argc, argv, "--set", "bench/text_eval_set.txt");
  const fs::path photos = Arg(argc, argv, "--photos", (cache / "text-eval").string());
  const bool verbose = Flag(argc, argv, "--verbose");
  const std::string write_dir = Arg(argc, argv, "--write", "");
  cv::setNumThreads(1);

  TextProcessorOptions options;
  auto& d = options.detector;
  auto& r = options.reading;
  d.max_side = std::stoi(Arg(argc, argv, "--max-side", Default(d.max_side)));
  d.models_dir = Arg(argc, argv, "--models-dir", "");
  d.threshold = std::stof(Arg(argc, argv, "--threshold", Default(d.threshold)));
  d.box_threshold = std::stof(Arg(argc, argv, "--box-threshold", Default(d.box_threshold)));
  d.unclip_ratio = std::stof(Arg(argc, argv, "--unclip-ratio", Default(d.unclip_ratio)));
  r.line_height = std::stoi(Arg(argc, argv, "--line-height", Default(r.line_height)));
  r.min_confidence = std::stof(Arg(argc, argv, "--min-word-confidence", Default(r.min_confidence)));
  if (Flag(argc, argv, "--all-words")) options.max_words = 1 << 20;
  auto processor = TextProcessor::Open(options);
  if (!processor.ok()) {
    std::cerr << "text_eval: " << processor.status().message() << "\n";
    return 2;
  }
  auto worker = (*processor)->NewWorker();
  if (!worker.ok()) {
    std::cerr << "text_eval: " << worker.status().message() << "\n";
    return 2;
  }
  // The detector alone, for the "Text" label of DetectLabels (its best region's score).
  auto detector = imagemill::vision::TextDetector::Open(options.detector);
  auto detector_runner = detector.ok() ? (*detector)->NewRunner() : detector.status();
  if (!detector_runner.ok()) {
    std::cerr << "text_eval: " << detector_runner.status().message() << "\n";
    return 2;
  }

  std::vector<Sample> samples = ReadSet(set, photos);
  for (auto make : {&imagemill::bench::MakeDocuments, &imagemill::bench::MakeScreenshots}) {
    const bool docs = make == &imagemill::bench::MakeDocuments;
    const int count = std::stoi(Arg(argc, argv, docs ? "--documents" : "--screenshots", "8"));
    for (imagemill::bench::TextPage& p : make(count, docs ? 1 : 2)) {
      Sample s{p.name, p.kind, std::move(p.bytes), {}, {}};
      for (const std::string& w : p.words) s.words.push_back(Normal(w));
      if (!write_dir.empty())
        std::ofstream(fs::path(write_dir) / s.name, std::ios::binary) << s.bytes;
      samples.push_back(std::move(s));
    }
  }

  std::map<std::string, Counts> by_kind;
  std::vector<std::pair<float, bool>> best_scores;  // an image's best region, whether it has text
  for (const Sample& s : samples) {
    ObjectInfo item;
    item.key = s.name;
    item.size = s.bytes.size();
    const double cpu0 = CpuMs();
    const auto wall0 = std::chrono::steady_clock::now();
    auto prepared = (*processor)->Prepare(item, s.bytes);
    if (!prepared.ok()) {
      std::cerr << "text_eval: " << prepared.status().ToString() << "\n";
      return 1;
    }
    auto processed = (*worker)->Process(item, **prepared);
    if (!processed.ok()) {
      std::cerr << "text_eval: " << processed.status().ToString() << "\n";
      return 1;
    }
    const nlohmann::json& answer = processed->response;
    const double cpu = CpuMs() - cpu0;
    const double wall =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall0).count();

    auto image = imagemill::vision::DecodeImage(s.bytes, s.name);
    auto boxes = (*detector_runner)->Detect((*detector)->MakeInput(image->bgr));
    float best = 0;
    for (const auto& b : *boxes) best = std::max(best, b.score);
    best_scores.emplace_back(best, !s.words.empty());

    std::map<std::string, int> left, optional;
    for (const std::string& w : s.words) ++left[w];
    for (const std::string& w : s.optional) ++optional[w];
    int right = 0, wrong = 0;
    std::string misread;
    for (const auto& d : answer["TextDetections"]) {
      if (d["Type"] != "WORD") continue;
      const std::string w = Normal(d["DetectedText"].get<std::string>());
      if (w.empty()) continue;
      if (left[w] > 0) {
        --left[w], ++right;
      } else if (optional[w] > 0) {
        --optional[w];
      } else {
        ++wrong;
        misread += " " + d["DetectedText"].get<std::string>();
      }
    }
    Counts& c = by_kind[s.kind];
    imagemill::vision::LabelSettings label_settings;
    const auto text_objects = imagemill::vision::TextLabelObjects(answer);
    c.text_label_55 += imagemill::vision::LabelsJson(text_objects, label_settings).empty() ? 0 : 1;
    label_settings.min_confidence = 80;
    c.text_label_80 += imagemill::vision::LabelsJson(text_objects, label_settings).empty() ? 0 : 1;
    ++c.images;
    c.words += static_cast<int>(s.words.size());
    c.right += right;
    c.wrong += wrong;
    c.images_with_false += wrong > 0 ? 1 : 0;
    c.cpu_ms.push_back(cpu);
    c.wall_ms.push_back(wall);
    if (verbose) {
      std::string missed;
      for (const auto& [w, n] : left) {
        for (int k = 0; k < n; ++k) missed += " " + w;
      }
      std::fprintf(stderr, "%-20s %-10s right %3d/%-3zu false %2d  cpu %6.0f ms  false:%s\n",
                   s.name.c_str(), s.kind.c_str(), right, s.words.size(), wrong, cpu,
                   misread.c_str());
      if (!missed.empty()) std::fprintf(stderr, "%33s missed:%s\n", "", missed.c_str());
    }
  }

  std::printf(
      "text_eval: %s, detector side %d, threshold %g, box threshold %g, unclip ratio %g, line "
      "height %d, word confidence >= %g%s\n\n",
      (*processor)->model_version().c_str(), options.detector.max_side, options.detector.threshold,
      options.detector.box_threshold, options.detector.unclip_ratio, options.reading.line_height,
      options.reading.min_confidence,
      options.max_words > 100 ? ", every word" : ", at most 100 words an image");
  std::printf(
      "| kind | images | words | read right | recall | precision | false words | "
      "images with a false word | CPU ms/image (median) | wall ms/image (median) |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  Counts total;
  for (const auto& [kind, c] : by_kind) {
    std::printf("| %s | %d | %d | %d | %s | %d | %d | %.0f | %.0f |\n", kind.c_str(), c.images,
                c.words, c.right, c.RecallPrecision().c_str(), c.wrong, c.images_with_false,
                Median(c.cpu_ms), Median(c.wall_ms));
    total.images += c.images, total.words += c.words, total.right += c.right;
    total.wrong += c.wrong, total.images_with_false += c.images_with_false;
    total.cpu_ms.insert(total.cpu_ms.end(), c.cpu_ms.begin(), c.cpu_ms.end());
    total.wall_ms.insert(total.wall_ms.end(), c.wall_ms.begin(), c.wall_ms.end());
  }
  std::printf("| all | %d | %d | %d | %s | %d | %d | %.0f | %.0f |\n", total.images, total.words,
              total.right, total.RecallPrecision().c_str(), total.wrong, total.images_with_false,
              Median(total.cpu_ms), Median(total.wall_ms));

  std::printf("\nThe \"Text\" label (--extra-labels text): images labelled Text\n\n");
  std::printf("| kind | images | at MinConfidence 55 | at MinConfidence 80 |\n|---|---|---|---|\n");
  for (const auto& [kind, c] : by_kind) {
    std::printf("| %s | %d | %d | %d |\n", kind.c_str(), c.images, c.text_label_55,
                c.text_label_80);
  }
  if (Flag(argc, argv, "--label-cost")) {
    if (int failed = LabelCost(samples, options)) return failed;
  }

  std::printf("\nThe \"Text\" label from the detector alone (an image's best region's score):\n\n");
  std::printf(
      "| best region's score at least | images with text found | photos without text "
      "found |\n|---|---|---|\n");
  for (float t : {0.5f, 0.6f, 0.7f, 0.8f, 0.9f}) {
    int with = 0, with_found = 0, without = 0, without_found = 0;
    for (const auto& [score, has_text] : best_scores) {
      (has_text ? with : without) += 1;
      if (score >= t) (has_text ? with_found : without_found) += 1;
    }
    std::printf("| %.1f | %d of %d | %d of %d |\n", t, with_found, with, without_found, without);
  }
  return 0;
}
