// imagemill detect-faces IMAGE: find the faces in one image and print Rekognition's DetectFaces
// response, with the same processor `run --processor faces` uses; --annotate draws them.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "cli/command.h"
#include "service/processors.h"
#include "vision/decode/image.h"
#include "vision/faces/annotate_faces.h"

namespace imagemill::cli {
namespace {

struct DetectFacesFlags {
  std::string image;
  std::string annotate;
  std::string models_dir;
  std::vector<std::string> attributes;
  uint64_t max_pixels = vision::kDefaultMaxPixels;
};

int DetectFaces(const DetectFacesFlags& f) {
  std::ifstream in(f.image, std::ios::binary);
  if (!in || std::filesystem::is_directory(f.image)) {
    std::cerr << "imagemill detect-faces: cannot read " << f.image
              << " (give the path of an image file)\n";
    return kExitUsage;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();

  service::ProcessorSettings settings;
  settings.name = "faces";
  settings.max_pixels = f.max_pixels;
  if (!f.models_dir.empty()) settings.model.models_dir = std::filesystem::absolute(f.models_dir);
  Result<std::unique_ptr<Processor>> processor = service::MakeProcessor(settings);
  if (!processor.ok()) {
    std::cerr << "imagemill detect-faces: " << processor.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<ProcessorWorker>> worker = (*processor)->NewWorker();
  if (!worker.ok()) {
    std::cerr << "imagemill detect-faces: " << worker.status().message() << "\n";
    return kExitUsage;
  }
  Result<Answer> answer = service::AnswerOneImage(**processor, **worker, f.image, bytes);
  if (!answer.ok()) {
    std::cerr << "imagemill detect-faces: " << answer.status().ToString() << "\n";
    return kExitRunFailed;
  }
  std::cout << answer->response.dump(2) << std::endl;

  if (!f.annotate.empty()) {
    vision::DecodeOptions decode;
    decode.max_pixels = f.max_pixels;
    Result<vision::Image> image = vision::DecodeImage(bytes, f.image, decode);
    if (!image.ok()) {
      std::cerr << "imagemill detect-faces: " << image.status().ToString() << "\n";
      return kExitRunFailed;
    }
    bool written = false;
    try {
      written = cv::imwrite(f.annotate, vision::AnnotateFaces(image->bgr, answer->response));
    } catch (const cv::Exception& e) {
      std::cerr << "imagemill detect-faces: " << e.what() << "\n";
    }
    if (!written) {
      std::cerr << "imagemill detect-faces: cannot write " << f.annotate
                << " (use a .jpg or .png name in a folder that exists)\n";
      return kExitRunFailed;
    }
    std::cerr << "imagemill: drew the faces onto " << f.annotate << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterDetectFacesCommand(CLI::App& app, CommandContext& ctx) {
  auto flags = std::make_shared<DetectFacesFlags>();
  CLI::App* cmd = app.add_subcommand(
      "detect-faces", "Find the faces in one image and print the DetectFaces response (JSON)");
  cmd->add_option("IMAGE", flags->image,
                  "An image file (JPEG, PNG, WebP, HEIC, AVIF, TIFF, BMP, GIF)")
      ->required();
  cmd->add_option("--annotate", flags->annotate,
                  "Also draw the faces and their landmarks onto a copy of the image, written here");
  cmd->add_option("--attributes", flags->attributes,
                  "DetectFaces Attributes: DEFAULT or ALL (the same answer: no age, gender or "
                  "emotion model measured well enough; docs/faces.md)")
      ->delimiter(',')
      ->check(CLI::IsMember({"DEFAULT", "ALL"}));
  cmd->add_option("--models-dir", flags->models_dir,
                  "Directory of the pretrained models (default: $IMAGEMILL_MODELS, then the "
                  "project cache)");
  cmd->add_option("--max-pixels", flags->max_pixels,
                  "Images with more pixels fail as TooLarge before decoding")
      ->capture_default_str();
  cmd->callback([flags, &ctx] { ctx.exit_code = DetectFaces(*flags); });
}

}  // namespace imagemill::cli
