// Cutting detected lines out of an image and reading them with Tesseract (WordReader).
#include "vision/text/line_reader.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "support/text_image.h"

namespace imagemill::vision {
namespace {

using imagemill::testing::DrawnLine;
using imagemill::testing::TextImage;

cv::Mat Gray(const cv::Mat& bgr) {
  cv::Mat g;
  cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
  return g;
}

// The box around `ink` grown by `pad` pixels, as ratios of `size`, turned by `angle` degrees
// about the image's centre as TextImage turns its text, in TextBox order.
TextBox BoxAround(const cv::Rect& ink, cv::Size size, double angle, int pad = 8) {
  const cv::Mat m =
      cv::getRotationMatrix2D(cv::Point2f(size.width / 2.0f, size.height / 2.0f), angle, 1.0);
  const cv::Rect r(ink.x - pad, ink.y - pad, ink.width + 2 * pad, ink.height + 2 * pad);
  const cv::Point2f corners[4] = {r.tl(),
                                  {static_cast<float>(r.x + r.width), static_cast<float>(r.y)},
                                  r.br(),
                                  {static_cast<float>(r.x), static_cast<float>(r.y + r.height)}};
  TextBox box;
  for (int k = 0; k < 4; ++k) {
    const double x =
        m.at<double>(0, 0) * corners[k].x + m.at<double>(0, 1) * corners[k].y + m.at<double>(0, 2);
    const double y =
        m.at<double>(1, 0) * corners[k].x + m.at<double>(1, 1) * corners[k].y + m.at<double>(1, 2);
    box.corners[k] = {static_cast<float>(x / size.width), static_cast<float>(y / size.height)};
  }
  box.score = 0.9f;
  return box;
}

class WordReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = WordReader::Open();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reader_ = std::move(r).value();
  }
  std::unique_ptr<WordReader> reader_;
};

TEST_F(WordReaderTest, ReadsALinesWordsLeftToRight) {
  std::vector<DrawnLine> drawn;
  const cv::Mat img = Gray(TextImage({"CAR PARKS 24"}, {520, 140}, 1.4, 0, &drawn));
  const cv::Rect r = drawn[0].box;
  const std::vector<ReadWord> words =
      reader_->ReadLine(img(cv::Rect(r.x - 10, r.y - 10, r.width + 20, r.height + 20)).clone());
  ASSERT_EQ(words.size(), 3u);
  EXPECT_EQ(words[0].text, "CAR");
  EXPECT_EQ(words[1].text, "PARKS");
  EXPECT_EQ(words[2].text, "24");
  EXPECT_LT(words[0].box.x, words[1].box.x);
  EXPECT_LT(words[1].box.x, words[2].box.x);
  for (const ReadWord& w : words) EXPECT_GT(w.confidence, 80) << w.text;
}

TEST_F(WordReaderTest, ABlankLineHasNoWordsOnceTesseractsGuessesAreLeftOut) {
  // Tesseract itself may guess at nothing ('OO' at confidence 0); ReadTextLine leaves that out.
  const cv::Mat blank(120, 400, CV_8UC1, cv::Scalar(230));
  TextBox box;
  box.corners = {cv::Point2f(0.1f, 0.3f), cv::Point2f(0.9f, 0.3f), cv::Point2f(0.9f, 0.7f),
                 cv::Point2f(0.1f, 0.7f)};
  for (const TextWord& w : ReadTextLine(*reader_, blank, box).words) {
    ADD_FAILURE() << "read '" << w.text << "' at " << w.confidence;
  }
  EXPECT_TRUE(reader_->ReadLine(cv::Mat()).empty());
}

TEST(WordReader, MissingLanguageDataNamesTheDebianPackage) {
  WordReaderOptions o;
  o.tessdata_dir = "/nonexistent";
  auto r = WordReader::Open(o);
  ASSERT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find("tesseract-ocr-eng"), std::string::npos);
  EXPECT_EQ(WordReader::Version().rfind("tesseract-", 0), 0u);
}

