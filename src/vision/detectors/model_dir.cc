#include "vision/detectors/model_dir.h"

#include <cstdlib>
#include <system_error>

namespace imagemill::vision {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

fs::path ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::vector<fs::path> ModelDirCandidates(const fs::path& explicit_dir) {
  if (!explicit_dir.empty()) return {explicit_dir};
  if (std::string m = Env("IMAGEMILL_MODELS"); !m.empty()) return {m};
  std::vector<fs::path> out;
  if (std::string c = Env("IMAGEMILL_CACHE"); !c.empty()) {
    out.push_back(fs::path(c) / "models" / kModelPackageDir);
  }
  out.push_back(fs::path(".cache") / "models" / kModelPackageDir);
  if (fs::path exe = ExecutableDir(); !exe.empty()) {
    out.push_back(exe.parent_path() / ".cache" / "models" / kModelPackageDir);
    out.push_back(exe.parent_path() / "share" / "imagemill" / "models" / kModelPackageDir);
  }
  fs::path user_cache = Env("XDG_CACHE_HOME");
  if (user_cache.empty() && !Env("HOME").empty()) user_cache = fs::path(Env("HOME")) / ".cache";
  if (!user_cache.empty()) out.push_back(user_cache / "imagemill" / "models" / kModelPackageDir);
  return out;
}

Result<fs::path> FindModelDir(const fs::path& explicit_dir) {
  const std::vector<fs::path> candidates = ModelDirCandidates(explicit_dir);
  std::string looked;
  for (const fs::path& dir : candidates) {
    std::error_code ec;
    if (fs::exists(dir / "nanodet.json", ec)) return fs::absolute(dir, ec);
    looked += (looked.empty() ? "" : ", ") + dir.string();
  }
  return Status::NotFound("the pretrained models are not installed (looked in " + looked +
                          "); run scripts/fetch-models.sh (or `make demo`) once to fetch them, "
                          "or point --models-dir or $IMAGEMILL_MODELS at their directory");
}

}  // namespace imagemill::vision
