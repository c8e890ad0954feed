#include "vision/decode/image.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "support/encoders.h"
#include "support/images.h"

namespace imagemill::vision {
namespace {

using ::imagemill::testing::Encode;
using ::testing::HasSubstr;

const cv::Vec3b kRed(0, 0, 255), kGreen(0, 255, 0), kGrey(128, 128, 128);

// A stored (not yet oriented) 120x80 image: grey, a red block at the stored top-left corner and a
// green block at the stored top-right corner.
cv::Mat StoredPattern() {
  cv::Mat m(80, 120, CV_8UC3, cv::Scalar(kGrey));
  m(cv::Rect(0, 0, 24, 24)).setTo(cv::Scalar(kRed));
  m(cv::Rect(96, 0, 24, 24)).setTo(cv::Scalar(kGreen));
  return m;
}

enum Corner { kTopLeft, kTopRight, kBottomRight, kBottomLeft };

// Where the stored top-left and top-right pixels appear once displayed, from the EXIF spec's
// definition of orientation (where row 0 and column 0 of the stored image are shown).
constexpr Corner kStoredTopLeftShownAt[9] = {kTopLeft,     kTopLeft,     kTopRight,
                                             kBottomRight, kBottomLeft,  kTopLeft,
                                             kTopRight,    kBottomRight, kBottomLeft};
constexpr Corner kStoredTopRightShownAt[9] = {kTopRight,    kTopRight,    kTopLeft,
                                              kBottomLeft,  kBottomRight, kBottomLeft,
                                              kBottomRight, kTopRight,    kTopLeft};

cv::Vec3b MeanNear(const cv::Mat& m, Corner c) {
  const int s = 8, x = (c == kTopLeft || c == kBottomLeft) ? 4 : m.cols - 4 - s;
  const int y = (c == kTopLeft || c == kTopRight) ? 4 : m.rows - 4 - s;
  const cv::Scalar mean = cv::mean(m(cv::Rect(x, y, s, s)));
  return cv::Vec3b(cv::saturate_cast<uchar>(mean[0]), cv::saturate_cast<uchar>(mean[1]),
                   cv::saturate_cast<uchar>(mean[2]));
}

bool Near(cv::Vec3b a, cv::Vec3b b) {
  for (int i = 0; i < 3; ++i) {
    if (std::abs(int{a[i]} - int{b[i]}) > 40) return false;
  }
  return true;
}

std::string WithOrientation(const std::string& ext, const cv::Mat& stored, int o) {
  if (ext == ".jpg") return testing::WithJpegOrientation(Encode(stored, ext), o);
  if (ext == ".png") return testing::WithPngOrientation(Encode(stored, ext), o);
  if (ext == ".webp") {
    return testing::WithWebpOrientation(Encode(stored, ext), stored.cols, stored.rows, o);
  }
  return testing::MinimalTiff(stored, o);
}

class OrientationTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OrientationTest, EveryOrientationEndsUpAsDisplayed) {
  const std::string ext = GetParam();
  for (int o = 1; o <= 8; ++o) {
    SCOPED_TRACE("orientation " + std::to_string(o));
    Result<Image> img = DecodeImage(WithOrientation(ext, StoredPattern(), o), "k");
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    const int want_w = o >= 5 ? 80 : 120, want_h = o >= 5 ? 120 : 80;
    EXPECT_EQ(img->bgr.cols, want_w);
    EXPECT_EQ(img->bgr.rows, want_h);
    EXPECT_EQ(img->width, want_w);
    EXPECT_EQ(img->height, want_h);
    EXPECT_EQ(img->header.orientation, o);
    EXPECT_TRUE(Near(MeanNear(img->bgr, kStoredTopLeftShownAt[o]), kRed))
        << MeanNear(img->bgr, kStoredTopLeftShownAt[o]);
    EXPECT_TRUE(Near(MeanNear(img->bgr, kStoredTopRightShownAt[o]), kGreen))
        << MeanNear(img->bgr, kStoredTopRightShownAt[o]);
  }
}

TEST_P(OrientationTest, CanLeaveTheStoredOrientation) {
  Result<Image> img = DecodeImage(WithOrientation(GetParam(), StoredPattern(), 6), "k",
                                  {.apply_orientation = false});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->bgr.cols, 120);
  EXPECT_EQ(img->width, 120);
  EXPECT_TRUE(Near(MeanNear(img->bgr, kTopLeft), kRed));
}

INSTANTIATE_TEST_SUITE_P(Formats, OrientationTest,
                         ::testing::Values(".jpg", ".png", ".webp", ".tiff"),
                         [](const auto& info) { return std::string(info.param + 1); });

