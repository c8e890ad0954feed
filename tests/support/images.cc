#include "support/images.h"

#include <cstdio>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "support/encoders.h"

namespace imagemill::testing {
namespace {

void PutBe(std::string& s, uint32_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void PutLe(std::string& s, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A TIFF structure whose IFD0 has one SHORT Orientation entry.
std::string OrientationTiff(int orientation, bool big_endian) {
  std::string t;
  auto put = [&](uint32_t v, int n) { big_endian ? PutBe(t, v, n) : PutLe(t, v, n); };
  t += big_endian ? std::string("MM\0*", 4) : std::string("II*\0", 4);
  put(8, 4);  // IFD0 offset
  put(1, 2);  // one entry
  put(274, 2);
  put(3, 2);  // SHORT
  put(1, 4);
  put(static_cast<uint32_t>(orientation), 2);
  put(0, 2);
  put(0, 4);  // no next IFD
  return t;
}

std::string PngChunk(std::string_view type, std::string_view data) {
  std::string c;
  PutBe(c, static_cast<uint32_t>(data.size()), 4);
  std::string body(type);
  body += data;
  c += body;
  PutBe(c, Crc32(body), 4);
  return c;
}

}  // namespace

std::string Encode(const cv::Mat& image, const std::string& ext) {
  if (ext == ".gif" || ext == ".heic" || ext == ".avif") {
    cv::Mat bgr = image;
    if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    if (image.channels() == 4) cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
    return ext == ".gif" ? EncodeGif(bgr) : EncodeHeif(bgr, ext == ".avif");
  }
  std::vector<uchar> buf;
  if (!cv::imencode(ext, image, buf)) {
    std::fprintf(stderr, "test fixture: OpenCV cannot encode %s\n", ext.c_str());
    std::abort();
  }
  return std::string(buf.begin(), buf.end());
}

std::string ExifBlock(int orientation, bool big_endian) {
  return std::string("Exif\0\0", 6) + OrientationTiff(orientation, big_endian);
}

std::string WithJpegOrientation(std::string_view jpeg, int orientation, bool big_endian) {
  const std::string payload = ExifBlock(orientation, big_endian);
  std::string seg = "\xFF\xE1";
  PutBe(seg, static_cast<uint32_t>(payload.size() + 2), 2);
  seg += payload;
  std::string out(jpeg.substr(0, 2));
  out += seg;
  out += jpeg.substr(2);
  return out;
}

std::string WithPngOrientation(std::string_view png, int orientation) {
  constexpr size_t kAfterIhdr = 8 + 8 + 13 + 4;
  std::string out(png.substr(0, kAfterIhdr));
  out += PngChunk("eXIf", OrientationTiff(orientation, false));
  out += png.substr(kAfterIhdr);
  return out;
}

std::string WithWebpOrientation(std::string_view webp, int width, int height, int orientation) {
  std::string body = "WEBP";
  body += "VP8X";
  PutLe(body, 10, 4);
  body.push_back(0x08);  // EXIF flag
  body.append(3, '\0');
  PutLe(body, static_cast<uint32_t>(width - 1), 3);
  PutLe(body, static_cast<uint32_t>(height - 1), 3);
  body += webp.substr(12);  // the original image chunk(s)
  const std::string exif = OrientationTiff(orientation, false);
  body += "EXIF";
  PutLe(body, static_cast<uint32_t>(exif.size()), 4);
  body += exif;
  if (exif.size() % 2) body.push_back('\0');
  std::string out = "RIFF";
  PutLe(out, static_cast<uint32_t>(body.size()), 4);
  return out + body;
}

std::string MinimalTiff(const cv::Mat& bgr, int orientation) {
  const auto w = static_cast<uint32_t>(bgr.cols);
  const auto h = static_cast<uint32_t>(bgr.rows);
  const uint32_t data_size = w * h * 3;
  std::string t("II*\0", 4);
  const uint32_t ifd = 8 + data_size;
  PutLe(t, ifd, 4);
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
      t.push_back(static_cast<char>(p[2]));
      t.push_back(static_cast<char>(p[1]));
      t.push_back(static_cast<char>(p[0]));
    }
  }
  struct Entry {
    uint16_t tag, type;
    uint32_t count, value;
  };
  constexpr uint16_t kShort = 3, kLong = 4;
  const uint32_t bits_offset = ifd + 2 + 11 * 12 + 4;
  const Entry entries[] = {
      {256, kLong, 1, w},
      {257, kLong, 1, h},
      {258, kShort, 3, bits_offset},
      {259, kShort, 1, 1},  // no compression
      {262, kShort, 1, 2},  // RGB
      {273, kLong, 1, 8},
      {274, kShort, 1, static_cast<uint32_t>(orientation)},
      {277, kShort, 1, 3},
      {278, kLong, 1, h},
      {279, kLong, 1, data_size},
      {284, kShort, 1, 1},
  };
  PutLe(t, 11, 2);
  for (const Entry& e : entries) {
    PutLe(t, e.tag, 2);
    PutLe(t, e.type, 2);
    PutLe(t, e.count, 4);
    if (e.type == kShort && e.count == 1) {
      PutLe(t, e.value, 2);
      PutLe(t, 0, 2);
    } else {
      PutLe(t, e.value, 4);
    }
  }
  PutLe(t, 0, 4);
  for (int i = 0; i < 3; ++i) PutLe(t, 8, 2);
  return t;
}

std::string WithPngSize(std::string_view png, uint32_t width, uint32_t height) {
  std::string ihdr_data(png.substr(16, 13));
  std::string size;
  PutBe(size, width, 4);
  PutBe(size, height, 4);
  ihdr_data.replace(0, 8, size);
  std::string out(png.substr(0, 8));
  out += PngChunk("IHDR", ihdr_data);
  out += png.substr(8 + 8 + 13 + 4);
  return out;
}

uint32_t Crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (char ch : bytes) {
    crc ^= static_cast<unsigned char>(ch);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace imagemill::testing