TEST(CutOutLine, ScalesTheLineUprightAndMapsItsPixelsBack) {
  const cv::Mat gray(400, 600, CV_8UC1, cv::Scalar(200));
  const cv::RotatedRect rect({300, 200}, {240, 40}, 25);
  TextBox box;
  box.corners = ReadingOrderCorners(rect);
  for (cv::Point2f& p : box.corners) p = {p.x / 600, p.y / 400};
  LineReaderOptions o;
  o.line_height = 48;
  o.margin = 8;
  const LineImage line = CutOutLine(gray, box.corners, o);
  EXPECT_EQ(line.pixels.rows, 48 + 16);
  EXPECT_NEAR(line.pixels.cols, 240 * 48 / 40 + 16, 1);
  // The cut-out's corners inside the margin land on the box's corners in the image.
  const cv::Point2f inside[4] = {
      {8, 8}, {line.pixels.cols - 8.0f, 8}, {line.pixels.cols - 8.0f, 56}, {8, 56}};
  for (int k = 0; k < 4; ++k) {
    const cv::Matx23d& m = line.to_image;
    const cv::Point2f p(
        static_cast<float>(m(0, 0) * inside[k].x + m(0, 1) * inside[k].y + m(0, 2)),
        static_cast<float>(m(1, 0) * inside[k].x + m(1, 1) * inside[k].y + m(1, 2)));
    EXPECT_NEAR(p.x, box.corners[k].x * 600, 1.0) << k;
    EXPECT_NEAR(p.y, box.corners[k].y * 400, 1.0) << k;
  }
}

TEST_F(WordReaderTest, ReadsATurnedLineAndPutsEachWordWhereItIs) {
  const cv::Size size(640, 360);
  std::vector<DrawnLine> drawn;
  const double angle = 8;
  const cv::Mat gray = Gray(TextImage({"OPEN 9 TO 5"}, size, 1.4, angle, &drawn));
  const TextLine line = ReadTextLine(*reader_, gray, BoxAround(drawn[0].box, size, angle));
  std::string text;
  for (const TextWord& w : line.words) text += (text.empty() ? "" : " ") + w.text;
  EXPECT_EQ(text, "OPEN 9 TO 5");
  // Each word lies inside the line's box, the first at its left end; its top edge is turned by
  // the line's angle (counter-clockwise: y falls to the right).
  ASSERT_FALSE(line.words.empty());
  const TextBox outer = BoxAround(drawn[0].box, size, angle, 12);
  std::vector<cv::Point2f> hull(outer.corners.begin(), outer.corners.end());
  for (const TextWord& w : line.words) {
    for (const cv::Point2f& p : w.corners) {
      EXPECT_GE(cv::pointPolygonTest(hull, p, false), 0) << w.text;
    }
  }
  const auto& first = line.words.front().corners;
  EXPECT_LT(cv::norm(first[0] - outer.corners[0]), 0.06);
  const double turned =
      std::atan2(-(first[1].y - first[0].y) * size.height, (first[1].x - first[0].x) * size.width) *
      180 / CV_PI;
  EXPECT_NEAR(turned, angle, 3);
}

TEST_F(WordReaderTest, LeavesOutNoiseThatIsNotLettersOrDigits) {
  cv::Mat gray(120, 400, CV_8UC1, cv::Scalar(230));
  for (int x = 30; x < 370; x += 14) cv::line(gray, {x, 40}, {x + 4, 80}, cv::Scalar(20), 3);
  TextBox box;
  box.corners = {cv::Point2f(0.05f, 0.25f), cv::Point2f(0.95f, 0.25f), cv::Point2f(0.95f, 0.75f),
                 cv::Point2f(0.05f, 0.75f)};
  for (const TextWord& w : ReadTextLine(*reader_, gray, box).words) {
    EXPECT_TRUE(std::any_of(w.text.begin(), w.text.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c));
    })) << w.text;
    EXPECT_GE(w.confidence, LineReaderOptions().min_confidence) << w.text;
  }
}

}  // namespace
}  // namespace imagemill::vision