TEST(DecodeImageTest, DecodesEveryFormat) {
  for (const char* ext : {".jpg", ".png", ".webp", ".tiff", ".bmp", ".gif", ".heic", ".avif"}) {
    SCOPED_TRACE(ext);
    Result<Image> img = DecodeImage(Encode(StoredPattern(), ext), "k");
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->bgr.type(), CV_8UC3);
    EXPECT_EQ(img->bgr.cols, 120);
    EXPECT_EQ(img->bgr.rows, 80);
    EXPECT_EQ(img->scale_denom, 1);
    EXPECT_TRUE(Near(MeanNear(img->bgr, kTopLeft), kRed));
    EXPECT_TRUE(Near(MeanNear(img->bgr, kBottomLeft), kGrey));
  }
}

TEST(DecodeImageTest, GreyscaleAndAlphaBecomeBgr) {
  const cv::Mat grey(30, 40, CV_8UC1, cv::Scalar(200));
  cv::Mat bgra(30, 40, CV_8UC4, cv::Scalar(10, 20, 30, 128));
  for (const std::string& bytes :
       {Encode(grey, ".png"), Encode(grey, ".jpg"), Encode(bgra, ".png")}) {
    Result<Image> img = DecodeImage(bytes, "k");
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->bgr.type(), CV_8UC3);
    EXPECT_EQ(img->bgr.size(), cv::Size(40, 30));
  }
}

TEST(DecodeImageTest, ReducedJpegStaysAtLeastMinSide) {
  cv::Mat big(1200, 1600, CV_8UC3);
  cv::randu(big, 0, 255);
  const std::string jpeg = Encode(big, ".jpg");
  const struct {
    int min_side, denom, w, h;
  } cases[] = {{0, 1, 1600, 1200}, {416, 2, 800, 600},    {320, 2, 800, 600},
               {300, 4, 400, 300}, {150, 8, 200, 150},    {151, 4, 400, 300},
               {1, 8, 200, 150},   {1200, 1, 1600, 1200}, {5000, 1, 1600, 1200}};
  for (const auto& c : cases) {
    SCOPED_TRACE("min_side " + std::to_string(c.min_side));
    Result<Image> img = DecodeImage(jpeg, "k", {.min_side = c.min_side});
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->scale_denom, c.denom);
    EXPECT_EQ(img->bgr.size(), cv::Size(c.w, c.h));
    EXPECT_EQ(img->width, 1600);
    EXPECT_EQ(img->height, 1200);
  }
}

TEST(DecodeImageTest, ReducedJpegCanKeepTheLongerSideInstead) {
  cv::Mat wide(1000, 4000, CV_8UC3, cv::Scalar(kGrey));
  const std::string jpeg = Encode(wide, ".jpg");
  Result<Image> img = DecodeImage(jpeg, "k", {.min_long_side = 512});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->scale_denom, 4);  // 1000x250; 1/8 would leave a longer side of 500
  EXPECT_EQ(img->bgr.size(), cv::Size(1000, 250));
  Result<Image> both = DecodeImage(jpeg, "k", {.min_side = 300, .min_long_side = 512});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->scale_denom, 2);  // the shorter side decides
}

TEST(DecodeImageTest, ReducedJpegRoundsUpOddSizesAndKeepsOrientation) {
  cv::Mat odd(1001, 1503, CV_8UC3, cv::Scalar(kGrey));
  odd(cv::Rect(0, 0, 200, 200)).setTo(cv::Scalar(kRed));
  Result<Image> img =
      DecodeImage(testing::WithJpegOrientation(Encode(odd, ".jpg"), 6), "k", {.min_side = 250});
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->scale_denom, 4);
  EXPECT_EQ(img->bgr.size(), cv::Size(251, 376));  // ceil(1001/4) x ceil(1503/4), rotated
  EXPECT_EQ(img->width, 1001);
  EXPECT_EQ(img->height, 1503);
  EXPECT_TRUE(Near(MeanNear(img->bgr, kTopRight), kRed));
}

TEST(DecodeImageTest, OtherFormatsDecodeAtFullSize) {
  const cv::Mat m(600, 900, CV_8UC3, cv::Scalar(kGrey));
  for (const char* ext : {".png", ".webp", ".tiff", ".bmp", ".gif", ".heic"}) {
    Result<Image> img = DecodeImage(Encode(m, ext), "k", {.min_side = 100});
    ASSERT_TRUE(img.ok()) << img.status().ToString();
    EXPECT_EQ(img->scale_denom, 1) << ext;
    EXPECT_EQ(img->bgr.size(), cv::Size(900, 600)) << ext;
  }
}

