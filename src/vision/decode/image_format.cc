#include "vision/decode/image_format.h"

#include <algorithm>
#include <climits>
#include <optional>
#include <string>

#include "vision/decode/exif.h"
#include "vision/decode/heif_decoder.h"

namespace imagemill::vision {
namespace {

// Bounds-checked integer reads from untrusted bytes.
class Bytes {
 public:
  explicit Bytes(std::string_view b) : b_(b) {}
  size_t size() const { return b_.size(); }
  bool Has(size_t offset, size_t n) const { return offset <= b_.size() && n <= b_.size() - offset; }
  std::string_view Sub(size_t offset, size_t n) const { return b_.substr(offset, n); }
  bool At(size_t offset, std::string_view s) const {
    return Has(offset, s.size()) && Sub(offset, s.size()) == s;
  }
  // REQUIRES: Has(offset, width of the read).
  uint32_t U8(size_t o) const { return static_cast<unsigned char>(b_[o]); }
  uint32_t U16Be(size_t o) const { return U8(o) << 8 | U8(o + 1); }
  uint32_t U32Be(size_t o) const { return U16Be(o) << 16 | U16Be(o + 2); }
  uint32_t U16Le(size_t o) const { return U8(o) | U8(o + 1) << 8; }
  uint32_t U24Le(size_t o) const { return U16Le(o) | U8(o + 2) << 16; }
  uint32_t U32Le(size_t o) const { return U16Le(o) | U16Le(o + 2) << 16; }

