// Images made at test time: encoded with OpenCV, or with hand-built structures where OpenCV
// cannot write what a test needs (EXIF orientation in JPEG/PNG/WebP/TIFF, lying headers).
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <string>
#include <string_view>

namespace imagemill::testing {

// `image` encoded by OpenCV for `ext` (".jpg", ".png", ".webp", ".tiff", ".bmp"), or by
// encoders.h for ".gif", ".heic" and ".avif" (colour only). Aborts the test binary if it cannot
// be encoded.
std::string Encode(const cv::Mat& image, const std::string& ext);

// An EXIF block as JPEG's APP1 carries it ("Exif\0\0" + a TIFF structure whose IFD0 holds one
// Orientation entry). `big_endian` picks "MM" byte order instead of "II".
std::string ExifBlock(int orientation, bool big_endian = false);

// `jpeg` with an APP1 Exif segment carrying `orientation` inserted after SOI.
std::string WithJpegOrientation(std::string_view jpeg, int orientation, bool big_endian = false);

// `png` with an eXIf chunk carrying `orientation` inserted after IHDR.
std::string WithPngOrientation(std::string_view png, int orientation);

// A simple (VP8 or VP8L) `webp` of size width x height rewritten as an extended file: a VP8X chunk
// with the EXIF flag, the original image chunk, and an EXIF chunk carrying `orientation`.
std::string WithWebpOrientation(std::string_view webp, int width, int height, int orientation);

// A baseline TIFF (uncompressed, 8-bit RGB, one strip) of `bgr` with an Orientation tag.
std::string MinimalTiff(const cv::Mat& bgr, int orientation);

// `png` with its IHDR width and height replaced (and its CRC fixed): a header that lies.
std::string WithPngSize(std::string_view png, uint32_t width, uint32_t height);

// CRC-32 as PNG uses it.
uint32_t Crc32(std::string_view bytes);

}  // namespace imagemill::testing
