#include "vision/decode/image_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "support/encoders.h"
#include "support/images.h"
#include "vision/decode/exif.h"

namespace imagemill::vision {
namespace {

using ::imagemill::testing::Encode;
using ::testing::HasSubstr;

cv::Mat Gradient(int width, int height) {
  cv::Mat m(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      m.at<cv::Vec3b>(y, x) = cv::Vec3b(x % 256, y % 256, (x + y) % 256);
    }
  }
  return m;
}

struct FormatCase {
  const char* ext;
  ImageFormat format;
};

class DecodableFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(DecodableFormatTest, SniffsAndReadsSize) {
  const std::string bytes = Encode(Gradient(321, 123), GetParam().ext);
  EXPECT_EQ(SniffFormat(bytes), GetParam().format);
  Result<ImageHeader> h = ReadImageHeader(bytes, "a/b");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->format, GetParam().format);
  EXPECT_EQ(h->width, 321);
  EXPECT_EQ(h->height, 123);
  EXPECT_EQ(h->orientation, 1);
  EXPECT_TRUE(IsDecodable(h->format));
}

TEST_P(DecodableFormatTest, EveryTruncatedHeaderIsCorruptAndNamesTheObject) {
  const std::string bytes = Encode(Gradient(40, 30), GetParam().ext);
  // Prefixes too short to hold the header fail as Corrupt (once recognisable); from the first
  // prefix that holds it, every longer one reads.
  size_t first_ok = 0;
  int corrupt = 0;
  for (size_t n = 0; n <= bytes.size(); ++n) {
    const std::string_view prefix = std::string_view(bytes).substr(0, n);
    Result<ImageHeader> h = ReadImageHeader(prefix, "photos/x");
    if (first_ok > 0) {
      ASSERT_TRUE(h.ok()) << "prefix of " << n << " bytes: " << h.status().ToString();
      continue;
    }
    if (h.ok()) {
      first_ok = n;
      continue;
    }
    if (SniffFormat(prefix) == ImageFormat::kUnknown) continue;
    EXPECT_EQ(h.status().code(), Code::kCorrupt) << h.status().ToString();
    EXPECT_THAT(h.status().message(), HasSubstr("photos/x"));
    ++corrupt;
  }
  EXPECT_GT(first_ok, 12u);
  EXPECT_GT(corrupt, 0);
}

INSTANTIATE_TEST_SUITE_P(Formats, DecodableFormatTest,
                         ::testing::Values(FormatCase{".jpg", ImageFormat::kJpeg},
                                           FormatCase{".png", ImageFormat::kPng},
                                           FormatCase{".webp", ImageFormat::kWebp},
                                           FormatCase{".tiff", ImageFormat::kTiff},
                                           FormatCase{".bmp", ImageFormat::kBmp},
                                           FormatCase{".gif", ImageFormat::kGif},
                                           FormatCase{".heic", ImageFormat::kHeif},
                                           FormatCase{".avif", ImageFormat::kAvif}),
                         [](const auto& info) { return std::string(info.param.ext + 1); });

TEST(ImageFormatTest, ReadsLossyAndLosslessWebp) {
  for (const auto& [quality, chunk] : {std::pair{90, "VP8 "}, std::pair{101, "VP8L"}}) {
    std::vector<uchar> buf;
    ASSERT_TRUE(cv::imencode(".webp", Gradient(77, 55), buf, {cv::IMWRITE_WEBP_QUALITY, quality}));
    const std::string bytes(buf.begin(), buf.end());
    ASSERT_EQ(bytes.substr(12, 4), chunk);
    Result<ImageHeader> h = ReadImageHeader(bytes, "k");
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    EXPECT_EQ(h->width, 77);
    EXPECT_EQ(h->height, 55);
  }
}

TEST(ImageFormatTest, JpegExifOrientationInBothByteOrders) {
  const std::string jpeg = Encode(Gradient(64, 32), ".jpg");
  for (bool big_endian : {false, true}) {
    for (int o = 1; o <= 8; ++o) {
      Result<ImageHeader> h =
          ReadImageHeader(testing::WithJpegOrientation(jpeg, o, big_endian), "k");
      ASSERT_TRUE(h.ok()) << h.status().ToString();
      EXPECT_EQ(h->orientation, o);
      EXPECT_EQ(h->width, 64);
      EXPECT_EQ(h->display_width(), o >= 5 ? 32 : 64);
      EXPECT_EQ(h->display_height(), o >= 5 ? 64 : 32);
    }
  }
}

