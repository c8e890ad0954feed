#include "vision/faces/face_detector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "support/cached_assets.h"
#include "vision/decode/image.h"

namespace imagemill::vision {
namespace {

TEST(MakeFaceInputTest, LetterboxesTheImageCentredInBlack) {
  const cv::Mat wide(100, 200, CV_8UC3, cv::Scalar(255, 255, 255));
  const FaceInput in = MakeFaceInput(wide);
  ASSERT_EQ(in.tensor.dims, 4);
  EXPECT_EQ(in.tensor.size[1], kFaceInputSize);
  EXPECT_EQ(in.tensor.size[3], 3);
  EXPECT_FLOAT_EQ(in.content.x, 0);
  EXPECT_FLOAT_EQ(in.content.y, 0.25f);  // 256 x 128 in the middle of the square
  EXPECT_FLOAT_EQ(in.content.width, 1);
  EXPECT_FLOAT_EQ(in.content.height, 0.5f);
  const float* px = in.tensor.ptr<float>();
  auto at = [&](int y, int x, int c) { return px[(y * kFaceInputSize + x) * 3 + c]; };
  EXPECT_FLOAT_EQ(at(10, 128, 0), -1.0f);  // padding: black
  EXPECT_FLOAT_EQ(at(128, 128, 0), 1.0f);  // the image: white
}

TEST(MakeFaceInputTest, KeepsRgbOrder) {
  const cv::Mat red(50, 50, CV_8UC3, cv::Scalar(0, 0, 255));  // BGR
  const FaceInput in = MakeFaceInput(red);
  const float* px = in.tensor.ptr<float>() + (128 * kFaceInputSize + 128) * 3;
  EXPECT_FLOAT_EQ(px[0], 1.0f);
  EXPECT_FLOAT_EQ(px[2], -1.0f);
}

class FaceDetectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::filesystem::path models = testing::ModelsDir();
    if (models.empty()) return;
    FaceDetectorOptions o;
    o.model = models / "blazeface.json";
    auto d = FaceDetector::Open(o);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    detector_ = std::move(d).value().release();
  }
  static void TearDownTestSuite() { delete detector_; }
  void SetUp() override {
    if (detector_ == nullptr) GTEST_SKIP() << "run scripts/fetch-models.sh";
  }
  static cv::Mat Photo(const std::string& name) {
    std::ifstream in(testing::FacePhotosDir() / name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    Result<Image> img = DecodeImage(s.str(), name);
    return img.ok() ? img->bgr : cv::Mat();
  }
  static FaceDetector* detector_;
};
FaceDetector* FaceDetectorTest::detector_ = nullptr;

TEST_F(FaceDetectorTest, FindsNoFaceInAFlatImageOrNoise) {
  cv::Mat noise(300, 400, CV_8UC3);
  cv::randu(noise, 0, 255);
  for (const cv::Mat& m : {cv::Mat(300, 400, CV_8UC3, cv::Scalar(128, 128, 128)), noise}) {
    Result<std::vector<Face>> faces = detector_->Detect(MakeFaceInput(m));
    ASSERT_TRUE(faces.ok()) << faces.status().ToString();
    EXPECT_THAT(*faces, ::testing::IsEmpty());
  }
}

// Eileen Collins in skimage's astronaut.png: one face, where a person sees it, its landmarks
// inside it in their places.
TEST_F(FaceDetectorTest, FindsTheAstronautsFaceAndItsLandmarks) {
  const cv::Mat photo = Photo("sk-astronaut.png");
  if (photo.empty()) GTEST_SKIP() << "scripts/fetch-label-eval.sh could not fetch the photos";
  Result<std::vector<Face>> faces = detector_->Detect(MakeFaceInput(photo));
  ASSERT_TRUE(faces.ok()) << faces.status().ToString();
  ASSERT_EQ(faces->size(), 1u);
  const Face& f = (*faces)[0];
  EXPECT_GT(f.score, 0.8f);
  // The face spans about x 0.34-0.54, y 0.15-0.35 of the 512x512 photo.
  EXPECT_NEAR(f.box.x + f.box.width / 2, 0.44, 0.03);
  EXPECT_NEAR(f.box.y + f.box.height / 2, 0.25, 0.03);
  EXPECT_NEAR(f.box.width, 0.2, 0.05);
  for (const cv::Point2f& k : f.keypoints) {
    EXPECT_TRUE(f.box.contains(k) || k == f.keypoints[kRightEar] || k == f.keypoints[kLeftEar])
        << k;
  }
  // The person's right eye is on the viewer's left; the nose below the eyes, the mouth below it.
  EXPECT_LT(f.keypoints[kRightEye].x, f.keypoints[kNoseTip].x);
  EXPECT_GT(f.keypoints[kLeftEye].x, f.keypoints[kNoseTip].x);
  EXPECT_GT(f.keypoints[kNoseTip].y, f.keypoints[kRightEye].y);
  EXPECT_GT(f.keypoints[kMouthCentre].y, f.keypoints[kNoseTip].y);
}

// The same photo mirrored: the box mirrors, and the eyes trade places (the anchors and the
// letterbox undo are right on both sides).
TEST_F(FaceDetectorTest, AMirroredPhotoGivesTheMirroredFace) {
  const cv::Mat photo = Photo("sk-astronaut.png");
  if (photo.empty()) GTEST_SKIP() << "scripts/fetch-label-eval.sh could not fetch the photos";
  cv::Mat mirrored;
  cv::flip(photo, mirrored, 1);
  Result<std::vector<Face>> a = detector_->Detect(MakeFaceInput(photo));
  Result<std::vector<Face>> b = detector_->Detect(MakeFaceInput(mirrored));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 1u);
  ASSERT_EQ(b->size(), 1u);
  const Face &fa = (*a)[0], &fb = (*b)[0];
  EXPECT_NEAR(fb.box.x, 1 - fa.box.x - fa.box.width, 0.02);
  EXPECT_NEAR(fb.box.y, fa.box.y, 0.02);
  EXPECT_NEAR(fb.keypoints[kRightEye].x, 1 - fa.keypoints[kLeftEye].x, 0.02);
  EXPECT_NEAR(fb.keypoints[kRightEye].y, fa.keypoints[kLeftEye].y, 0.02);
}