TEST(DecodeImageTest, DecompressionBombIsRefusedBeforeDecoding) {
  // A real 64x64 PNG whose header claims 50000x50000: decoding it would fail (its data holds
  // 64 rows), so TooLarge proves the limit was checked on the header, before the decoder ran.
  const std::string bomb = testing::WithPngSize(Encode(StoredPattern(), ".png"), 50000, 50000);
  Result<Image> img = DecodeImage(bomb, "uploads/bomb.png");
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.status().code(), Code::kTooLarge);
  EXPECT_THAT(img.status().message(), HasSubstr("uploads/bomb.png"));
  EXPECT_THAT(img.status().message(), HasSubstr("50000x50000"));
  EXPECT_THAT(img.status().message(), HasSubstr("Raise the pixel limit"));
  // Under a limit that lets the header through, the same bytes fail in the decoder instead.
  Result<Image> tried = DecodeImage(bomb, "uploads/bomb.png", {.max_pixels = 3'000'000'000});
  EXPECT_EQ(tried.status().code(), Code::kCorrupt) << tried.status().ToString();
}

TEST(DecodeImageTest, PixelLimitIsConfigurable) {
  const std::string png = Encode(cv::Mat(100, 100, CV_8UC3, cv::Scalar(kGrey)), ".png");
  EXPECT_EQ(DecodeImage(png, "k", {.max_pixels = 9'999}).status().code(), Code::kTooLarge);
  EXPECT_TRUE(DecodeImage(png, "k", {.max_pixels = 10'000}).ok());
}

TEST(DecodeImageTest, TruncatedFilesAreCorrupt) {
  cv::Mat noisy(200, 300, CV_8UC3);
  cv::randu(noisy, 0, 255);
  for (const char* ext : {".jpg", ".png", ".webp", ".tiff", ".bmp", ".gif", ".heic", ".avif"}) {
    const std::string whole = Encode(noisy, ext);
    for (double fraction : {0.5, 0.9}) {
      SCOPED_TRACE(std::string(ext) + " cut to " + std::to_string(fraction));
      const std::string cut = whole.substr(0, static_cast<size_t>(whole.size() * fraction));
      Result<Image> img = DecodeImage(cut, "photos/cut" + std::string(ext));
      ASSERT_FALSE(img.ok());
      EXPECT_EQ(img.status().code(), Code::kCorrupt) << img.status().ToString();
      EXPECT_THAT(img.status().message(), HasSubstr("photos/cut"));
      EXPECT_THAT(img.status().message(), HasSubstr("re-upload"));
    }
  }
  const std::string tiff = testing::MinimalTiff(noisy, 1);
  EXPECT_EQ(DecodeImage(tiff.substr(0, tiff.size() / 2), "k").status().code(), Code::kCorrupt);
}

TEST(DecodeImageTest, NonImagesAndFormatsItDoesNotReadAreNotAnImage) {
  EXPECT_EQ(DecodeImage("", "a.jpg").status().code(), Code::kCorrupt);
  EXPECT_EQ(DecodeImage("just some text\n", "notes.txt").status().code(), Code::kNotAnImage);
  const Result<Image> jp2 =
      DecodeImage(std::string("\0\0\0\x0CjP  \r\n\x87\n\0\0", 14), "scans/page.jp2");
  EXPECT_EQ(jp2.status().code(), Code::kNotAnImage);
  EXPECT_THAT(jp2.status().message(),
              HasSubstr("scans/page.jp2: JPEG 2000 is a format imagemill does not read"));
  EXPECT_THAT(jp2.status().message(), HasSubstr("skipped"));
  // A GIF cut inside its header is a damaged GIF, not a skipped one.
  EXPECT_EQ(DecodeImage(std::string("GIF89a\x01\0\x01\0\0\0\0", 13), "a.gif").status().code(),
            Code::kCorrupt);
}

// GIF: only the first frame is drawn, at its place on the canvas; uncovered and transparent
// pixels are white; interlaced rows come back in order.
TEST(DecodeImageTest, GifFirstFrameOnItsCanvas) {
  testing::GifOptions o;
  o.frames = 3;
  o.interlaced = true;
  o.screen_width = 160;
  o.screen_height = 100;
  o.frame_left = 40;
  o.frame_top = 20;
  o.transparent_index = testing::GifIndex(kGreen);
  Result<Image> img = DecodeImage(testing::EncodeGif(StoredPattern(), o), "anim.gif");
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->bgr.size(), cv::Size(160, 100));
  const cv::Vec3b kWhite(255, 255, 255);
  EXPECT_EQ(img->bgr.at<cv::Vec3b>(5, 5), kWhite);          // outside the frame
  EXPECT_EQ(img->bgr.at<cv::Vec3b>(30, 50), kRed);          // the frame's red block (not inverted)
  EXPECT_EQ(img->bgr.at<cv::Vec3b>(30, 40 + 100), kWhite);  // its green block is transparent
  EXPECT_TRUE(Near(img->bgr.at<cv::Vec3b>(90, 100), kGrey));
  // Every row in place although stored interlaced: the red block spans rows 20..43 exactly.
  for (int y = 20; y < 44; ++y) EXPECT_EQ(img->bgr.at<cv::Vec3b>(y, 45), kRed) << y;
  EXPECT_TRUE(Near(img->bgr.at<cv::Vec3b>(44, 45), kGrey));
}

TEST(DecodeImageTest, GifClaimingAHugeCanvasIsRefusedBeforeDecoding) {
  testing::GifOptions o;
  o.screen_width = 65535;
  o.screen_height = 65535;
  Result<Image> img = DecodeImage(testing::EncodeGif(StoredPattern(), o), "bomb.gif");
  EXPECT_EQ(img.status().code(), Code::kTooLarge) << img.status().ToString();
  EXPECT_THAT(img.status().message(), HasSubstr("65535x65535"));
}

TEST(DecodeImageTest, DamagedGifHeifAndAvifAreCorrupt) {
  cv::Mat noisy(64, 96, CV_8UC3);
  cv::randu(noisy, 0, 255);
  for (const char* ext : {".gif", ".heic", ".avif"}) {
    SCOPED_TRACE(ext);
    std::string bytes = Encode(noisy, ext);
    // Overwrite the second half (pixel data in every one of the three) with noise.
    for (size_t i = bytes.size() / 2; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131);
    Result<Image> img = DecodeImage(bytes, std::string("photos/bad") + ext);
    if (img.ok()) {
      // Some codecs decode noise into noise without noticing; the size must still be right.
      EXPECT_EQ(img->bgr.size(), noisy.size());
      continue;
    }
    EXPECT_EQ(img.status().code(), Code::kCorrupt) << img.status().ToString();
    EXPECT_THAT(img.status().message(), HasSubstr("photos/bad"));
  }
}

TEST(DecodeImageTest, HeifPixelLimitIsCheckedOnItsHeader) {
  const std::string heic = Encode(StoredPattern(), ".heic");
  Result<Image> img = DecodeImage(heic, "k", {.max_pixels = 120 * 80 - 1});
  EXPECT_EQ(img.status().code(), Code::kTooLarge);
  EXPECT_TRUE(DecodeImage(heic, "k", {.max_pixels = 120 * 80}).ok());
}

TEST(DecodeImageTest, TheDecodedImageHoldsItsMemoryLeaseUntilDropped) {
  DecodeBudget budget(1ull << 30);
  {
    Result<Image> img = DecodeImage(Encode(StoredPattern(), ".png"), "k", {.budget = &budget});
    ASSERT_TRUE(img.ok());
    EXPECT_EQ(budget.in_use(), LeaseBytes(120 * 80));
  }
  EXPECT_EQ(budget.in_use(), 0u);
  // A failed decode returns its lease too.
  cv::Mat noisy(64, 96, CV_8UC3);
  cv::randu(noisy, 0, 255);
  const std::string png = Encode(noisy, ".png");
  EXPECT_FALSE(DecodeImage(png.substr(0, png.size() / 2), "k", {.budget = &budget}).ok());
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST(DecodeImageTest, GarbageAfterAValidHeaderIsCorrupt) {
  std::string png = Encode(StoredPattern(), ".png");
  const size_t idat = png.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  for (size_t i = idat + 4; i < idat + 40; ++i) png[i] = static_cast<char>(0xA5 ^ i);
  EXPECT_EQ(DecodeImage(png, "k").status().code(), Code::kCorrupt);
}

TEST(DecodeImageTest, DarknetSamplePhotos) {
  const char* cache = std::getenv("IMAGEMILL_CACHE");
  const std::filesystem::path dir =
      std::filesystem::path(cache ? cache : IMAGEMILL_SOURCE_DIR "/.cache") / "samples";
  if (!std::filesystem::exists(dir / "dog.jpg")) GTEST_SKIP() << "run scripts/fetch-samples.sh";
  std::ifstream in(dir / "dog.jpg", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  Result<Image> full = DecodeImage(bytes.str(), "dog.jpg");
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->bgr.size(), cv::Size(768, 576));
  Result<Image> reduced = DecodeImage(bytes.str(), "dog.jpg", {.min_side = 288});
  ASSERT_TRUE(reduced.ok());
  EXPECT_EQ(reduced->bgr.size(), cv::Size(384, 288));
  EXPECT_EQ(reduced->width, 768);
}

}  // namespace
}  // namespace imagemill::vision
