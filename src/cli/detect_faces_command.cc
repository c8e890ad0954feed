// imagemill detect-faces IMAGE: find the faces in one image and print Rekognition's DetectFaces
// response, with the same processor `run --processor faces` uses; --annotate draws them.
#include <filesystem>

#include "cli/command.h"
#include "cli/one_image.h"
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
  OneImageRequest r;
  r.command = "detect-faces";
  r.image = f.image;
  r.annotate = f.annotate;
  r.settings.name = "faces";
  r.settings.max_pixels = f.max_pixels;
  if (!f.models_dir.empty()) r.settings.model.models_dir = std::filesystem::absolute(f.models_dir);
  r.draw = vision::AnnotateFaces;
  return AnswerOneImageCommand(r);
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