 private:
  std::string_view b_;
};

// Checks what every format's dimensions must satisfy; on success fills `header`.
Status SetSize(std::string_view name, uint64_t width, uint64_t height, ImageHeader& header) {
  if (width == 0 || height == 0 || width > INT_MAX || height > INT_MAX) {
    return CorruptImage(
        name, header.format,
        "header gives an impossible size " + std::to_string(width) + "x" + std::to_string(height));
  }
  header.width = static_cast<int>(width);
  header.height = static_cast<int>(height);
  return Status::Ok();
}

// JPEG: walks the marker segments up to the first SOS; reads SOFn and the first APP1 Exif.
Status ReadJpeg(Bytes b, std::string_view name, ImageHeader& h) {
  bool have_frame = false;
  bool have_exif = false;
  size_t pos = 2;
  for (;;) {
    if (!b.Has(pos, 2))
      return CorruptImage(name, h.format, "it ends inside its header (truncated)");
    if (b.U8(pos) != 0xFF) {
      return CorruptImage(name, h.format, "no marker at byte " + std::to_string(pos));
    }
    while (b.Has(pos + 1, 2) && b.U8(pos + 1) == 0xFF) ++pos;  // fill bytes
    const uint32_t marker = b.U8(pos + 1);
    pos += 2;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length field
    if (marker == 0xD8 || marker == 0xD9) {
      return CorruptImage(name, h.format, "image data missing before its end marker");
    }
    if (marker == 0xDA) {
      if (!have_frame) return CorruptImage(name, h.format, "scan data before the frame header");
      h.scan_offset = pos - 2;
      return Status::Ok();
    }
    if (!b.Has(pos, 2))
      return CorruptImage(name, h.format, "it ends inside its header (truncated)");
    const size_t len = b.U16Be(pos);
    if (len < 2) return CorruptImage(name, h.format, "segment length below 2");
    if (!b.Has(pos, len)) {
      return CorruptImage(name, h.format, "it ends inside its header (truncated)");
    }
    const std::string_view seg = b.Sub(pos + 2, len - 2);
    if (marker == 0xE1 && !have_exif && seg.substr(0, 6) == std::string_view("Exif\0\0", 6)) {
      have_exif = true;
      h.orientation = ExifOrientation(seg);
    }
    const bool is_sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_sof && !have_frame) {
      if (marker == 0xC3 || marker == 0xCB) return UndecodableImage(name, "lossless JPEG");
      if ((marker >= 0xC5 && marker <= 0xC7) || marker >= 0xCD) {
        return UndecodableImage(name, "hierarchical JPEG");
      }
      if (seg.size() < 6) return CorruptImage(name, h.format, "frame header too short");
      Bytes s(seg);
      if (s.U8(0) != 8) {
        return UndecodableImage(name, std::to_string(s.U8(0)) + "-bit JPEG");
      }
      if (s.U16Be(1) == 0) {
        return UndecodableImage(name, "JPEG with its height in a DNL marker");
      }
      if (Status st = SetSize(name, s.U16Be(3), s.U16Be(1), h); !st.ok()) return st;
      have_frame = true;
    }
    pos += len;
  }
}

// PNG: IHDR, then the chunks before the first IDAT for eXIf.
Status ReadPng(Bytes b, std::string_view name, ImageHeader& h) {
  if (!b.Has(8, 8 + 13 + 4)) return CorruptImage(name, h.format, "it ends inside IHDR (truncated)");
  if (b.U32Be(8) != 13 || !b.At(12, "IHDR")) {
    return CorruptImage(name, h.format, "first chunk is not a valid IHDR");
  }
  if (Status st = SetSize(name, b.U32Be(16), b.U32Be(20), h); !st.ok()) return st;
  size_t pos = 8 + 8 + 13 + 4;
  for (;;) {
    if (!b.Has(pos, 8)) {
      return CorruptImage(name, h.format, "it ends before its image data (truncated)");
    }
    const size_t len = b.U32Be(pos);
    if (b.At(pos + 4, "IDAT")) return Status::Ok();
    if (len > INT_MAX || !b.Has(pos + 8, len + 4)) {
      return CorruptImage(name, h.format, "it ends inside a chunk (truncated)");
    }
    if (b.At(pos + 4, "eXIf")) h.orientation = ExifOrientation(b.Sub(pos + 8, len));
    pos += 12 + len;
  }
}

// WebP: the first chunk (VP8, VP8L or VP8X) gives the size; VP8X may flag an EXIF chunk.
Status ReadWebp(Bytes b, std::string_view name, ImageHeader& h) {
  if (!b.Has(12, 8)) return CorruptImage(name, h.format, "it ends inside its header (truncated)");
  const size_t first_len = b.U32Le(16);
  const size_t p = 20;  // first chunk's payload
  if (b.At(12, "VP8 ")) {
    if (first_len < 10 || !b.Has(p, 10) || b.Sub(p + 3, 3) != "\x9d\x01\x2a") {
      return CorruptImage(name, h.format, "invalid or truncated VP8 frame header");
    }
    return SetSize(name, b.U16Le(p + 6) & 0x3FFF, b.U16Le(p + 8) & 0x3FFF, h);
  }
  if (b.At(12, "VP8L")) {
    if (first_len < 5 || !b.Has(p, 5) || b.U8(p) != 0x2F) {
      return CorruptImage(name, h.format, "invalid or truncated VP8L header");
    }
    const uint32_t bits = b.U32Le(p + 1);
    return SetSize(name, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, h);
  }
  if (!b.At(12, "VP8X")) return CorruptImage(name, h.format, "unknown first chunk");
  if (first_len < 10 || !b.Has(p, 10)) {
    return CorruptImage(name, h.format, "invalid or truncated VP8X header");
  }
  const uint32_t flags = b.U8(p);
  if (flags & 0x02) return UndecodableImage(name, "animated WebP");
  if (Status st = SetSize(name, b.U24Le(p + 4) + 1, b.U24Le(p + 7) + 1, h); !st.ok()) return st;
  if (!(flags & 0x08)) return Status::Ok();
  // The EXIF chunk usually follows the image data; a missing or cut one leaves orientation 1.
  for (size_t pos = 12; b.Has(pos, 8);) {
    const size_t len = b.U32Le(pos + 4);
    if (len > INT_MAX || !b.Has(pos + 8, len)) break;
    if (b.At(pos, "EXIF")) {
      h.orientation = ExifOrientation(b.Sub(pos + 8, len));
      break;
    }
    pos += 8 + len + (len & 1);
  }
  return Status::Ok();
}

Status ReadTiff(Bytes b, std::string_view name, ImageHeader& h) {
  const std::optional<TiffFields> f = ParseTiffIfd0(b.Sub(0, b.size()));
  if (!f) return CorruptImage(name, h.format, "first image directory missing or truncated");
  if (!f->width || !f->height) {
    return CorruptImage(name, h.format, "no image width or height in its first directory");
  }
  if (f->orientation && *f->orientation >= 1 && *f->orientation <= 8) {
    h.orientation = static_cast<int>(*f->orientation);
  }
  return SetSize(name, *f->width, *f->height, h);
}

// BMP: the DIB header after the 14-byte file header. Uncompressed bitmaps must hold all their rows.
Status ReadBmp(Bytes b, std::string_view name, ImageHeader& h) {
  if (!b.Has(0, 18)) return CorruptImage(name, h.format, "it ends inside its header (truncated)");
  const size_t dib = b.U32Le(14);
  if (dib == 12) {
    if (!b.Has(14, 12))
      return CorruptImage(name, h.format, "it ends inside its header (truncated)");
    return SetSize(name, b.U16Le(18), b.U16Le(20), h);
  }
  if (!b.Has(14, 40)) return CorruptImage(name, h.format, "it ends inside its header (truncated)");
  const auto width = static_cast<int32_t>(b.U32Le(18));
  const auto height = static_cast<int32_t>(b.U32Le(22));
  const uint32_t bpp = b.U16Le(28);
  const uint32_t compression = b.U32Le(30);
  if (compression == 4 || compression == 5)
    return UndecodableImage(name, "BMP holding JPEG or PNG");
  if (width <= 0 || height == 0 || height == INT32_MIN) {
    return CorruptImage(name, h.format, "header gives an impossible size");
  }
  const uint64_t rows = height < 0 ? uint64_t(-int64_t{height}) : uint64_t(height);
  if (compression == 0 || compression == 3) {  // BI_RGB, BI_BITFIELDS: rows of fixed size
    const uint64_t stride = (uint64_t(width) * bpp + 31) / 32 * 4;
    const uint64_t need = uint64_t(b.U32Le(10)) + stride * rows;
    if (bpp == 0 || need > b.size()) {
      return CorruptImage(name, h.format,
                          "pixel rows end early (" + std::to_string(b.size()) + " of " +
                              std::to_string(need) + " bytes; truncated)");
    }
  }
  return SetSize(name, uint64_t(width), rows, h);
}

// GIF: the logical screen, then the blocks up to the first image descriptor. The canvas is the
// screen enlarged to hold the first frame (as browsers draw a first frame larger than its screen),
// so the pixel limit covers every pixel the decoder will write.
Status ReadGif(Bytes b, std::string_view name, ImageHeader& h) {
  if (!b.Has(0, 13)) return CorruptImage(name, h.format, "it ends inside its header (truncated)");
  const uint32_t flags = b.U8(10);
  size_t pos = 13;
  if (flags & 0x80) pos += 3u << ((flags & 7) + 1);  // global colour table
  for (;;) {
    if (!b.Has(pos, 1)) {
      return CorruptImage(name, h.format, "it ends before its first frame (truncated)");
    }
    const uint32_t block = b.U8(pos);
    if (block == 0x2C) {  // image descriptor
      if (!b.Has(pos, 10)) {
        return CorruptImage(name, h.format, "it ends inside its first frame's header (truncated)");
      }
      const uint64_t right = uint64_t{b.U16Le(pos + 1)} + b.U16Le(pos + 5);
      const uint64_t bottom = uint64_t{b.U16Le(pos + 3)} + b.U16Le(pos + 7);
      if (b.U16Le(pos + 5) == 0 || b.U16Le(pos + 7) == 0) {
        return CorruptImage(name, h.format, "its first frame has no pixels");
      }
      return SetSize(name, std::max<uint64_t>(b.U16Le(6), right),
                     std::max<uint64_t>(b.U16Le(8), bottom), h);
    }
    if (block == 0x3B) return CorruptImage(name, h.format, "it holds no frame");
    if (block != 0x21) {
      return CorruptImage(name, h.format, "unknown block at byte " + std::to_string(pos));
    }
    pos += 2;  // extension introducer and label, then data sub-blocks up to an empty one
    for (;;) {
      if (!b.Has(pos, 1)) {
        return CorruptImage(name, h.format, "it ends inside an extension (truncated)");
      }
      const size_t n = b.U8(pos);
      pos += 1 + n;
      if (n == 0) break;
    }
  }
}

bool IsSvg(std::string_view b) {
  b = b.substr(0, 1024);
  if (b.substr(0, 3) == "\xEF\xBB\xBF") b.remove_prefix(3);
  const size_t start = b.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  b.remove_prefix(start);
  if (b.substr(0, 4) == "<svg") return true;
  if (b.substr(0, 5) != "<?xml" && b.substr(0, 4) != "<!--" && b.substr(0, 9) != "<!DOCTYPE") {
    return false;
  }
  return b.find("<svg") != std::string_view::npos;
}

// ISO base media files (HEIF, AVIF, MP4, ...): the brands of the leading ftyp box.
ImageFormat SniffIsoBmff(Bytes b) {
  // The major brand at 8, then compatible brands from 16 to the end of the box (read at most
  // 1 KiB; a box size below 16, e.g. 0 for "to the end of the file", leaves the major brand only).
  const size_t box = b.U32Be(0);
  const size_t end = box < 16 ? 12 : std::min<size_t>(box, 1024);
  ImageFormat found = ImageFormat::kUnknown;
  for (size_t pos = 8; pos + 4 <= end && b.Has(pos, 4); pos += pos == 8 ? 8 : 4) {
    const std::string_view brand = b.Sub(pos, 4);
    if (brand == "avif" || brand == "avis") return ImageFormat::kAvif;
    if (brand == "heic" || brand == "heix" || brand == "hevc" || brand == "hevx" ||
        brand == "heim" || brand == "heis" || brand == "mif1" || brand == "msf1") {
      found = ImageFormat::kHeif;
    }
  }
  return found;
}

}  // namespace

