#include "vision/decode/image.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <optional>
#include <string>

#include "vision/decode/exif.h"
#include "vision/decode/gif_decoder.h"
#include "vision/decode/heif_decoder.h"
#include "vision/decode/png_decoder.h"

namespace imagemill::vision {
namespace {

std::string Megapixels(uint64_t pixels) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(pixels) / 1e6);
  return buf;
}

int ImreadFlags(int scale_denom) {
  int flags = cv::IMREAD_COLOR;
  switch (scale_denom) {
    case 2:
      flags = cv::IMREAD_REDUCED_COLOR_2;
      break;
    case 4:
      flags = cv::IMREAD_REDUCED_COLOR_4;
      break;
    case 8:
      flags = cv::IMREAD_REDUCED_COLOR_8;
      break;
    default:
      break;
  }
  return flags | cv::IMREAD_IGNORE_ORIENTATION;
}

int CeilDiv(int a, int b) { return (a + b - 1) / b; }

}  // namespace

int ReducedScaleDenominator(const ImageHeader& header, const DecodeOptions& options) {
  if (header.format != ImageFormat::kJpeg ||
      (options.min_side <= 0 && options.min_long_side <= 0)) {
    return 1;
  }
  const int shorter = std::min(header.width, header.height);
  const int longer = std::max(header.width, header.height);
  for (int denom : {8, 4, 2}) {
    // libjpeg's scaled output is ceil(size / denom).
    if (CeilDiv(shorter, denom) >= options.min_side &&
        CeilDiv(longer, denom) >= options.min_long_side) {
      return denom;
    }
  }
  return 1;
}

cv::Mat ApplyOrientation(const cv::Mat& stored, int orientation) {
  cv::Mat out;
  switch (orientation) {
    case 2:
      cv::flip(stored, out, 1);
      break;
    case 3:
      cv::flip(stored, out, -1);
      break;
    case 4:
      cv::flip(stored, out, 0);
      break;
    case 5:
      cv::transpose(stored, out);
      break;
    case 6:
      cv::rotate(stored, out, cv::ROTATE_90_CLOCKWISE);
      break;
    case 7:
      cv::transpose(stored, out);
      cv::flip(out, out, -1);
      break;
    case 8:
      cv::rotate(stored, out, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
    default:
      return stored;
  }
  return out;
}

Result<Image> DecodeImage(std::string_view bytes, std::string_view name,
                          const DecodeOptions& options) {
  Result<ImageHeader> header = ReadImageHeader(bytes, name);
  if (!header.ok()) return header.status();
  const ImageHeader& h = *header;

  if (h.pixels() > options.max_pixels) {
    return Status::TooLarge(std::string(name) + ": image is " + std::to_string(h.width) + "x" +
                            std::to_string(h.height) + " (" + Megapixels(h.pixels()) +
                            " megapixels), over the limit of " + Megapixels(options.max_pixels) +
                            " megapixels; not decoded. Raise the pixel limit to process it.");
  }
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return Status::TooLarge(std::string(name) + ": object is over 2 GiB; not decoded.");
  }
  if (h.format == ImageFormat::kJpeg &&
      bytes.find("\xFF\xD9", h.scan_offset) == std::string_view::npos) {
    return CorruptImage(name, h.format, "its data ends before the end-of-image marker (truncated)");
  }

  // OpenCV 4.6's TIFF decoder applies the Orientation tag itself, IMREAD_IGNORE_ORIENTATION or
  // not; a copy with the tag set to 1 keeps orientation in one place (below) for every format.
  std::string upright_tiff;
  if (h.format == ImageFormat::kTiff && h.orientation != 1) {
    const std::optional<TiffFields> f = ParseTiffIfd0(bytes);
    if (f && f->orientation_offset > 0) {
      upright_tiff.assign(bytes);
      const bool little_endian = bytes[0] == 'I';
      upright_tiff[f->orientation_offset] = little_endian ? 1 : 0;
      upright_tiff[f->orientation_offset + 1] = little_endian ? 0 : 1;
      bytes = upright_tiff;
    }
  }

  Image image;
  image.header = h;
  image.scale_denom = ReducedScaleDenominator(h, options);
  DecodeBudget& budget = options.budget != nullptr ? *options.budget : DecodeBudget::Default();
  image.memory_lease = budget.Acquire(LeaseBytes(uint64_t(CeilDiv(h.width, image.scale_denom)) *
                                                 uint64_t(CeilDiv(h.height, image.scale_denom))));
  // OpenCV reads the bytes in place; imdecode does not write to its input.
  const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1,
                        const_cast<char*>(bytes.data()));
  try {
    if (h.format == ImageFormat::kPng) {
      if (std::optional<cv::Mat> png = DecodeCommonPng(bytes)) image.bgr = std::move(*png);
    } else if (h.format == ImageFormat::kGif || h.format == ImageFormat::kHeif ||
               h.format == ImageFormat::kAvif) {
      Result<cv::Mat> decoded = h.format == ImageFormat::kGif ? DecodeGif(bytes, name, h)
                                                              : DecodeHeif(bytes, name, h.format);
      if (!decoded.ok()) return decoded.status();
      image.bgr = std::move(decoded).value();
    }
    if (image.bgr.empty()) image.bgr = cv::imdecode(encoded, ImreadFlags(image.scale_denom));
  } catch (const cv::Exception& e) {
    return CorruptImage(name, h.format, std::string("the decoder failed: ") + e.err);
  }
  if (image.bgr.empty()) {
    return CorruptImage(name, h.format, "the decoder could not read its pixels");
  }
  const int want_w = CeilDiv(h.width, image.scale_denom);
  const int want_h = CeilDiv(h.height, image.scale_denom);
  if (image.bgr.cols != want_w || image.bgr.rows != want_h) {
    return CorruptImage(name, h.format,
                        "its header says " + std::to_string(want_w) + "x" + std::to_string(want_h) +
                            " but its pixels are " + std::to_string(image.bgr.cols) + "x" +
                            std::to_string(image.bgr.rows));
  }
  if (image.bgr.type() != CV_8UC3) {
    return Status::Internal(std::string(name) + ": decoder returned an unexpected pixel type");
  }
  const int orientation = options.apply_orientation ? h.orientation : 1;
  image.bgr = ApplyOrientation(image.bgr, orientation);
  image.width = orientation >= 5 ? h.height : h.width;
  image.height = orientation >= 5 ? h.width : h.height;
  return image;
}

}  // namespace imagemill::vision
