// imagemill detect-labels IMAGE: label one image and print Rekognition's DetectLabels response,
// with the same processor (and flags) that `run` uses; --annotate draws what was found.
#include <iostream>
#include <opencv2/core.hpp>

#include "cli/command.h"
#include "cli/label_flags.h"
#include "cli/one_image.h"
#include "vision/decode/image.h"
#include "vision/labels/annotate.h"

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
  OneImageRequest r;
  r.command = "detect-labels";
  r.image = f.image;
  r.annotate = f.annotate;
  r.settings.name = "labels";
  r.settings.max_pixels = f.max_pixels;
  if (Status s = f.labels.Resolve(r.settings.model, r.settings.labels); !s.ok()) {
    std::cerr << "imagemill detect-labels: " << s.message() << "\n";
    return kExitUsage;
  }
  r.settings.extra_labels = f.labels.extra_labels;
  r.draw = vision::AnnotateLabels;
  if (f.dnn_threads > 0) cv::setNumThreads(f.dnn_threads);
  return AnswerOneImageCommand(r);
}

}  // namespace

void RegisterDetectLabelsCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<DetectLabelsFlags>();
  CLI::App* cmd = app.add_subcommand("detect-labels",
                                     "Label one image and print the DetectLabels response (JSON)");
  cmd->add_option("IMAGE", flags->image,
                  "An image file (JPEG, PNG, WebP, HEIC, AVIF, TIFF, BMP, GIF)")
      ->required();
  cmd->add_option(
      "--annotate", flags->annotate,
      "Also draw the boxes and labels onto a copy of the image, written here (.jpg or .png)");
  cmd->add_option("--max-pixels", flags->max_pixels,
                  "Images with more pixels fail as TooLarge before decoding")
      ->capture_default_str();
  cmd->add_option("--dnn-threads", flags->dnn_threads,
                  "OpenCV threads for the network (default: OpenCV's, one per core)");
  flags->labels.Add(*cmd);
  cmd->callback([flags, &ctx] { ctx.exit_code = DetectLabels(*flags); });
}

}  // namespace imagemill::cli