// A wide and a tall copy (the photo padded with grey): the letterbox is undone, so the face
// keeps its place on the photo.
TEST_F(FaceDetectorTest, BoxesAreRatiosOfTheImageWhateverItsShape) {
  const cv::Mat photo = Photo("sk-astronaut.png");
  if (photo.empty()) GTEST_SKIP() << "scripts/fetch-label-eval.sh could not fetch the photos";
  cv::Mat wide;
  cv::copyMakeBorder(photo, wide, 0, 0, 0, photo.cols / 2, cv::BORDER_CONSTANT,
                     cv::Scalar::all(128));
  Result<std::vector<Face>> a = detector_->Detect(MakeFaceInput(photo));
  Result<std::vector<Face>> b = detector_->Detect(MakeFaceInput(wide));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), 1u);
  ASSERT_EQ(b->size(), 1u);
  EXPECT_NEAR((*b)[0].box.x * 1.5, (*a)[0].box.x, 0.02);
  EXPECT_NEAR((*b)[0].box.y, (*a)[0].box.y, 0.02);
}

TEST_F(FaceDetectorTest, ACoffeeCupIsNoFace) {
  const cv::Mat photo = Photo("sk-coffee.png");
  if (photo.empty()) GTEST_SKIP() << "scripts/fetch-label-eval.sh could not fetch the photos";
  Result<std::vector<Face>> faces = detector_->Detect(MakeFaceInput(photo));
  ASSERT_TRUE(faces.ok());
  EXPECT_THAT(*faces, ::testing::IsEmpty());
}

}  // namespace
}  // namespace imagemill::vision
