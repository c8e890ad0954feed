// Fuzz target for the hand-written header readers (vision/decode/image_format.h, vision/decode/exif.h): every
// object in a bucket is untrusted bytes, and these parsers read them before any library does.
// Checks memory safety (ASan, UBSan) and the readers' contracts on whatever they accept.
//
//   make fuzz                      # builds with clang's libFuzzer and runs each target
//   build-fuzz/image_header_fuzz -dict=fuzz/image_header.dict CORPUS_DIR
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "vision/decode/exif.h"
#include "vision/decode/image_format.h"

namespace {

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "contract violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using imagemill::vision::ExifOrientation;
  using imagemill::vision::ImageFormat;
  using imagemill::vision::ImageHeader;
  using imagemill::vision::IsDecodable;
  using imagemill::vision::ParseTiffIfd0;
  using imagemill::vision::ReadImageHeader;
  using imagemill::vision::SniffFormat;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  const ImageFormat sniffed = SniffFormat(bytes);
  const imagemill::Result<ImageHeader> h = ReadImageHeader(bytes, "fuzz/input");
  if (h.ok()) {
    Require(h->format == sniffed, "header format equals the sniffed format");
    Require(IsDecodable(h->format), "only decodable formats have headers");
    Require(h->width > 0 && h->height > 0, "positive size");
    Require(h->orientation >= 1 && h->orientation <= 8, "orientation in 1..8");
    Require(h->scan_offset < size || h->scan_offset == 0, "scan offset inside the input");
  } else {
    Require(!h.status().message().empty(), "errors carry a message");
  }

  const int o = ExifOrientation(bytes);
  Require(o >= 1 && o <= 8, "EXIF orientation in 1..8");
  (void)ParseTiffIfd0(bytes);
  return 0;
}
