// HEIF/HEIC (phones' photos, HEVC-coded) and AVIF (AV1-coded), both ISO base media files, read
// through Debian's libheif (with libde265 for HEVC and dav1d for AV1).
//
// The header is libheif's parse of the file's boxes (items, their properties and
// transformations): no pixel is decoded, so the pixel limit is checked on the primary image's
// size before decoding, as for every other format. The size is the image as displayed: libheif
// applies the file's own rotation and mirroring (irot, imir) when it decodes, and HEIF readers
// must ignore any EXIF orientation, so ImageHeader::orientation stays 1.
//
// Decoding gives the primary image (the one a viewer shows; thumbnails, depth maps, bursts and
// sequences are ignored) as 8-bit RGB, alpha dropped as it is for PNG, 10- and 12-bit images
// reduced to 8 bits by libheif. Grid images (how phones store large photos, as tiles) come whole.
// No reduced-scale decoding: HEVC and AV1 have no cheaper scaled decode.
//
// Errors: Corrupt naming the object and libheif's reason; NotAnImage (skipped) for a file
// libheif recognises but cannot read (an unsupported codec or feature). Thread-safe: every call
// has its own libheif context.
#pragma once

#include <opencv2/core/mat.hpp>
#include <string_view>

#include "util/status.h"
#include "vision/decode/image_format.h"

namespace imagemill::vision {

// Fills h.width and h.height (as displayed) from the primary image of `bytes`, whose h.format is
// kHeif or kAvif.
Status ReadHeifHeader(std::string_view bytes, std::string_view name, ImageHeader& h);

// The primary image of `bytes` as CV_8UC3 BGR, its size that of ReadHeifHeader.
Result<cv::Mat> DecodeHeif(std::string_view bytes, std::string_view name, ImageFormat format);

}  // namespace imagemill::vision
