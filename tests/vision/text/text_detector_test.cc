// The text detector on images drawn at test time: where it finds text, that it finds the same
// whatever size of image it ran on before (OpenCV 4.6 keeps state between passes), and its
// start-up errors.
#include "vision/text/text_detector.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/cached_assets.h"
#include "support/temp_dir.h"
#include "support/text_image.h"

namespace imagemill::vision {
namespace {

using imagemill::testing::DrawnLine;
using imagemill::testing::TextImage;

cv::Rect2f Bounds(const TextBox& b) {
  float x0 = 1, x1 = 0, y0 = 1, y1 = 0;
  for (const cv::Point2f& p : b.corners) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  return {x0, y0, x1 - x0, y1 - y0};
}

TEST(ReadingOrderCorners, StartAtTheTextsTopLeftAndGoClockwise) {
  for (float angle : {0.0f, 10.0f, -10.0f, 30.0f, 90.0f, -90.0f, 180.0f}) {
    // A 100 x 20 box, long side along `angle`, in either of minAreaRect's two spellings.
    for (bool swapped : {false, true}) {
      const cv::RotatedRect r = swapped ? cv::RotatedRect({200, 200}, {20, 100}, angle + 90)
                                        : cv::RotatedRect({200, 200}, {100, 20}, angle);
      const auto c = ReadingOrderCorners(r);
      const cv::Point2f top = c[1] - c[0], side = c[3] - c[0];
      EXPECT_NEAR(cv::norm(top), 100, 0.01) << angle;
      EXPECT_NEAR(cv::norm(side), 20, 0.01) << angle;
      EXPECT_NEAR(top.dot(side), 0, 0.01) << angle;
      EXPECT_GT(top.x * side.y - top.y * side.x, 0) << "not clockwise at " << angle;  // y down
      const float off = std::fmod(angle + 360, 180);  // from the horizontal, 0..180
      if (off < 45 || off > 135) {
        EXPECT_GT(top.x, 0) << "reads right to left at " << angle;
      } else {
        EXPECT_GT(top.y, 0) << "an upright line reads upwards at " << angle;
      }
    }
  }
  // A square box (one letter): the flatter side is the top.
  const auto c = ReadingOrderCorners(cv::RotatedRect({50, 50}, {20, 20}, 5));
  EXPECT_GT(c[1].x - c[0].x, 15);
}

class TextDetectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::filesystem::path dir = imagemill::testing::TextModelDir();
    if (dir.empty()) return;
    TextDetectorOptions o;
    o.model = dir / kTextModelFile;
    auto d = TextDetector::Open(o);
    if (d.ok()) detector_ = std::move(d).value().release();
  }
  static void TearDownTestSuite() { delete detector_; }

  void SetUp() override {
    ASSERT_NE(detector_, nullptr) << "the text detection model did not load; "
                                     "scripts/fetch-models.sh failed?";
  }

  static TextDetector* detector_;
};

TextDetector* TextDetectorTest::detector_ = nullptr;

TEST_F(TextDetectorTest, FindsEachDrawnLineWhereItWasDrawn) {
  std::vector<DrawnLine> drawn;
  const cv::Mat img = TextImage({"NOTICE", "DOUBLE PARKING"}, {640, 360}, 1.4, 0, &drawn);
  auto runner = detector_->NewRunner();
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();
  auto boxes = (*runner)->Detect(detector_->MakeInput(img));
  ASSERT_TRUE(boxes.ok()) << boxes.status().ToString();
  ASSERT_EQ(boxes->size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    const cv::Rect2f b = Bounds((*boxes)[k]);
    const cv::Rect ink = drawn[k].box;
    // The box holds the ink (to an eighth of its height), with no more than three quarters of
    // its height to spare on either end.
    const float slack = ink.height / 8.0f;
    EXPECT_LE(b.x * img.cols, ink.x + slack) << k;
    EXPECT_GE((b.x + b.width) * img.cols, ink.x + ink.width - slack) << k;
    EXPECT_LE(b.y * img.rows, ink.y + slack) << k;
    EXPECT_GE((b.y + b.height) * img.rows, ink.y + ink.height - slack) << k;
    EXPECT_LE(b.width * img.cols, ink.width + ink.height * 1.5) << k;
    EXPECT_GT((*boxes)[k].score, 0.6f);
  }
  EXPECT_LT((*boxes)[0].corners[0].y, (*boxes)[1].corners[0].y) << "not top to bottom";
}

