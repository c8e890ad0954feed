// imagemill detect-labels IMAGE: label one image and print Rekognition's DetectLabels response,
// with the same processor (and flags) that `run` uses; --annotate draws what was found.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "cli/command.h"
#include "cli/label_flags.h"
#include "objectstore/local_store.h"
#include "vision/labels/annotate.h"
#include "vision/decode/image.h"
#include "service/processors.h"

namespace imagemill::cli {
namespace {

struct DetectLabelsFlags {
  std::string image;
  std::string annotate;
  uint64_t max_pixels = vision::kDefaultMaxPixels;
  int dnn_threads = 0;
  LabelFlags labels;
};

int DetectLabels(const DetectLabelsFlags& f) {
  Result<std::string> read = ReadRegularFile(f.image, 0);
  if (!read.ok()) {
    std::cerr << "imagemill detect-labels: cannot read " << read.status().message() << "\n";
    return kExitUsage;
  }
  std::string bytes = std::move(read).value();

  service::ProcessorSettings settings;
  settings.name = "labels";
  settings.max_pixels = f.max_pixels;
  if (Status s = f.labels.Resolve(settings.model, settings.labels); !s.ok()) {
    std::cerr << "imagemill detect-labels: " << s.message() << "\n";
    return kExitUsage;
  }
  settings.extra_labels = f.labels.extra_labels;
  if (f.dnn_threads > 0) cv::setNumThreads(f.dnn_threads);
  Result<std::unique_ptr<Processor>> processor = service::MakeProcessor(settings);
  if (!processor.ok()) {
    std::cerr << "imagemill detect-labels: " << processor.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<ProcessorWorker>> worker = (*processor)->NewWorker();
  if (!worker.ok()) {
    std::cerr << "imagemill detect-labels: " << worker.status().message() << "\n";
    return kExitUsage;
  }
  Result<Answer> answer = service::AnswerOneImage(**processor, **worker, f.image, bytes);
  if (!answer.ok()) {
    std::cerr << "imagemill detect-labels: " << answer.status().ToString() << "\n";
    return kExitRunFailed;
  }
  std::cout << answer->response.dump(2) << std::endl;

  if (!f.annotate.empty()) {
    vision::DecodeOptions decode;
    decode.max_pixels = f.max_pixels;
    Result<vision::Image> image = vision::DecodeImage(bytes, f.image, decode);
    if (!image.ok()) {
      std::cerr << "imagemill detect-labels: " << image.status().ToString() << "\n";
      return kExitRunFailed;
    }
    bool written = false;
    try {
      written = cv::imwrite(f.annotate, vision::AnnotateLabels(image->bgr, answer->response));
    } catch (const cv::Exception& e) {
      std::cerr << "imagemill detect-labels: " << e.what() << "\n";
    }
    if (!written) {
      std::cerr << "imagemill detect-labels: cannot write " << f.annotate
                << " (use a .jpg or .png name in a folder that exists)\n";
      return kExitRunFailed;
    }
    std::cerr << "imagemill: drew the labels onto " << f.annotate << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterDetectLabelsCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<DetectLabelsFlags>();
  CLI::App* cmd = app.add_subcommand("detect-labels",
                                     "Label one image and print the DetectLabels response (JSON)");
  cmd->add_option("IMAGE", flags->image,
                  "An image file (JPEG, PNG, WebP, HEIC, AVIF, TIFF, BMP, GIF)")
      ->required();
  cmd->add_option("--annotate", flags->annotate,
                  "Also draw the boxes and labels onto a copy of the image, written here");
  cmd->add_option("--max-pixels", flags->max_pixels,
                  "Images with more pixels fail as TooLarge before decoding")
      ->capture_default_str();
  cmd->add_option("--dnn-threads", flags->dnn_threads,
                  "OpenCV threads for the network (default: OpenCV's, one per core)");
  flags->labels.Add(*cmd);
  cmd->callback([flags, &ctx] { ctx.exit_code = DetectLabels(*flags); });
}

}  // namespace imagemill::cli
