// Fuzz target for the decoders behind DecodeImage (vision/decode/image.h): giflib's first frame
// (gif_decoder.h) and libheif's HEIF/AVIF parsing and decoding (heif_decoder.h), beside OpenCV's
// decoders for the other formats. Every object in a bucket is untrusted bytes. Checks memory
// safety (ASan, UBSan) and DecodeImage's contract on whatever it decodes: BGR pixels of the size
// the header announced.
//
//   make fuzz
//   build-fuzz/image_decode_fuzz -dict=fuzz/image_decode.dict CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "vision/decode/image.h"

namespace {

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "contract violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using imagemill::vision::DecodeImage;
  using imagemill::vision::Image;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // A small pixel limit keeps each input fast; the limit itself is checked before decoding.
  const imagemill::Result<Image> image = DecodeImage(bytes, "fuzz/input", {.max_pixels = 1 << 22});
  if (image.ok()) {
    Require(image->bgr.type() == CV_8UC3, "BGR pixels");
    Require(image->bgr.cols == image->width && image->bgr.rows == image->height,
            "the size the header announced");
  } else {
    Require(!image.status().message().empty(), "errors carry a message");
  }
  return 0;
}
