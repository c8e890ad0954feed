#include "vision/labels/annotate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "support/temp_dir.h"

namespace imagemill::vision {
namespace {

nlohmann::json Answer() {
  return nlohmann::json::parse(R"({"Labels": [
      {"Name": "Dog", "Confidence": 91.2, "Instances": [
         {"BoundingBox": {"Left": 0.1, "Top": 0.3, "Width": 0.4, "Height": 0.6}, "Confidence": 91.2},
         {"BoundingBox": {"Left": 0.12, "Top": 0.32, "Width": 0.3, "Height": 0.3}, "Confidence": 60.0}]},
      {"Name": "Bicycle", "Confidence": 70.0, "Instances": [
         {"BoundingBox": {"Left": 0.6, "Top": 0.1, "Width": 0.3, "Height": 0.3}, "Confidence": 70.0}]},
      {"Name": "Cat", "Confidence": 58.0, "Instances": []}]})");
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AnnotateTest, SmallImagesAreEnlargedSoCaptionsStayReadable) {
  const cv::Mat thumb(120, 160, CV_8UC3, cv::Scalar(90, 120, 60));
  const cv::Mat out = AnnotateLabels(thumb, Answer());
  EXPECT_EQ(std::max(out.cols, out.rows), kMinAnnotatedLongSide);
  EXPECT_EQ(out.cols * thumb.rows, out.rows * thumb.cols);  // same shape
  // Something was drawn: the box edges and captions change pixels.
  cv::Mat plain;
  cv::resize(thumb, plain, out.size());
  EXPECT_GT(cv::norm(out, plain, cv::NORM_L1), 0);
  const cv::Mat big(1200, 1600, CV_8UC3, cv::Scalar(0, 0, 0));
  EXPECT_EQ(AnnotateLabels(big, Answer()).size(), big.size());  // large images keep their size
  EXPECT_EQ(AnnotateLabels(big, nlohmann::json::object()).size(), big.size());
}

TEST(AnnotateTest, WritesABaselineJfifJpegOrAPngByTheNamesEnding) {
  imagemill::testing::TempDir dir;
  const cv::Mat img =
      AnnotateLabels(cv::Mat(300, 400, CV_8UC3, cv::Scalar(200, 200, 200)), Answer());
  const std::filesystem::path jpg = std::filesystem::path(dir.path()) / "seen.JPG";
  ASSERT_TRUE(WriteAnnotated(img, jpg.string()).ok());
  const std::string bytes = ReadAll(jpg);
  ASSERT_GT(bytes.size(), 100u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\xFF\xD8\xFF\xE0", 4));  // SOI, then APP0
  EXPECT_EQ(bytes.substr(6, 5), std::string("JFIF\0", 5));
  EXPECT_NE(bytes.find(std::string("\xFF\xC0", 2)), std::string::npos);  // baseline frame
  EXPECT_EQ(bytes.find(std::string("\xFF\xC2", 2)), std::string::npos);  // not progressive
  const cv::Mat back = cv::imread(jpg.string());
  EXPECT_EQ(back.size(), img.size());
  const std::filesystem::path png = std::filesystem::path(dir.path()) / "seen.png";
  ASSERT_TRUE(WriteAnnotated(img, png.string()).ok());
  EXPECT_EQ(ReadAll(png).substr(1, 3), "PNG");
}

TEST(AnnotateTest, OtherNamesAndUnwritablePlacesAreErrorsNamingThePath) {
  imagemill::testing::TempDir dir;
  const cv::Mat img(10, 10, CV_8UC3, cv::Scalar(0, 0, 0));
  EXPECT_FALSE(IsAnnotationPath("seen.gif"));
  EXPECT_FALSE(IsAnnotationPath("dir.jpg/seen"));
  EXPECT_TRUE(IsAnnotationPath("a/b/seen.jpeg"));
  const Status gif = WriteAnnotated(img, (std::filesystem::path(dir.path()) / "seen.gif").string());
  EXPECT_EQ(gif.code(), Code::kInvalidArgument);
  EXPECT_NE(gif.message().find("seen.gif"), std::string::npos);
  const std::string nowhere =
      (std::filesystem::path(dir.path()) / "no-such-folder" / "seen.jpg").string();
  const Status io = WriteAnnotated(img, nowhere);
  EXPECT_EQ(io.code(), Code::kIo);
  EXPECT_NE(io.message().find(nowhere), std::string::npos);
}

}  // namespace
}  // namespace imagemill::vision