TEST_F(TextDetectorTest, FindsTheSameWhateverSizeOfImageItRanOnBefore) {
  const cv::Mat img = TextImage({"SAME BOXES"}, {480, 320});
  auto fresh = detector_->NewRunner();
  auto reused = detector_->NewRunner();
  ASSERT_TRUE(fresh.ok() && reused.ok());
  ASSERT_TRUE((*reused)->Detect(detector_->MakeInput(TextImage({"FIRST"}, {800, 600}))).ok());
  auto a = (*fresh)->Detect(detector_->MakeInput(img));
  auto b = (*reused)->Detect(detector_->MakeInput(img));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 1u);
  ASSERT_EQ(b->size(), a->size());
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR((*a)[0].corners[k].x, (*b)[0].corners[k].x, 1e-3);
    EXPECT_NEAR((*a)[0].corners[k].y, (*b)[0].corners[k].y, 1e-3);
  }
}

TEST_F(TextDetectorTest, FindsNothingWhereThereIsNoText) {
  cv::Mat smooth(300, 400, CV_8UC3);
  for (int y = 0; y < smooth.rows; ++y) {
    smooth.row(y).setTo(cv::Scalar(40 + y / 2, 120, 200 - y / 3));
  }
  auto runner = detector_->NewRunner();
  ASSERT_TRUE(runner.ok());
  auto boxes = (*runner)->Detect(detector_->MakeInput(smooth));
  ASSERT_TRUE(boxes.ok());
  EXPECT_TRUE(boxes->empty());
}

TEST_F(TextDetectorTest, ItsInputIsAtMostMaxSideInMultiplesOf32) {
  const TextDetectorInput big = detector_->MakeInput(cv::Mat(1000, 2000, CV_8UC3, cv::Scalar(0)));
  EXPECT_EQ(big.image.cols, 960);
  EXPECT_EQ(big.image.rows, 480);
  const TextDetectorInput small = detector_->MakeInput(cv::Mat(70, 100, CV_8UC3, cv::Scalar(0)));
  EXPECT_EQ(small.image.cols, 96);
  EXPECT_EQ(small.image.rows, 64);
  EXPECT_EQ(small.image.type(), CV_32FC3);
  auto runner = detector_->NewRunner();
  ASSERT_TRUE(runner.ok());
  EXPECT_EQ((*runner)->Detect(TextDetectorInput{cv::Mat(50, 50, CV_32FC3)}).status().code(),
            Code::kInvalidArgument);
}

TEST(TextDetector, AMissingModelSaysHowToFetchIt) {
  imagemill::testing::TempDir empty;
  TextDetectorOptions o;
  o.models_dir = std::filesystem::path(empty.path());
  auto d = TextDetector::Open(o);
  ASSERT_EQ(d.status().code(), Code::kNotFound);
  EXPECT_NE(d.status().message().find("scripts/fetch-models.sh"), std::string::npos);
  EXPECT_NE(d.status().message().find(kTextModelFile), std::string::npos);
  o.models_dir.clear();
  o.model = std::filesystem::path(empty.path()) / "nope.onnx";
  EXPECT_EQ(TextDetector::Open(o).status().code(), Code::kNotFound);
}

TEST(TextDetector, ABrokenModelFileIsCorrupt) {
  imagemill::testing::TempDir dir;
  const std::filesystem::path f = std::filesystem::path(dir.path()) / kTextModelFile;
  std::ofstream(f) << "not a model";
  TextDetectorOptions o;
  o.model = f;
  auto d = TextDetector::Open(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kCorrupt);
  EXPECT_NE(d.status().message().find("fetch-models.sh"), std::string::npos);
}

}  // namespace
}  // namespace imagemill::vision
