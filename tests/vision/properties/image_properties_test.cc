#include "vision/properties/image_properties.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <thread>

#include "vision/properties/color_clusters.h"
#include "vision/properties/css_colors.h"

namespace imagemill::vision {
namespace {

cv::Mat Flat(int w, int h, cv::Scalar bgr) { return cv::Mat(h, w, CV_8UC3, bgr); }

cv::Mat Checkerboard(int size, int cell) {
  cv::Mat m(size, size, CV_8UC3);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const uchar v = ((x / cell + y / cell) % 2) ? 255 : 0;
      m.at<cv::Vec3b>(y, x) = cv::Vec3b(v, v, v);
    }
  }
  return m;
}

cv::Mat Noise(int w, int h, uint64_t seed) {
  cv::Mat m(h, w, CV_8UC3);
  cv::RNG rng(seed);
  rng.fill(m, cv::RNG::UNIFORM, 0, 256);
  return m;
}

double PercentSum(const ImageProperties& p) {
  double sum = 0;
  for (const DominantColor& c : p.dominant_colors) sum += c.pixel_percent;
  return sum;
}

TEST(ImagePropertiesTest, PureRedIsOneRedColour) {
  const ImageProperties p = ComputeImageProperties(Flat(200, 100, cv::Scalar(0, 0, 255)));
  ASSERT_EQ(p.dominant_colors.size(), 1u);
  const DominantColor& c = p.dominant_colors[0];
  EXPECT_EQ(c.red, 255);
  EXPECT_EQ(c.green, 0);
  EXPECT_EQ(c.blue, 0);
  EXPECT_EQ(c.hex_code, "#ff0000");
  EXPECT_EQ(c.css_color, "red");
  EXPECT_EQ(c.simplified_color, "red");
  EXPECT_DOUBLE_EQ(c.pixel_percent, 100.0);
  EXPECT_NEAR(p.quality.brightness, 29.9, 0.2);  // Rec. 601 luma of red: 0.299 x 255
  EXPECT_EQ(p.quality.contrast, 0.0);
  EXPECT_EQ(p.quality.sharpness, 0.0);
}

TEST(ImagePropertiesTest, FlatGreyHasNoSharpnessOrContrast) {
  const ImageProperties p = ComputeImageProperties(Flat(640, 480, cv::Scalar(128, 128, 128)));
  EXPECT_NEAR(p.quality.brightness, 50.2, 0.1);
  EXPECT_EQ(p.quality.contrast, 0.0);
  EXPECT_EQ(p.quality.sharpness, 0.0);
  ASSERT_EQ(p.dominant_colors.size(), 1u);
  EXPECT_EQ(p.dominant_colors[0].hex_code, "#808080");
  EXPECT_EQ(p.dominant_colors[0].css_color, "gray");
  EXPECT_EQ(p.dominant_colors[0].simplified_color, "gray");
}

TEST(ImagePropertiesTest, BrightnessRunsFromBlackToWhite) {
  EXPECT_EQ(ComputeImageProperties(Flat(10, 10, cv::Scalar(0, 0, 0))).quality.brightness, 0.0);
  EXPECT_EQ(ComputeImageProperties(Flat(10, 10, cv::Scalar(255, 255, 255))).quality.brightness,
            100.0);
  const ImageProperties white = ComputeImageProperties(Flat(10, 10, cv::Scalar(255, 255, 255)));
  EXPECT_EQ(white.dominant_colors[0].simplified_color, "white");
}

TEST(ImagePropertiesTest, CheckerboardIsSharpAndFullContrast) {
  const ImageProperties p = ComputeImageProperties(Checkerboard(256, 8));
  EXPECT_NEAR(p.quality.brightness, 50.0, 0.01);
  EXPECT_NEAR(p.quality.contrast, 100.0, 0.01);
  EXPECT_GT(p.quality.sharpness, 90.0);
  ASSERT_EQ(p.dominant_colors.size(), 2u);
  std::set<std::string> hex;
  for (const DominantColor& c : p.dominant_colors) {
    EXPECT_DOUBLE_EQ(c.pixel_percent, 50.0);
    hex.insert(c.hex_code);
  }
  EXPECT_EQ(hex, (std::set<std::string>{"#000000", "#ffffff"}));
}

TEST(ImagePropertiesTest, BlurLowersSharpness) {
  const cv::Mat sharp = Checkerboard(512, 16);
  cv::Mat soft, softer;
  cv::GaussianBlur(sharp, soft, cv::Size(0, 0), 2);
  cv::GaussianBlur(sharp, softer, cv::Size(0, 0), 6);
  const double s0 = ComputeImageProperties(sharp).quality.sharpness;
  const double s1 = ComputeImageProperties(soft).quality.sharpness;
  const double s2 = ComputeImageProperties(softer).quality.sharpness;
  EXPECT_GT(s0, s1);
  EXPECT_GT(s1, s2);
  EXPECT_LT(s2, 20.0);
}

