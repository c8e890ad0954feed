#include "vision/decode/exif.h"

#include <cstddef>

namespace imagemill::vision {
namespace {

constexpr uint16_t kTagWidth = 256;
constexpr uint16_t kTagHeight = 257;
constexpr uint16_t kTagOrientation = 274;
constexpr uint16_t kTypeShort = 3;
constexpr uint16_t kTypeLong = 4;
constexpr size_t kEntrySize = 12;

// Reads integers of the structure's byte order at bounds-checked offsets.
class Reader {
 public:
  Reader(std::string_view bytes, bool little_endian) : b_(bytes), le_(little_endian) {}

  bool Has(size_t offset, size_t n) const { return offset <= b_.size() && n <= b_.size() - offset; }

  // REQUIRES: Has(offset, 2).
  uint16_t U16(size_t offset) const {
    const auto* p = reinterpret_cast<const unsigned char*>(b_.data() + offset);
    return le_ ? static_cast<uint16_t>(p[0] | (p[1] << 8))
               : static_cast<uint16_t>((p[0] << 8) | p[1]);
  }

  // REQUIRES: Has(offset, 4).
  uint32_t U32(size_t offset) const {
    const auto* p = reinterpret_cast<const unsigned char*>(b_.data() + offset);
    return le_ ? (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
                  uint32_t{p[3]} << 24)
               : (uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 |
                  uint32_t{p[3]});
  }

 private:
  std::string_view b_;
  bool le_;
};

}  // namespace

std::optional<TiffFields> ParseTiffIfd0(std::string_view tiff) {
  if (tiff.size() < 8) return std::nullopt;
  bool little_endian;
  if (tiff.substr(0, 4) == std::string_view("II*\0", 4)) {
    little_endian = true;
  } else if (tiff.substr(0, 4) == std::string_view("MM\0*", 4)) {
    little_endian = false;
  } else {
    return std::nullopt;
  }
  Reader r(tiff, little_endian);
  const size_t ifd = r.U32(4);
  if (ifd < 8 || !r.Has(ifd, 2)) return std::nullopt;
  const size_t count = r.U16(ifd);
  // Entries that run past the buffer make the directory malformed; reading the ones that fit
  // would silently drop the dimensions of a truncated file.
  if (!r.Has(ifd + 2, count * kEntrySize)) return std::nullopt;

  TiffFields fields;
  for (size_t i = 0; i < count; ++i) {
    const size_t e = ifd + 2 + i * kEntrySize;
    const uint16_t tag = r.U16(e);
    const uint16_t type = r.U16(e + 2);
    const uint32_t n = r.U32(e + 4);
    if (n != 1 || (type != kTypeShort && type != kTypeLong)) continue;
    // A single SHORT or LONG sits in the first bytes of the 4-byte value field.
    const uint32_t value = type == kTypeShort ? r.U16(e + 8) : r.U32(e + 8);
    switch (tag) {
      case kTagWidth:
        fields.width = value;
        break;
      case kTagHeight:
        fields.height = value;
        break;
      case kTagOrientation:
        fields.orientation = value;
        if (type == kTypeShort) fields.orientation_offset = e + 8;
        break;
      default:
        break;
    }
  }
  return fields;
}

int ExifOrientation(std::string_view exif) {
  constexpr std::string_view kExifId("Exif\0\0", 6);
  if (exif.substr(0, kExifId.size()) == kExifId) exif.remove_prefix(kExifId.size());
  const std::optional<TiffFields> fields = ParseTiffIfd0(exif);
  if (!fields || !fields->orientation) return 1;
  const uint32_t o = *fields->orientation;
  return o >= 1 && o <= 8 ? static_cast<int>(o) : 1;
}

}  // namespace imagemill::vision
