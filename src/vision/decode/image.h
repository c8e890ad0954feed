// Decoding an image from its bytes: header first, pixel limit, EXIF orientation, reduced scale.
//
//   Result<Image> img = DecodeImage(bytes, item.key, {.min_side = 416});
//
// Order of work, so that bad input costs little:
//   1. ReadImageHeader (image_format.h): format by content, size and orientation; no pixel read.
//   2. The pixel limit on the header's width x height: decompression bombs (a small file that
//      claims 50000x50000) are refused as TooLarge before any pixel buffer is allocated.
//   3. JPEG: the entropy-coded data must reach its end marker. libjpeg decodes a truncated JPEG
//      "successfully" (a warning and grey rows that OpenCV does not report), so this is checked
//      here, as Corrupt.
//   4. A lease on the decode budget (decode_budget.h), sized by the pixels to decode: with many
//      workers, large images wait for memory rather than all decoding at once. The lease lives
//      in the returned Image.
//   5. The common PNG (8-bit RGB, RGBA or grey, not interlaced) by imagemill's own decoder
//      (png_decoder.h: the same pixels, about twice as fast); GIF by giflib (gif_decoder.h);
//      HEIF/HEIC and AVIF by libheif (heif_decoder.h); everything else, and any PNG imagemill's
//      decoder declines, by cv::imdecode, with IMREAD_IGNORE_ORIENTATION. Then imagemill applies
//      the orientation it read from the header, once, for every format (JPEG APP1, PNG eXIf,
//      WebP EXIF, TIFF tag; HEIF's own rotation is applied by libheif).
//      Measured on OpenCV 4.6: imdecode applies JPEG's EXIF orientation unless told to ignore it,
//      ignores PNG eXIf and WebP EXIF, and its TIFF decoder applies the TIFF tag even when told
//      to ignore it; so a TIFF with an orientation other than 1 is decoded from a copy whose tag
//      is rewritten to 1 (the only copy of the input made here).
//   6. Reduced scale: a JPEG is decoded at 1/2, 1/4 or 1/8 (libjpeg's DCT scaling, much faster)
//      when options.min_side / min_long_side ask for it and the decoded sides stay at least
//      that large. Other
//      formats are always decoded at full size: OpenCV's IMREAD_REDUCED_* for them decodes fully
//      and then shrinks with a nearest-like filter, saving nothing; callers resize as they need.
//
// The input bytes are not copied (OpenCV reads them in place; the one exception is above); the
// result owns its pixels.
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <string_view>

#include "util/status.h"
#include "vision/decode/decode_budget.h"
#include "vision/decode/image_format.h"

namespace imagemill::vision {

inline constexpr uint64_t kDefaultMaxPixels = 100'000'000;  // 100 megapixels

struct DecodeOptions {
  // Images whose header gives more pixels than this are refused as TooLarge, undecoded.
  uint64_t max_pixels = kDefaultMaxPixels;
  // Reduced-scale decoding is allowed when either is > 0, as long as the decoded image's shorter
  // side stays >= min_side and its longer side >= min_long_side. A label model asks for its input
  // size (min_side 320 or 416); the image properties for their working size (min_long_side 512).
  // Both 0: always full size.
  int min_side = 0;
  int min_long_side = 0;
  // Apply the EXIF orientation so that the pixels are the image as displayed.
  bool apply_orientation = true;
  // Where decoding takes its memory lease; null: DecodeBudget::Default().
  DecodeBudget* budget = nullptr;
};

struct Image {
  // The decode budget's lease (decode_budget.h), returned when the last copy of the Image is
  // dropped: callers drop the full-size pixels as soon as they have what they need from them.
  // Declared first so that it is destroyed last, after the pixels are freed.
  std::shared_ptr<const void> memory_lease;
  cv::Mat bgr;          // CV_8UC3, BGR (OpenCV's order), as displayed when orientation is applied
  ImageHeader header;   // as read before decoding (stored size, orientation, format)
  int width = 0;        // the full image's size as displayed (orientation applied), before any
  int height = 0;       // reduction: what bounding-box ratios and users refer to
  int scale_denom = 1;  // 1, 2, 4 or 8: bgr is about width/scale_denom x height/scale_denom
};

// Decodes `bytes`, an object named `name` (used in messages). Errors, each naming the object and
// saying what to do: NotAnImage (no image, or a format imagemill does not decode), Corrupt (bad
// header, truncated data, undecodable pixels, or an empty object), TooLarge (over
// options.max_pixels, or over 2 GiB of bytes). Thread-safe: may be called from many threads at
// once; may wait for the decode budget.
Result<Image> DecodeImage(std::string_view bytes, std::string_view name,
                          const DecodeOptions& options = {});

// The scale denominator DecodeImage uses for `header` under `options` (1 unless JPEG).
int ReducedScaleDenominator(const ImageHeader& header, const DecodeOptions& options);

// Transforms `stored` pixels by EXIF `orientation` (1..8) into the image as displayed. Returns
// `stored` itself (no copy) for 1 and out-of-range values.
cv::Mat ApplyOrientation(const cv::Mat& stored, int orientation);

}  // namespace imagemill::vision
