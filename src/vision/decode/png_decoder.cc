#include "vision/decode/png_decoder.h"

#include <libdeflate.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <opencv2/imgproc.hpp>
#include <string>
#include <utility>
#include <vector>

namespace imagemill::vision {
namespace {

constexpr std::string_view kSignature = "\x89PNG\r\n\x1A\n";

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

struct Chunk {
  std::string_view type;  // 4 bytes
  std::string_view data;
  bool crc_ok = false;
};

// Walks the chunks of a PNG file; every read is bounds-checked.
class ChunkReader {
 public:
  explicit ChunkReader(std::string_view bytes) : bytes_(bytes), pos_(kSignature.size()) {}

  // The next chunk, or false at the end of the bytes, on a chunk that does not fit in them, or on
  // one libpng would refuse (length over 2^31 - 1, a type that is not letters).
  bool Next(Chunk& c) {
    if (bytes_.size() - pos_ < 12) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data() + pos_);
    const uint32_t length = Be32(p);
    if (length > 0x7FFFFFFFu || length > bytes_.size() - pos_ - 12) return false;
    c.type = bytes_.substr(pos_ + 4, 4);
    // libpng refuses a chunk type that is not four ASCII letters.
    for (char ch : c.type) {
      if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))) return false;
    }
    c.data = bytes_.substr(pos_ + 8, length);
    // The CRC covers the type and the data.
    const uint32_t crc = static_cast<uint32_t>(libdeflate_crc32(0, p + 4, size_t{length} + 4));
    c.crc_ok = crc == Be32(p + 8 + length);
    pos_ += size_t{length} + 12;
    return true;
  }

 private:
  std::string_view bytes_;
  size_t pos_;
};

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

void SwapRedBlue(unsigned char* p, uint32_t pixels) {
  for (uint32_t x = 0; x < pixels; ++x, p += 3) std::swap(p[0], p[2]);
}

// Undoes one row's filter in place (PNG specification, section 9). `prev` is the row above,
// already unfiltered (zeros for the first row); `bpp` the bytes per pixel. False for an unknown
// filter type.
bool Unfilter(int type, unsigned char* cur, const unsigned char* prev, size_t n, size_t bpp) {
  switch (type) {
    case 0:
      return true;
    case 1:  // Sub
      for (size_t i = bpp; i < n; ++i) cur[i] = static_cast<unsigned char>(cur[i] + cur[i - bpp]);
      return true;
    case 2:  // Up
      for (size_t i = 0; i < n; ++i) cur[i] = static_cast<unsigned char>(cur[i] + prev[i]);
      return true;
    case 3:  // Average
      for (size_t i = 0; i < bpp; ++i) cur[i] = static_cast<unsigned char>(cur[i] + (prev[i] >> 1));
      for (size_t i = bpp; i < n; ++i) {
        cur[i] = static_cast<unsigned char>(cur[i] + ((cur[i - bpp] + prev[i]) >> 1));
      }
      return true;
    case 4:  // Paeth
      for (size_t i = 0; i < bpp; ++i) cur[i] = static_cast<unsigned char>(cur[i] + prev[i]);
      for (size_t i = bpp; i < n; ++i) {
        const int a = cur[i - bpp], b = prev[i], c = prev[i - bpp];
        const int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
        const int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
        cur[i] = static_cast<unsigned char>(cur[i] + pred);
      }
      return true;
    default:
      return false;
  }
}

bool IsCritical(std::string_view type) { return type[0] >= 'A' && type[0] <= 'Z'; }

}  // namespace