std::string_view FormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kUnknown:
      return "unknown";
    case ImageFormat::kJpeg:
      return "JPEG";
    case ImageFormat::kPng:
      return "PNG";
    case ImageFormat::kWebp:
      return "WebP";
    case ImageFormat::kTiff:
      return "TIFF";
    case ImageFormat::kBmp:
      return "BMP";
    case ImageFormat::kGif:
      return "GIF";
    case ImageFormat::kHeif:
      return "HEIF/HEIC";
    case ImageFormat::kAvif:
      return "AVIF";
    case ImageFormat::kJpeg2000:
      return "JPEG 2000";
    case ImageFormat::kJpegXl:
      return "JPEG XL";
    case ImageFormat::kPsd:
      return "Photoshop (PSD)";
    case ImageFormat::kIco:
      return "ICO";
    case ImageFormat::kSvg:
      return "SVG";
    case ImageFormat::kBigTiff:
      return "BigTIFF";
  }
  return "unknown";
}

bool IsDecodable(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
    case ImageFormat::kPng:
    case ImageFormat::kWebp:
    case ImageFormat::kTiff:
    case ImageFormat::kBmp:
    case ImageFormat::kGif:
    case ImageFormat::kHeif:
    case ImageFormat::kAvif:
      return true;
    default:
      return false;
  }
}

