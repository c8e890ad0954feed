// Test assets that the project's fetch scripts put in the cache (models from npm, photos from
// Debian): a test calls these, which run the script when the cache lacks the files, so that a
// fresh checkout's `make test` works. Nothing else is downloaded.
#pragma once

#include <filesystem>

namespace imagemill::testing {

// ${IMAGEMILL_CACHE:-<source>/.cache}
std::filesystem::path CacheDir();

// The pretrained models (scripts/fetch-models.sh); empty path when the script fails.
std::filesystem::path ModelsDir();

// Photos with and without faces from python3-skimage (tests/vision/faces/face_photos.txt, by
// scripts/fetch-label-eval.sh); empty path when the script fails.
std::filesystem::path FacePhotosDir();

// PP-OCRv4's text detection model (scripts/fetch-models.sh): the folder holding
// ch_PP-OCRv4_det_infer.onnx; empty path when the script fails.
std::filesystem::path TextModelDir();

// The darknet sample photos (scripts/fetch-samples.sh); empty path when the script fails.
std::filesystem::path SamplesDir();

}  // namespace imagemill::testing
