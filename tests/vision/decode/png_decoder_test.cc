#include "vision/decode/png_decoder.h"

#include <gtest/gtest.h>

#include <libdeflate.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <string>
#include <vector>

#include "vision/decode/image.h"

namespace imagemill::vision {
namespace {

// A PNG written by the test itself, so that every row filter, split IDAT chunks and each kind
// of damage can be chosen.
struct PngSpec {
  int width = 17, height = 11;
  int color_type = 2;  // 0 grey, 2 RGB, 6 RGBA
  int bit_depth = 8;
  int interlace = 0;
  int filter_offset = 0;        // row y uses filter (y + filter_offset) % 5
  size_t idat_piece = 1 << 20;  // the stream is split into IDAT chunks of this size
  bool trns = false;            // add a tRNS chunk
  std::string extra_chunk;      // add a chunk of this type (6 zero bytes) before the IDATs
  bool iend = true;             // end with IEND
  int extra_rows = 0;           // compress this many rows more than the header says
  int bad_filter_row = -1;      // this row gets filter type 5 (invalid)
  uint32_t seed = 1;
};

void Put32(std::string& s, uint32_t v) {
  for (int shift : {24, 16, 8, 0}) s.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void PutChunk(std::string& png, const std::string& type, const std::string& data) {
  Put32(png, static_cast<uint32_t>(data.size()));
  const std::string body = type + data;
  png += body;
  Put32(png, static_cast<uint32_t>(libdeflate_crc32(0, body.data(), body.size())));
}

int Channels(int color_type) { return color_type == 0 ? 1 : color_type == 6 ? 4 : 3; }

// The image's samples, rows top to bottom, in the file's channel order (RGB, RGBA or grey).
std::vector<uint8_t> Samples(const PngSpec& spec, int rows) {
  std::mt19937 rng(spec.seed);
  std::vector<uint8_t> s(size_t(rows) * size_t(spec.width) * size_t(Channels(spec.color_type)));
  // Gradients with a little noise (predictions wrap around 255), and every third sample drawn
  // at random so that Paeth's ties (a + b == 2c with a != b) occur.
  for (size_t i = 0; i < s.size(); ++i) {
    s[i] = static_cast<uint8_t>(i % 3 == 0 ? rng() : i * 7 + rng() % 23);
  }
  return s;
}

uint8_t Predict(int filter, int a, int b, int c) {
  switch (filter) {
    case 1:
      return static_cast<uint8_t>(a);
    case 2:
      return static_cast<uint8_t>(b);
    case 3:
      return static_cast<uint8_t>((a + b) / 2);
    case 4: {
      const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
      return static_cast<uint8_t>(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }
    default:
      return 0;
  }
}

std::string WritePng(const PngSpec& spec) {
  const int channels = Channels(spec.color_type);
  const int rows = spec.height + spec.extra_rows;
  const size_t row_bytes = size_t(spec.width) * size_t(channels);
  const std::vector<uint8_t> raw = Samples(spec, rows);
  std::string filtered;
  for (int y = 0; y < rows; ++y) {
    const int filter = y == spec.bad_filter_row ? 5 : (y + spec.filter_offset) % 5;
    filtered.push_back(static_cast<char>(filter));
    const uint8_t* cur = raw.data() + size_t(y) * row_bytes;
    for (size_t i = 0; i < row_bytes; ++i) {
      const int a = i >= size_t(channels) ? cur[i - channels] : 0;
      const int b = y > 0 ? cur[i - row_bytes] : 0;
      const int c = y > 0 && i >= size_t(channels) ? cur[i - row_bytes - channels] : 0;
      filtered.push_back(static_cast<char>(cur[i] - Predict(filter % 5, a, b, c)));
    }
  }
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(6);
  std::string stream(libdeflate_zlib_compress_bound(compressor, filtered.size()), '\0');
  stream.resize(libdeflate_zlib_compress(compressor, filtered.data(), filtered.size(),
                                         stream.data(), stream.size()));
  libdeflate_free_compressor(compressor);

  std::string png = "\x89PNG\r\n\x1A\n";
  std::string ihdr;
  Put32(ihdr, uint32_t(spec.width));
  Put32(ihdr, uint32_t(spec.height));
  ihdr += {static_cast<char>(spec.bit_depth), static_cast<char>(spec.color_type), 0, 0,
           static_cast<char>(spec.interlace)};
  PutChunk(png, "IHDR", ihdr);
  PutChunk(png, "tEXt", std::string("Comment\0test", 12));
  if (spec.trns) PutChunk(png, "tRNS", std::string(spec.color_type == 0 ? 2 : 6, '\0'));
  if (!spec.extra_chunk.empty()) PutChunk(png, spec.extra_chunk, std::string(6, '\0'));
  for (size_t at = 0; at < stream.size(); at += spec.idat_piece) {
    PutChunk(png, "IDAT", stream.substr(at, spec.idat_piece));
  }
  if (spec.iend) PutChunk(png, "IEND", "");
  return png;
}

cv::Mat OpenCvDecode(const std::string& png) {
  return cv::imdecode(cv::Mat(1, int(png.size()), CV_8UC1, const_cast<char*>(png.data())),
                      cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
}

void ExpectSameAsOpenCv(const std::string& png) {
  const std::optional<cv::Mat> ours = DecodeCommonPng(png);
  ASSERT_TRUE(ours.has_value());
  const cv::Mat theirs = OpenCvDecode(png);
  ASSERT_FALSE(theirs.empty());
  ASSERT_EQ(ours->type(), CV_8UC3);
  ASSERT_EQ(ours->size(), theirs.size());
  EXPECT_EQ(cv::norm(*ours, theirs, cv::NORM_INF), 0.0);
}

TEST(PngDecoderTest, EveryFilterAndColourTypeDecodesToOpenCvsPixels) {
  for (int color_type : {0, 2, 6}) {
    for (int width : {1, 2, 7, 64}) {
      for (int offset = 0; offset < 5; ++offset) {
        SCOPED_TRACE("colour type " + std::to_string(color_type) + ", width " +
                     std::to_string(width) + ", filter offset " + std::to_string(offset));
        PngSpec spec;
        spec.color_type = color_type;
        spec.width = width;
        spec.height = 13;
        spec.filter_offset = offset;
        spec.seed = uint32_t(width * 10 + offset);
        ExpectSameAsOpenCv(WritePng(spec));
      }
    }
  }
}

TEST(PngDecoderTest, StreamSplitOverManyIdatChunks) {
  PngSpec spec;
  spec.width = 45;
  spec.height = 30;
  spec.idat_piece = 37;
  ExpectSameAsOpenCv(WritePng(spec));
}

TEST(PngDecoderTest, PngsWrittenByOpenCvDecodeToTheSamePixels) {
  cv::Mat bgr(61, 83, CV_8UC3), bgra(40, 33, CV_8UC4), grey(50, 71, CV_8UC1);
  cv::randu(bgr, 0, 256);
  cv::randu(bgra, 0, 256);
  cv::randu(grey, 0, 256);
  for (const cv::Mat& m : {bgr, bgra, grey}) {
    std::vector<uchar> buf;
    ASSERT_TRUE(cv::imencode(".png", m, buf));
    ExpectSameAsOpenCv(std::string(buf.begin(), buf.end()));
  }
  // The colour image comes back as written.
  std::vector<uchar> buf;
  ASSERT_TRUE(cv::imencode(".png", bgr, buf));
  const std::optional<cv::Mat> back = DecodeCommonPng(std::string(buf.begin(), buf.end()));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(cv::norm(*back, bgr, cv::NORM_INF), 0.0);
}

// A PNG written from the default spec changed by `change` is left to OpenCV.
void ExpectDeclined(const std::function<void(PngSpec&)>& change, const char* what) {
  PngSpec spec;
  change(spec);
  EXPECT_FALSE(DecodeCommonPng(WritePng(spec)).has_value()) << what;
}

TEST(PngDecoderTest, OtherKindsOfPngAreLeftToOpenCv) {
  cv::Mat deep(20, 20, CV_16UC3);
  cv::randu(deep, 0, 65535);
  std::vector<uchar> buf;
  ASSERT_TRUE(cv::imencode(".png", deep, buf));
  EXPECT_FALSE(DecodeCommonPng(std::string(buf.begin(), buf.end())).has_value()) << "16-bit";

  ExpectDeclined([](PngSpec& s) { s.interlace = 1; }, "interlaced");
  ExpectDeclined([](PngSpec& s) { s.color_type = 4; }, "grey with alpha");
  ExpectDeclined([](PngSpec& s) { s.trns = true; }, "tRNS");
  EXPECT_FALSE(DecodeCommonPng("not a png").has_value());
}

TEST(PngDecoderTest, IrregularFilesAreLeftToOpenCv) {
  const std::string good = WritePng(PngSpec{});
  ASSERT_TRUE(DecodeCommonPng(good).has_value());

  std::string bad_crc = good;
  bad_crc[bad_crc.find("IDAT") + 10] ^= 0x40;  // a data byte: the chunk's CRC no longer matches
  EXPECT_FALSE(DecodeCommonPng(bad_crc).has_value()) << "IDAT CRC";

  EXPECT_FALSE(DecodeCommonPng(good.substr(0, good.size() - 20)).has_value()) << "truncated";
  ExpectDeclined([](PngSpec& s) { s.iend = false; }, "no IEND");
  ExpectDeclined([](PngSpec& s) { s.extra_rows = 2; }, "more data than rows");
  ExpectDeclined([](PngSpec& s) { s.bad_filter_row = 6; }, "filter type 5");
  // Both refused by libpng (found by fuzz/png_decoder_fuzz.cc).
  ExpectDeclined([](PngSpec& s) { s.extra_chunk = std::string(4, '\0'); }, "chunk type not letters");
  ExpectDeclined([](PngSpec& s) { s.extra_chunk = "PLTE"; }, "PLTE");
  // An unknown ancillary chunk is skipped, as libpng skips it.
  PngSpec ancillary;
  ancillary.extra_chunk = "prVt";
  ExpectSameAsOpenCv(WritePng(ancillary));
}

TEST(PngDecoderTest, DecodeImageStillReportsDamagedPngsAsCorrupt) {
  std::string bad_crc = WritePng(PngSpec{});
  bad_crc[bad_crc.find("IDAT") + 10] ^= 0x40;
  const Result<Image> image = DecodeImage(bad_crc, "photos/broken.png");
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.status().code(), Code::kCorrupt);
  EXPECT_NE(image.status().message().find("photos/broken.png"), std::string::npos);

  PngSpec spec;
  spec.width = 40;
  spec.height = 24;
  const Result<Image> fine = DecodeImage(WritePng(spec), "photos/fine.png", {.min_side = 8});
  ASSERT_TRUE(fine.ok()) << fine.status().message();
  EXPECT_EQ(fine->bgr.cols, 40);
  EXPECT_EQ(fine->bgr.rows, 24);
  EXPECT_EQ(cv::norm(fine->bgr, OpenCvDecode(WritePng(spec)), cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace imagemill::vision
