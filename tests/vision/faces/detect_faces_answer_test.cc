#include "vision/faces/detect_faces_answer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "support/rekognition_model.h"

namespace imagemill::vision {
namespace {

// A frontal face in the middle of a 400x200 image: the person's right eye on the viewer's left.
Face FrontalFace() {
  Face f;
  f.box = cv::Rect2f(0.4f, 0.3f, 0.2f, 0.4f);
  f.score = 0.9876f;
  f.keypoints[kRightEye] = {0.45f, 0.4f};
  f.keypoints[kLeftEye] = {0.55f, 0.4f};
  f.keypoints[kNoseTip] = {0.5f, 0.5f};
  f.keypoints[kMouthCentre] = {0.5f, 0.6f};
  f.keypoints[kRightEar] = {0.4f, 0.45f};
  f.keypoints[kLeftEar] = {0.6f, 0.45f};
  return f;
}

cv::Mat Work() {
  cv::Mat m(100, 200, CV_8UC3, cv::Scalar(40, 40, 40));
  m(cv::Rect(80, 30, 40, 40)).setTo(cv::Scalar(200, 200, 200));  // the face's box, bright
  return m;
}

TEST(DetectFacesAnswerTest, FitsRekognitionsDetectFacesResponse) {
  const nlohmann::json answer = DetectFacesAnswer({FrontalFace()}, 400, 200, Work());
  if (!testing::RekognitionModel()) GTEST_SKIP() << "python3-botocore is not installed";
  EXPECT_THAT(testing::ShapeErrors(answer, "DetectFacesResponse"), ::testing::IsEmpty())
      << answer.dump(2);
  const nlohmann::json& types = (*testing::RekognitionModel())["shapes"]["LandmarkType"]["enum"];
  for (const nlohmann::json& l : answer["FaceDetails"][0]["Landmarks"]) {
    EXPECT_NE(std::find(types.begin(), types.end(), l["Type"]), types.end()) << l;
  }
}

TEST(DetectFacesAnswerTest, BoxConfidenceAndLandmarksAsRatios) {
  const nlohmann::json d = DetectFacesAnswer({FrontalFace()}, 400, 200, Work())["FaceDetails"][0];
  EXPECT_EQ(d["BoundingBox"],
            nlohmann::json({{"Width", 0.2}, {"Height", 0.4}, {"Left", 0.4}, {"Top", 0.3}}));
  EXPECT_DOUBLE_EQ(d["Confidence"].get<double>(), 98.76);
  ASSERT_EQ(d["Landmarks"].size(), 3u);
  EXPECT_EQ(d["Landmarks"][0], nlohmann::json({{"Type", "eyeLeft"}, {"X", 0.45}, {"Y", 0.4}}));
  EXPECT_EQ(d["Landmarks"][1], nlohmann::json({{"Type", "eyeRight"}, {"X", 0.55}, {"Y", 0.4}}));
  EXPECT_EQ(d["Landmarks"][2], nlohmann::json({{"Type", "nose"}, {"X", 0.5}, {"Y", 0.5}}));
}

TEST(DetectFacesAnswerTest, RollIsTheEyeLineInPixelsAndYawAndPitchAreLeftOut) {
  Face level = FrontalFace();
  EXPECT_EQ(DetectFacesAnswer({level}, 400, 200, Work())["FaceDetails"][0]["Pose"],
            nlohmann::json({{"Roll", 0.0}}));
  // eyeRight 0.1 of the width (40 px) right and 0.2 of the height (40 px) lower: 45 degrees,
  // clockwise as seen.
  Face tilted = FrontalFace();
  tilted.keypoints[kLeftEye] = {0.55f, 0.6f};
  EXPECT_NEAR(
      DetectFacesAnswer({tilted}, 400, 200, Work())["FaceDetails"][0]["Pose"]["Roll"].get<double>(),
      45.0, 0.01);
}

TEST(DetectFacesAnswerTest, QualityIsMeasuredOnTheFaceAlone) {
  const nlohmann::json q =
      DetectFacesAnswer({FrontalFace()}, 400, 200, Work())["FaceDetails"][0]["Quality"];
  EXPECT_GT(q["Brightness"].get<double>(), 70);  // the bright square, not the dark image
  EXPECT_LT(q["Sharpness"].get<double>(), 5);    // flat
  Face outside = FrontalFace();
  outside.box = cv::Rect2f(1.2f, 0.3f, 0.2f, 0.2f);
  EXPECT_FALSE(
      DetectFacesAnswer({outside}, 400, 200, Work())["FaceDetails"][0].contains("Quality"));
}

TEST(DetectFacesAnswerTest, NoFacesIsAnEmptyList) {
  EXPECT_EQ(DetectFacesAnswer({}, 10, 10, Work()),
            nlohmann::json({{"FaceDetails", nlohmann::json::array()}}));
}

TEST(DetectFacesAnswerTest, IndexedAsFaceWithTheBestConfidenceOnlyWhenAFaceWasFound) {
  Face weaker = FrontalFace();
  weaker.score = 0.75f;
  const std::vector<IndexEntry> index =
      FaceIndexEntries(DetectFacesAnswer({weaker, FrontalFace()}, 400, 200, Work()));
  ASSERT_EQ(index.size(), 1u);
  EXPECT_EQ(index[0].name, "Face");
  EXPECT_NEAR(index[0].confidence, 98.76, 0.01);
  EXPECT_TRUE(index[0].direct);
  EXPECT_TRUE(FaceIndexEntries(DetectFacesAnswer({}, 10, 10, Work())).empty());
}

}  // namespace
}  // namespace imagemill::vision