TEST(ImageFormatTest, OrientationOfPngWebpAndTiff) {
  const cv::Mat img = Gradient(50, 20);
  for (int o = 1; o <= 8; ++o) {
    Result<ImageHeader> png =
        ReadImageHeader(testing::WithPngOrientation(Encode(img, ".png"), o), "k");
    Result<ImageHeader> webp =
        ReadImageHeader(testing::WithWebpOrientation(Encode(img, ".webp"), 50, 20, o), "k");
    Result<ImageHeader> tiff = ReadImageHeader(testing::MinimalTiff(img, o), "k");
    for (const auto* h : {&png, &webp, &tiff}) {
      ASSERT_TRUE(h->ok()) << h->status().ToString();
      EXPECT_EQ((*h)->orientation, o);
      EXPECT_EQ((*h)->width, 50);
      EXPECT_EQ((*h)->height, 20);
    }
  }
}

TEST(ImageFormatTest, MalformedExifMeansUpright) {
  EXPECT_EQ(ExifOrientation(testing::ExifBlock(9)), 1);
  EXPECT_EQ(ExifOrientation(testing::ExifBlock(0)), 1);
  EXPECT_EQ(ExifOrientation(testing::ExifBlock(6)), 6);
  const std::string cut = testing::ExifBlock(6).substr(0, 20);  // IFD entry cut short
  EXPECT_EQ(ExifOrientation(cut), 1);
  EXPECT_EQ(ExifOrientation("Exif\0\0garbage"), 1);
  EXPECT_EQ(ExifOrientation(""), 1);
  // An image whose EXIF block is broken still has a readable header.
  std::string jpeg = testing::WithJpegOrientation(Encode(Gradient(8, 8), ".jpg"), 6);
  jpeg[2 + 4 + 6 + 4] = 0x7F;  // IFD0 offset now points far outside the block
  Result<ImageHeader> h = ReadImageHeader(jpeg, "k");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->orientation, 1);
}

Result<ImageHeader> Header(std::string_view bytes) { return ReadImageHeader(bytes, "in/key.bin"); }

TEST(ImageFormatTest, SniffsHeifAndAvifBrands) {
  EXPECT_EQ(SniffFormat(std::string("\0\0\0\x18"
                                    "ftypheic\0\0\0\0mif1heic",
                                    24)),
            ImageFormat::kHeif);
  EXPECT_EQ(SniffFormat(std::string("\0\0\0\x1C"
                                    "ftypavif\0\0\0\0avifmif1miaf",
                                    28)),
            ImageFormat::kAvif);
  EXPECT_EQ(SniffFormat(std::string("\0\0\0\x18"
                                    "ftypmif1\0\0\0\0mif1avif",
                                    24)),
            ImageFormat::kAvif);
  // A HEIF brand with no file behind it: recognised, and Corrupt rather than skipped.
  Result<ImageHeader> h = ReadImageHeader(std::string("\0\0\0\x18"
                                                      "ftypheic\0\0\0\0mif1heic",
                                                      24),
                                          "phone/IMG_0001.HEIC");
  EXPECT_EQ(h.status().code(), Code::kCorrupt) << h.status().ToString();
  EXPECT_THAT(h.status().message(), HasSubstr("phone/IMG_0001.HEIC: damaged HEIF/HEIC file"));
}

TEST(ImageFormatTest, GifCanvasHoldsTheFirstFrame) {
  testing::GifOptions o;
  o.screen_width = 50;
  o.screen_height = 20;
  o.frame_left = 40;
  o.frame_top = 5;
  Result<ImageHeader> h = Header(testing::EncodeGif(Gradient(30, 10), o));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->width, 70);   // the frame reaches x = 70, past the 50-pixel screen
  EXPECT_EQ(h->height, 20);  // the frame ends at y = 15, inside the screen
}

TEST(ImageFormatTest, FormatsImagemillDoesNotReadAreSkippedWithTheirName) {
  const struct {
    std::string bytes;
    ImageFormat format;
  } cases[] = {
      {std::string("\0\0\0\x0CjP  \r\n\x87\n\0\0", 14), ImageFormat::kJpeg2000},
      {std::string("\xFF\x4F\xFF\x51\0\x2F", 6), ImageFormat::kJpeg2000},
      {std::string("\xFF\x0A\xFA\x7F", 4), ImageFormat::kJpegXl},
      {std::string("8BPS\0\1\0\0\0\0\0\0", 12), ImageFormat::kPsd},
      {std::string("\0\0\1\0\1\0\x10\x10\0\0\1\0\x20\0\0\0\0\0\0\0\0\0", 22), ImageFormat::kIco},
      {"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
       ImageFormat::kSvg},
      {"  <svg width=\"10\"/>", ImageFormat::kSvg},
      {std::string("II+\0\x08\0\0\0", 8), ImageFormat::kBigTiff},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SniffFormat(c.bytes), c.format) << FormatName(c.format);
    Result<ImageHeader> h = Header(c.bytes);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.status().code(), Code::kNotAnImage) << h.status().ToString();
    EXPECT_THAT(h.status().message(), HasSubstr("in/key.bin"));
    EXPECT_THAT(h.status().message(), HasSubstr(std::string(FormatName(c.format))));
    EXPECT_THAT(h.status().message(), HasSubstr("skipped"));
    EXPECT_THAT(h.status().message(), HasSubstr("Convert it"));
  }
}

