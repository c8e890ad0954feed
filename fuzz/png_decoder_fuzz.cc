// Differential fuzz target for imagemill's PNG decoder (vision/decode/png_decoder.h): whatever it
// decodes must be exactly what OpenCV decodes from the same bytes. Before decoding, the harness
// rewrites every chunk's CRC to match its contents, so that mutations reach the inflate, the row
// filters and the chunk rules instead of stopping at the first checksum.
//
//   make fuzz                      # builds with clang's libFuzzer and runs each target
//   build-fuzz/png_decoder_fuzz CORPUS_DIR
#include <libdeflate.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <optional>
#include <string>

#include "vision/decode/png_decoder.h"

namespace {

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void FixCrcs(std::string& png) {
  size_t pos = 8;
  while (png.size() >= pos + 12) {
    auto* p = reinterpret_cast<unsigned char*>(png.data() + pos);
    const uint32_t length = Be32(p);
    if (length > png.size() - pos - 12) return;
    const uint32_t crc = static_cast<uint32_t>(libdeflate_crc32(0, p + 4, size_t{length} + 4));
    for (int i = 0; i < 4; ++i) p[8 + length + i] = static_cast<unsigned char>(crc >> (24 - 8 * i));
    pos += size_t{length} + 12;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1 << 20)) return 0;
  std::string png = "\x89PNG\r\n\x1A\n";
  png.append(reinterpret_cast<const char*>(data), size);
  FixCrcs(png);
  // Keep the pixel count small: a header may claim a huge image.
  if (png.size() >= 24 && (Be32(reinterpret_cast<const unsigned char*>(png.data() + 16)) > 4096 ||
                           Be32(reinterpret_cast<const unsigned char*>(png.data() + 20)) > 4096)) {
    return 0;
  }
  const std::optional<cv::Mat> ours = imagemill::vision::DecodeCommonPng(png);
  if (!ours) return 0;
  const cv::Mat theirs =
      cv::imdecode(cv::Mat(1, static_cast<int>(png.size()), CV_8UC1, png.data()),
                   cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  if (theirs.empty() || theirs.size() != ours->size() || theirs.type() != ours->type() ||
      cv::norm(theirs, *ours, cv::NORM_INF) != 0) {
    std::fprintf(stderr, "imagemill decoded a PNG that OpenCV decodes differently (or not)\n");
    std::abort();
  }
  return 0;
}