TEST(ImagePropertiesTest, ColourSharesAreMeasuredAndOrdered) {
  cv::Mat m = Flat(400, 100, cv::Scalar(255, 0, 0));             // blue
  m(cv::Rect(300, 0, 100, 100)).setTo(cv::Scalar(0, 255, 255));  // a quarter yellow
  const ImageProperties p = ComputeImageProperties(m);
  ASSERT_EQ(p.dominant_colors.size(), 2u);
  EXPECT_EQ(p.dominant_colors[0].simplified_color, "blue");
  EXPECT_DOUBLE_EQ(p.dominant_colors[0].pixel_percent, 75.0);
  EXPECT_EQ(p.dominant_colors[1].simplified_color, "yellow");
  EXPECT_EQ(p.dominant_colors[1].hex_code, "#ffff00");
  EXPECT_DOUBLE_EQ(p.dominant_colors[1].pixel_percent, 25.0);
}

TEST(ImagePropertiesTest, MaxDominantColorsBoundsTheList) {
  const cv::Mat noise = Noise(300, 200, 7);
  for (int k : {1, 3, 10, 20}) {
    const ImageProperties p = ComputeImageProperties(noise, {.max_dominant_colors = k});
    EXPECT_EQ(static_cast<int>(p.dominant_colors.size()), k);
    EXPECT_NEAR(PercentSum(p), 100.0, 0.1);
    for (size_t i = 1; i < p.dominant_colors.size(); ++i) {
      EXPECT_GE(p.dominant_colors[i - 1].pixel_percent, p.dominant_colors[i].pixel_percent);
    }
  }
  EXPECT_TRUE(ComputeImageProperties(noise, {.max_dominant_colors = 0}).dominant_colors.empty());
  EXPECT_EQ(ComputeImageProperties(noise, {.max_dominant_colors = 99}).dominant_colors.size(),
            static_cast<size_t>(kMaxDominantColorsLimit));
}

TEST(ImagePropertiesTest, TwoColourClustersOfANoisyTwoToneImage) {
  // Left half dark green, right half light pink, each with noise: two clusters near those colours.
  cv::Mat m(200, 400, CV_8UC3);
  m(cv::Rect(0, 0, 200, 200)).setTo(cv::Scalar(20, 100, 20));
  m(cv::Rect(200, 0, 200, 200)).setTo(cv::Scalar(200, 190, 250));
  cv::Mat noise(m.size(), CV_16SC3);
  cv::RNG(3).fill(noise, cv::RNG::NORMAL, 0, 6);
  cv::Mat noisy;
  cv::add(m, noise, noisy, cv::noArray(), CV_8UC3);
  const std::vector<ColorCluster> clusters = ClusterColors(noisy, 2);
  ASSERT_EQ(clusters.size(), 2u);
  int64_t total = 0;
  for (const ColorCluster& c : clusters) {
    total += c.pixels;
    EXPECT_NEAR(static_cast<double>(c.pixels), 40000.0, 400.0);
  }
  EXPECT_EQ(total, 80000);
  const ImageProperties p = ComputeImageProperties(noisy, {.max_dominant_colors = 2});
  std::set<std::string> simplified;
  for (const DominantColor& c : p.dominant_colors) simplified.insert(c.simplified_color);
  EXPECT_EQ(simplified, (std::set<std::string>{"green", "pink"}));
}

TEST(ImagePropertiesTest, SameAnswerEveryTimeAndOnEveryThread) {
  const cv::Mat noise = Noise(640, 480, 11);
  const std::string first = ToJson(ComputeImageProperties(noise)).dump();
  EXPECT_EQ(ToJson(ComputeImageProperties(noise)).dump(), first);
  std::string other;
  std::thread t([&] { other = ToJson(ComputeImageProperties(noise)).dump(); });
  t.join();
  EXPECT_EQ(other, first);
}

TEST(ImagePropertiesTest, WorksOnTheShrunkCopyAndOnRoiViews) {
  const cv::Mat big = Noise(2000, 1000, 5);
  const cv::Mat work = ShrinkForAnalysis(big);
  EXPECT_EQ(work.size(), cv::Size(512, 256));
  EXPECT_EQ(ToJson(ComputeImageProperties(big)), ToJson(ComputeImageProperties(work)));
  const cv::Mat small = Flat(100, 80, cv::Scalar(1, 2, 3));
  EXPECT_EQ(ShrinkForAnalysis(small).data, small.data);  // no copy when small enough
  // A non-continuous view of a larger image.
  cv::Mat canvas = Flat(300, 300, cv::Scalar(0, 0, 0));
  canvas(cv::Rect(100, 100, 100, 100)).setTo(cv::Scalar(0, 255, 0));
  const ImageProperties p = ComputeImageProperties(canvas(cv::Rect(100, 100, 100, 100)));
  ASSERT_EQ(p.dominant_colors.size(), 1u);
  EXPECT_EQ(p.dominant_colors[0].hex_code, "#00ff00");
}