TEST(ImageFormatTest, AnimatedWebpIsSkipped) {
  std::string webp = testing::WithWebpOrientation(Encode(Gradient(10, 10), ".webp"), 10, 10, 1);
  webp[20] |= 0x02;  // VP8X animation flag
  Result<ImageHeader> h = Header(webp);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), Code::kNotAnImage);
  EXPECT_THAT(h.status().message(), HasSubstr("animated WebP"));
}

TEST(ImageFormatTest, LosslessAndTwelveBitJpegAreSkipped) {
  const std::string jpeg = Encode(Gradient(16, 16), ".jpg");
  const size_t sof = jpeg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  std::string lossless = jpeg;
  lossless[sof + 1] = '\xC3';
  EXPECT_EQ(Header(lossless).status().code(), Code::kNotAnImage);
  std::string twelve = jpeg;
  twelve[sof + 4] = 12;  // sample precision
  Result<ImageHeader> h = Header(twelve);
  EXPECT_EQ(h.status().code(), Code::kNotAnImage);
  EXPECT_THAT(h.status().message(), HasSubstr("12-bit"));
}

TEST(ImageFormatTest, NonImagesAreNotAnImage) {
  for (const std::string& bytes :
       {std::string("hello, world\n"), std::string("%PDF-1.7\n%\xE2\xE3"),
        std::string("BMW is a car maker, not a bitmap"),
        std::string("\0\0\0\x18"
                    "ftypisom",
                    12),
        std::string("{\"json\": true}"), std::string("<html><body>no svg</body></html>"),
        std::string("\xFF\xD8", 2), std::string(100, '\0')}) {
    EXPECT_EQ(SniffFormat(bytes), ImageFormat::kUnknown) << bytes;
    Result<ImageHeader> h = Header(bytes);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.status().code(), Code::kNotAnImage) << bytes;
    EXPECT_THAT(h.status().message(), HasSubstr("in/key.bin"));
  }
}

TEST(ImageFormatTest, EmptyObjectIsCorruptExceptFolderMarkers) {
  Result<ImageHeader> h = ReadImageHeader("", "photos/empty.jpg");
  EXPECT_EQ(h.status().code(), Code::kCorrupt);
  EXPECT_THAT(h.status().message(), HasSubstr("photos/empty.jpg"));
  EXPECT_THAT(h.status().message(), HasSubstr("0 bytes"));
  EXPECT_EQ(ReadImageHeader("", "photos/").status().code(), Code::kNotAnImage);
}

TEST(ImageFormatTest, ImpossibleSizesAreCorrupt) {
  const std::string png = Encode(Gradient(4, 4), ".png");
  EXPECT_EQ(Header(testing::WithPngSize(png, 0, 4)).status().code(), Code::kCorrupt);
  EXPECT_EQ(Header(testing::WithPngSize(png, 0x80000000u, 4)).status().code(), Code::kCorrupt);
  Result<ImageHeader> big = Header(testing::WithPngSize(png, 50000, 50000));
  ASSERT_TRUE(big.ok()) << big.status().ToString();  // the header is fine; the decoder refuses it
  EXPECT_EQ(big->pixels(), 2'500'000'000u);
}

TEST(ImageFormatTest, BmpMissingRowsIsCorrupt) {
  const std::string bmp = Encode(Gradient(30, 20), ".bmp");
  Result<ImageHeader> h = Header(bmp.substr(0, bmp.size() - 10));
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), Code::kCorrupt);
  EXPECT_THAT(h.status().message(), HasSubstr("truncated"));
}

TEST(ImageFormatTest, JpegWithoutScanIsCorrupt) {
  const std::string jpeg = Encode(Gradient(16, 16), ".jpg");
  const size_t sos = jpeg.find("\xFF\xDA");
  ASSERT_NE(sos, std::string::npos);
  Result<ImageHeader> h = Header(jpeg.substr(0, sos));
  EXPECT_EQ(h.status().code(), Code::kCorrupt);
  Result<ImageHeader> whole = Header(jpeg);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->scan_offset, sos);
}

}  // namespace
}  // namespace imagemill::vision
