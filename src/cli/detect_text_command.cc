// imagemill detect-text IMAGE: find and read the text in one image and print Rekognition's
// DetectText response, through the same call the DetectText API answers with
// (TextProcessor::DetectText); --annotate draws what was found.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "cli/command.h"
#include "vision/decode/image.h"
#include "vision/text/annotate_text.h"
#include "vision/text/text_processor.h"

namespace imagemill::cli {
namespace {

struct DetectTextFlags {
  std::string image;
  std::string annotate;
  std::string settings;  // a DetectText request (Filters), inline or a file
  std::optional<float> min_confidence;
  std::string models_dir;
  uint64_t max_pixels = vision::kDefaultMaxPixels;
  int dnn_threads = 0;
};

Result<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    return Status::InvalidArgument("cannot read " + path + " (give the path of " + what + ")");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Status ResolveSettings(const DetectTextFlags& f, vision::TextSettings& settings) {
  if (!f.settings.empty()) {
    std::string text = f.settings;
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || text[first] != '{') {
      Result<std::string> file = ReadFile(f.settings, "a file holding a DetectText request");
      if (!file.ok()) return Status::InvalidArgument("--settings: " + file.status().message());
      text = *file;
    }
    nlohmann::json request;
    try {
      request = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      return Status::InvalidArgument("--settings is not valid JSON: " + std::string(e.what()));
    }
    if (Status s = settings.MergeJson(request); !s.ok()) {
      return Status::InvalidArgument("--settings: " + s.message());
    }
  }
  if (f.min_confidence) settings.min_confidence = *f.min_confidence;
  if (Status s = settings.Validate(); !s.ok()) return Status::InvalidArgument(s.message());
  return Status::Ok();
}

int DetectText(const DetectTextFlags& f) {
  Result<std::string> bytes = ReadFile(f.image, "an image file");
  if (!bytes.ok()) {
    std::cerr << "imagemill detect-text: " << bytes.status().message() << "\n";
    return kExitUsage;
  }
  vision::TextProcessorOptions options;
  options.max_pixels = f.max_pixels;
  if (!f.models_dir.empty()) options.detector.models_dir = std::filesystem::absolute(f.models_dir);
  vision::TextSettings settings;
  if (Status s = ResolveSettings(f, settings); !s.ok()) {
    std::cerr << "imagemill detect-text: " << s.message() << "\n";
    return kExitUsage;
  }
  if (f.dnn_threads > 0) cv::setNumThreads(f.dnn_threads);
  Result<std::unique_ptr<vision::TextProcessor>> processor = vision::TextProcessor::Open(options);
  if (!processor.ok()) {
    std::cerr << "imagemill detect-text: " << processor.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<ProcessorWorker>> worker = (*processor)->NewWorker();
  if (!worker.ok()) {
    std::cerr << "imagemill detect-text: " << worker.status().message() << "\n";
    return kExitUsage;
  }
  Result<Answer> answer = (*processor)->DetectText(*bytes, f.image, settings, **worker);
  if (!answer.ok()) {
    std::cerr << "imagemill detect-text: " << answer.status().ToString() << "\n";
    return kExitRunFailed;
  }
  std::cout << answer->response.dump(2) << std::endl;

  if (!f.annotate.empty()) {
    vision::DecodeOptions decode;
    decode.max_pixels = f.max_pixels;
    Result<vision::Image> image = vision::DecodeImage(*bytes, f.image, decode);
    if (!image.ok()) {
      std::cerr << "imagemill detect-text: " << image.status().ToString() << "\n";
      return kExitRunFailed;
    }
    bool written = false;
    try {
      written = cv::imwrite(f.annotate, vision::AnnotateText(image->bgr, answer->response));
    } catch (const cv::Exception& e) {
      std::cerr << "imagemill detect-text: " << e.what() << "\n";
    }
    if (!written) {
      std::cerr << "imagemill detect-text: cannot write " << f.annotate
                << " (use a .jpg or .png name in a folder that exists)\n";
      return kExitRunFailed;
    }
    std::cerr << "imagemill: drew the text onto " << f.annotate << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterDetectTextCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<DetectTextFlags>();
  CLI::App* cmd = app.add_subcommand(
      "detect-text",
      "Find and read the text in one image and print the DetectText response (JSON)");
  cmd->add_option("IMAGE", flags->image, "An image file (JPEG, PNG, WebP, TIFF, BMP)")->required();
  cmd->add_option("--annotate", flags->annotate,
                  "Also draw the lines and words onto a copy of the image, written here");
  cmd->add_option("--settings", flags->settings,
                  "DetectText request JSON (inline or a file): Filters.WordFilter "
                  "(MinConfidence, MinBoundingBoxHeight, MinBoundingBoxWidth), "
                  "Filters.RegionsOfInterest");
  cmd->add_option("--min-confidence", flags->min_confidence,
                  "Filters.WordFilter.MinConfidence, 0-100 (default: no minimum); overrides "
                  "--settings");
  cmd->add_option("--models-dir", flags->models_dir,
                  "Directory of the pretrained models (default: $IMAGEMILL_MODELS, then the "
                  "project cache)");
  cmd->add_option("--max-pixels", flags->max_pixels,
                  "Images with more pixels fail as TooLarge before decoding")
      ->capture_default_str();
  cmd->add_option("--dnn-threads", flags->dnn_threads,
                  "OpenCV threads for the network (default: OpenCV's, one per core)");
  cmd->callback([flags, &ctx] { ctx.exit_code = DetectText(*flags); });
}

}  // namespace imagemill::cli