TEST(ImagePropertiesTest, JsonHasRekognitionMemberNames) {
  const nlohmann::json j = ToJson(ComputeImageProperties(Checkerboard(64, 8)));
  std::set<std::string> top, quality, color;
  for (const auto& [k, v] : j.items()) top.insert(k);
  for (const auto& [k, v] : j["Quality"].items()) quality.insert(k);
  for (const auto& [k, v] : j["DominantColors"][0].items()) color.insert(k);
  EXPECT_EQ(top, (std::set<std::string>{"Quality", "DominantColors"}));
  EXPECT_EQ(quality, (std::set<std::string>{"Brightness", "Sharpness", "Contrast"}));
  EXPECT_EQ(color, (std::set<std::string>{"Red", "Green", "Blue", "HexCode", "CSSColor",
                                          "SimplifiedColor", "PixelPercent"}));
  EXPECT_TRUE(j["DominantColors"][0]["Red"].is_number_integer());
  EXPECT_TRUE(j["DominantColors"][0]["PixelPercent"].is_number());
  EXPECT_TRUE(j["Quality"]["Sharpness"].is_number());
}

TEST(CssColorsTest, NamesColoursAndTheirFamilies) {
  const struct {
    int r, g, b;
    const char* css;
    const char* simplified;
  } cases[] = {
      {255, 0, 0, "red", "red"},
      {0, 0, 255, "blue", "blue"},
      {0, 128, 0, "green", "green"},
      {255, 255, 0, "yellow", "yellow"},
      {255, 165, 0, "orange", "orange"},
      {255, 192, 203, "pink", "pink"},
      {128, 0, 128, "purple", "purple"},
      {0, 128, 128, "teal", "teal"},
      {139, 69, 19, "saddlebrown", "brown"},
      {0, 0, 0, "black", "black"},
      {255, 255, 255, "white", "white"},
      {128, 128, 128, "gray", "gray"},
      {250, 0, 0, "red", "red"},
      {120, 121, 119, "gray", "gray"},
  };
  for (const auto& c : cases) {
    const NamedColor n = NearestNamedColor(c.r, c.g, c.b);
    EXPECT_EQ(n.css, c.css) << c.r << "," << c.g << "," << c.b;
    EXPECT_EQ(n.simplified, c.simplified) << c.r << "," << c.g << "," << c.b;
  }
  // A dull brown is named as a colour, not as a gray; a gray never as a colour.
  EXPECT_EQ(NearestNamedColor(109, 77, 57).simplified, "brown");
  for (int v = 0; v <= 255; v += 15) {
    const std::string_view s = NearestNamedColor(v, v, v).simplified;
    EXPECT_TRUE(s == "black" || s == "gray" || s == "white") << v << " -> " << s;
  }
}

TEST(CssColorsTest, LabOfKnownColours) {
  const Lab white = SrgbToLab(255, 255, 255);
  EXPECT_NEAR(white.l, 100.0, 0.01);
  EXPECT_NEAR(white.a, 0.0, 0.01);
  EXPECT_NEAR(white.b, 0.0, 0.01);
  const Lab red = SrgbToLab(255, 0, 0);  // reference values: L 53.24, a 80.09, b 67.20
  EXPECT_NEAR(red.l, 53.24, 0.05);
  EXPECT_NEAR(red.a, 80.09, 0.05);
  EXPECT_NEAR(red.b, 67.20, 0.05);
}

TEST(ImagePropertiesTest, DarknetSamplePhotos) {
  const char* cache = std::getenv("IMAGEMILL_CACHE");
  const std::filesystem::path dir =
      std::filesystem::path(cache ? cache : IMAGEMILL_SOURCE_DIR "/.cache") / "samples";
  if (!std::filesystem::exists(dir / "dog.jpg")) GTEST_SKIP() << "run scripts/fetch-samples.sh";
  for (const char* name : {"dog.jpg", "giraffe.jpg", "kite.jpg"}) {
    const ImageProperties p = ComputeImageProperties(cv::imread((dir / name).string()));
    EXPECT_EQ(p.dominant_colors.size(), 10u) << name;
    EXPECT_NEAR(PercentSum(p), 100.0, 0.1) << name;
    for (double v : {p.quality.brightness, p.quality.contrast, p.quality.sharpness}) {
      EXPECT_GT(v, 5.0) << name;
      EXPECT_LT(v, 100.0) << name;
    }
  }
  // The giraffe stands in green foliage: green is its most common simplified colour.
  const ImageProperties giraffe =
      ComputeImageProperties(cv::imread((dir / "giraffe.jpg").string()));
  double green = 0;
  for (const DominantColor& c : giraffe.dominant_colors) {
    if (c.simplified_color == "green") green += c.pixel_percent;
  }
  EXPECT_GT(green, 40.0);
}

}  // namespace
}  // namespace imagemill::vision
