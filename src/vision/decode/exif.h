// A reader for the first directory (IFD0) of a TIFF structure: the layout of TIFF files and of
// the EXIF blocks that JPEG (APP1), PNG (eXIf) and WebP (EXIF) embed.
//
// Written by hand because OpenCV 4.6 has no public API that reads a header without decoding the
// pixels, and imagemill must know an image's size and EXIF orientation before it decides whether
// (and at what scale) to decode it. Only the few tags imagemill needs are read; this is not a
// general EXIF library. Every read is bounds-checked: the input is untrusted bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace imagemill::vision {

// The IFD0 fields imagemill uses. A field is empty when its tag is absent or not a single
// SHORT/LONG value.
struct TiffFields {
  std::optional<uint32_t> width;        // tag 256 ImageWidth
  std::optional<uint32_t> height;       // tag 257 ImageLength
  std::optional<uint32_t> orientation;  // tag 274 Orientation (EXIF: 1..8)
  size_t orientation_offset = 0;        // where the Orientation SHORT is stored, when it is one
};

// Parses IFD0 of `tiff`, which starts at the byte-order mark ("II*\0" or "MM\0*").
// Returns nullopt when the structure is malformed (bad byte order, IFD offset or entries outside
// the buffer). Thread-safe (pure function).
std::optional<TiffFields> ParseTiffIfd0(std::string_view tiff);

// The EXIF orientation (1..8) of an EXIF block: a TIFF structure, optionally preceded by the
// "Exif\0\0" identifier that JPEG's APP1 uses. Returns 1 (upright) when the block is malformed or
// carries no valid orientation: broken metadata never fails an image whose pixels are readable,
// as in browsers and camera software. Thread-safe (pure function).
int ExifOrientation(std::string_view exif);

}  // namespace imagemill::vision
