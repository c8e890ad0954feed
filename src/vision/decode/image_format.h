// Image formats recognised by content, and their headers read before any pixel is decoded.
//
// Objects are recognised by their first bytes (magic numbers), never by their key's extension.
// Two outcomes matter to a map run:
//   - a format imagemill decodes: JPEG, PNG, WebP, TIFF (first page) and BMP through OpenCV 4.6,
//     GIF (first frame) through giflib, HEIF/HEIC and AVIF (primary image) through libheif;
//   - anything else: NotAnImage, "not an image imagemill can label", and the engine counts the
//     object as skipped, with the reason, never as failed. That covers objects that are no image
//     at all (text, PDF, video, S3 folder markers) and images in a format or variant imagemill
//     does not decode (JPEG 2000, JPEG XL, PSD, ICO, SVG, BigTIFF, animated WebP, lossless,
//     hierarchical or 12-bit JPEG, BMP holding JPEG or PNG); the message names the format and
//     says to convert it.
//
// The header readers are hand-written for every format but HEIF and AVIF: OpenCV 4.6 has no
// public API that reads an image's size without decoding it (cv::imdecode decodes everything),
// and the pixel limit that refuses decompression bombs has to be checked before a single pixel
// is allocated. They read only the structures needed for width, height and EXIF orientation,
// bounds-checking every access; the fuzz target fuzz/image_header_fuzz.cc exercises them. HEIF
// and AVIF headers (boxes of an ISO base media file, items, transformations) are read by
// libheif, which parses them without decoding any pixel (heif_decoder.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "util/status.h"

namespace imagemill::vision {

enum class ImageFormat {
  kUnknown,
  // Decoded by imagemill.
  kJpeg,
  kPng,
  kWebp,
  kTiff,
  kBmp,
  kGif,
  kHeif,
  kAvif,
  // Recognised, not decoded.
  kJpeg2000,
  kJpegXl,
  kPsd,
  kIco,
  kSvg,
  kBigTiff,
};

// "JPEG", "PNG", ... ("unknown" for kUnknown).
std::string_view FormatName(ImageFormat format);

// The formats imagemill decodes, for messages: "JPEG, PNG, ...".
inline constexpr std::string_view kDecodableFormats =
    "JPEG, PNG, WebP, HEIC/HEIF, AVIF, TIFF, BMP and GIF";

// NotAnImage for an image in a format (or a variant of one) imagemill does not decode: names the
// object and `what` ("JPEG 2000", "lossless JPEG"), says it was skipped and to convert it.
Status UndecodableImage(std::string_view name, std::string_view what);

// Corrupt, naming the object, its format and what is wrong, and saying what to do.
Status CorruptImage(std::string_view name, ImageFormat format, std::string_view detail);

// True for the formats imagemill decodes.
bool IsDecodable(ImageFormat format);

// The format the first bytes announce, kUnknown when none. Looks at no more than the first 1 KiB
// (SVG) and usually at 12 bytes. Never fails. Thread-safe.
ImageFormat SniffFormat(std::string_view bytes);

// What an image's header says, before decoding.
struct ImageHeader {
  ImageFormat format = ImageFormat::kUnknown;
  int width = 0;        // as stored, before EXIF orientation; > 0
  int height = 0;       // as stored; > 0
  int orientation = 1;  // EXIF orientation 1..8 (1 = upright; 5..8 swap width and height);
                        // always 1 for HEIF/AVIF, whose own transformations libheif applies
  // JPEG: offset of the first SOS marker, where entropy-coded data starts; 0 for other formats.
  size_t scan_offset = 0;

  // The size of the image as displayed, after orientation.
  int display_width() const { return orientation >= 5 ? height : width; }
  int display_height() const { return orientation >= 5 ? width : height; }
  uint64_t pixels() const { return uint64_t(width) * uint64_t(height); }
};

// Sniffs `bytes` and reads the header of a decodable format. `name` (the object key) is used in
// messages. Errors: NotAnImage (unknown content; a recognised format imagemill does not decode,
// or a variant of a decodable one that its decoders cannot read, e.g. lossless JPEG: the message
// names the format), Corrupt (truncated or inconsistent header; also an empty object, except a key
// ending in '/', an S3 folder marker, which is NotAnImage). Malformed EXIF metadata is ignored
// (orientation 1). Thread-safe (pure function).
Result<ImageHeader> ReadImageHeader(std::string_view bytes, std::string_view name);

}  // namespace imagemill::vision
