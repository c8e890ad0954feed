// Where the pretrained models are found at run time. Nothing is downloaded then: the set-up
// (scripts/fetch-models.sh, run by `make demo` and `make test`) puts them in the project's cache.
// The first of these that holds `nanodet.json` wins:
//
//   1. the directory given explicitly (--models-dir)
//   2. $IMAGEMILL_MODELS
//   3. $IMAGEMILL_CACHE/models/human-models-3.0.4
//   4. ./.cache/models/human-models-3.0.4 (the working directory is a checkout)
//   5. <directory of the executable>/../.cache/models/human-models-3.0.4 (a build in a checkout)
//   6. <directory of the executable>/../share/imagemill/models/human-models-3.0.4 (`make install`)
//   7. ${XDG_CACHE_HOME:-~/.cache}/imagemill/models/human-models-3.0.4
//
// Given explicitly (1 or 2), a directory is used as it is, without looking further.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/status.h"

namespace imagemill::vision {

inline constexpr const char* kModelPackageDir = "human-models-3.0.4";

// The places searched, in order (explicit first when not empty).
std::vector<std::filesystem::path> ModelDirCandidates(const std::filesystem::path& explicit_dir);

// The model directory, or NotFound naming every place searched and saying to run
// scripts/fetch-models.sh (or `make demo`).
Result<std::filesystem::path> FindModelDir(const std::filesystem::path& explicit_dir);

}  // namespace imagemill::vision