std::optional<cv::Mat> DecodeCommonPng(std::string_view bytes) {
  if (bytes.substr(0, kSignature.size()) != kSignature) return std::nullopt;
  ChunkReader reader(bytes);
  Chunk c;
  if (!reader.Next(c) || c.type != "IHDR" || c.data.size() != 13 || !c.crc_ok) {
    return std::nullopt;
  }
  const auto* ihdr = reinterpret_cast<const unsigned char*>(c.data.data());
  const uint32_t width = Be32(ihdr), height = Be32(ihdr + 4);
  const int bit_depth = ihdr[8], color_type = ihdr[9];
  const bool standard = ihdr[10] == 0 && ihdr[11] == 0 && ihdr[12] == 0;  // deflate, filters, no interlace
  int channels = 0;
  int conversion = 0;  // for grey and RGBA
  switch (color_type) {
    case 0:
      channels = 1;
      conversion = cv::COLOR_GRAY2BGR;
      break;
    case 2:
      channels = 3;
      conversion = cv::COLOR_RGB2BGR;
      break;
    case 6:
      channels = 4;
      conversion = cv::COLOR_RGBA2BGR;
      break;
    default:
      return std::nullopt;  // palette, grey with alpha
  }
  // OpenCV refuses sides over 2^20 pixels; those go to it for its message.
  if (bit_depth != 8 || !standard || width == 0 || height == 0 || width > (1u << 20) ||
      height > (1u << 20)) {
    return std::nullopt;
  }

  // The compressed stream: the IDAT chunks, consecutive; then anything up to a sound IEND.
  std::string_view stream;
  std::string joined;  // only when the stream is split over several IDAT chunks
  bool in_idat = false, idat_done = false, end_seen = false;
  while (!end_seen && reader.Next(c)) {
    if (c.type == "IDAT") {
      if (idat_done || !c.crc_ok) return std::nullopt;
      if (!in_idat) {
        stream = c.data;
      } else {
        if (joined.empty()) joined.assign(stream);
        joined.append(c.data);
      }
      in_idat = true;
      continue;
    }
    if (in_idat) idat_done = true;
    in_idat = false;
    if (c.type == "IEND") {
      end_seen = c.crc_ok;
      if (!end_seen) return std::nullopt;
    } else if (c.type == "tRNS") {
      return std::nullopt;
    } else if (IsCritical(c.type)) {
      // A second IHDR, a critical chunk libpng does not know, or a PLTE (a truecolour image
      // may suggest a palette, but libpng's rules for it are many; too rare to follow here).
      return std::nullopt;
    }
  }
  if (!end_seen || stream.empty()) return std::nullopt;
  if (!joined.empty()) stream = joined;

  const size_t row_bytes = size_t{width} * static_cast<size_t>(channels);
  const int stride = static_cast<int>(row_bytes + 1);
  // The inflated image, each row's filter-type byte then its samples, in one buffer that becomes
  // the result's pixels for RGB (the common case, undone and reordered in place).
  cv::Mat rows(static_cast<int>(height), stride, CV_8UC1);
  thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> inflater(
      libdeflate_alloc_decompressor());
  if (!inflater) return std::nullopt;
  // Without an actual-size pointer libdeflate insists on exactly the image's bytes: short or
  // long data goes to libpng, which decides what it makes of it.
  if (libdeflate_zlib_decompress(inflater.get(), stream.data(), stream.size(), rows.data,
                                 rows.total(), nullptr) != LIBDEFLATE_SUCCESS) {
    return std::nullopt;
  }
  std::vector<unsigned char> zeros(row_bytes, 0);
  const unsigned char* prev = zeros.data();
  for (int y = 0; y < rows.rows; ++y) {
    unsigned char* row = rows.ptr(y);
    if (!Unfilter(row[0], row + 1, prev, row_bytes, static_cast<size_t>(channels))) {
      return std::nullopt;
    }
    // The row above is no longer read by any filter: RGB to BGR while it is in cache.
    if (channels == 3 && y > 0) SwapRedBlue(rows.ptr(y - 1) + 1, width);
    prev = row + 1;
  }
  if (channels == 3) {
    SwapRedBlue(rows.ptr(rows.rows - 1) + 1, width);
    return rows.colRange(1, stride).reshape(3);  // rows keep their filter byte in front
  }
  const cv::Mat samples = rows.colRange(1, stride).reshape(channels);
  cv::Mat bgr;
  cv::cvtColor(samples, bgr, conversion);
  return bgr;
}

}  // namespace imagemill::vision