ImageFormat SniffFormat(std::string_view bytes) {
  const Bytes b(bytes);
  if (b.At(0, "\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (b.At(0, "\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  if (b.At(0, "RIFF") && b.At(8, "WEBP")) return ImageFormat::kWebp;
  if (b.At(0, std::string_view("II*\0", 4)) || b.At(0, std::string_view("MM\0*", 4))) {
    return ImageFormat::kTiff;
  }
  if (b.At(0, std::string_view("II+\0", 4)) || b.At(0, std::string_view("MM\0+", 4))) {
    return ImageFormat::kBigTiff;
  }
  // "BM" alone is too weak a signature; require a known DIB header size as well.
  if (b.At(0, "BM") && b.Has(14, 4)) {
    const uint32_t dib = b.U32Le(14);
    if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) {
      return ImageFormat::kBmp;
    }
  }
  if (b.At(0, "GIF87a") || b.At(0, "GIF89a")) return ImageFormat::kGif;
  if (b.At(4, "ftyp") && b.Has(0, 12)) return SniffIsoBmff(b);
  if (b.At(0, std::string_view("\0\0\0\x0CjP  \r\n\x87\n", 12)) || b.At(0, "\xFF\x4F\xFF\x51")) {
    return ImageFormat::kJpeg2000;
  }
  if (b.At(0, std::string_view("\0\0\0\x0CJXL \r\n\x87\n", 12)) || b.At(0, "\xFF\x0A")) {
    return ImageFormat::kJpegXl;
  }
  if (b.At(0, "8BPS")) return ImageFormat::kPsd;
  // ICO: reserved 0, type 1, then a non-zero image count whose first entry has reserved byte 0.
  if (b.At(0, std::string_view("\0\0\1\0", 4)) && b.Has(6, 16) && b.U16Le(4) != 0 && b.U8(9) == 0) {
    return ImageFormat::kIco;
  }
  if (IsSvg(bytes)) return ImageFormat::kSvg;
  return ImageFormat::kUnknown;
}

Result<ImageHeader> ReadImageHeader(std::string_view bytes, std::string_view name) {
  ImageHeader h;
  h.format = SniffFormat(bytes);
  if (bytes.empty() && !name.ends_with('/')) {
    // An empty object is an upload that failed more often than anything else. (Keys ending in
    // '/' are the zero-byte "folder" markers S3 consoles create: not images, skipped.)
    return Status::Corrupt(std::string(name) +
                           ": empty object (0 bytes). Upload the image again, or remove the "
                           "object from the bucket.");
  }
  if (h.format == ImageFormat::kUnknown) {
    return Status::NotAnImage(std::string(name) +
                              ": not an image (its first bytes match no image format); skipped");
  }
  if (!IsDecodable(h.format)) return UndecodableImage(name, std::string(FormatName(h.format)));
  const Bytes b(bytes);
  Status st;
  switch (h.format) {
    case ImageFormat::kJpeg:
      st = ReadJpeg(b, name, h);
      break;
    case ImageFormat::kPng:
      st = ReadPng(b, name, h);
      break;
    case ImageFormat::kWebp:
      st = ReadWebp(b, name, h);
      break;
    case ImageFormat::kTiff:
      st = ReadTiff(b, name, h);
      break;
    case ImageFormat::kBmp:
      st = ReadBmp(b, name, h);
      break;
    case ImageFormat::kGif:
      st = ReadGif(b, name, h);
      break;
    case ImageFormat::kHeif:
    case ImageFormat::kAvif:
      st = ReadHeifHeader(bytes, name, h);
      break;
    default:
      st = Status::Internal(std::string(name) + ": no header reader for a decodable format");
  }
  if (!st.ok()) return st;
  return h;
}

Status UndecodableImage(std::string_view name, std::string_view what) {
  std::string m(name);
  m += ": ";
  m += what;
  m += " is a format imagemill does not read (it reads ";
  m += kDecodableFormats;
  m += "); skipped. Convert it, e.g. to JPEG or PNG, to have it labelled.";
  return Status::NotAnImage(std::move(m));
}

Status CorruptImage(std::string_view name, ImageFormat format, std::string_view detail) {
  std::string m(name);
  m += ": damaged ";
  m += FormatName(format);
  m += " file: ";
  m += detail;
  m += ". Re-export or re-upload the image, or remove it from the bucket.";
  return Status::Corrupt(std::move(m));
}

}  // namespace imagemill::vision
