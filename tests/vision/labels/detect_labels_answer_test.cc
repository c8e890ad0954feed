#include "vision/labels/detect_labels_answer.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "support/rekognition_model.h"
#include "vision/properties/image_properties.h"

namespace imagemill::vision {
namespace {

FoundObject Obj(const char* cls, double confidence, std::optional<cv::Rect2f> box = std::nullopt) {
  return {cls, confidence, confidence / 100, box};
}

const std::vector<FoundObject> kFound = {
    Obj("dog", 90, cv::Rect2f(0.1f, 0.2f, 0.3f, 0.4f)),
    Obj("person", 70, cv::Rect2f(0.5f, 0.1f, 0.2f, 0.8f)),
    Obj("dog", 60, cv::Rect2f(0.6f, 0.5f, 0.3f, 0.4f)),
    Obj("dog", 40, cv::Rect2f(0.0f, 0.0f, 0.1f, 0.1f)),      // under MinConfidence 55
    Obj("car", 50, cv::Rect2f(0.7f, 0.7f, 0.2f, 0.2f)),      // under MinConfidence 55
    Obj("bicycle", 80, cv::Rect2f(0.9f, 0.9f, 0.3f, 0.3f)),  // runs off the image
};

// Rekognition's default MinConfidence, which these cases are written around (imagemill's is 80).
LabelSettings At55() {
  LabelSettings s;
  s.min_confidence = 55;
  return s;
}

std::vector<std::string> Names(const nlohmann::json& labels) {
  std::vector<std::string> out;
  for (const auto& l : labels) out.push_back(l["Name"]);
  return out;
}

TEST(DetectLabelsAnswerTest, OneLabelPerClassWithItsInstancesBestFirst) {
  const nlohmann::json labels = LabelsJson(kFound, At55());
  EXPECT_EQ(Names(labels), (std::vector<std::string>{"Dog", "Bicycle", "Person"}));
  const nlohmann::json& dog = labels[0];
  EXPECT_DOUBLE_EQ(dog["Confidence"].get<double>(), 90);
  ASSERT_EQ(dog["Instances"].size(), 2u);  // the 40 % one is left out
  EXPECT_DOUBLE_EQ(dog["Instances"][0]["Confidence"].get<double>(), 90);
  EXPECT_DOUBLE_EQ(dog["Instances"][1]["Confidence"].get<double>(), 60);
  const nlohmann::json& box = dog["Instances"][0]["BoundingBox"];
  EXPECT_NEAR(box["Left"].get<double>(), 0.1, 1e-4);
  EXPECT_NEAR(box["Top"].get<double>(), 0.2, 1e-4);
  EXPECT_NEAR(box["Width"].get<double>(), 0.3, 1e-4);
  EXPECT_NEAR(box["Height"].get<double>(), 0.4, 1e-4);
  EXPECT_EQ(dog["Parents"].size(), 4u);
  EXPECT_EQ(dog["Parents"][0]["Name"], "Pet");
  EXPECT_EQ(dog["Categories"][0]["Name"], "Animals and Pets");
  // A box running off the image is cut at its edge.
  const nlohmann::json& bike = labels[1]["Instances"][0]["BoundingBox"];
  EXPECT_NEAR(bike["Width"].get<double>(), 0.1, 1e-4);
  EXPECT_NEAR(bike["Height"].get<double>(), 0.1, 1e-4);
}

TEST(DetectLabelsAnswerTest, MinConfidenceMaxLabelsAndFilters) {
  LabelSettings s;
  s.min_confidence = 45;
  EXPECT_EQ(Names(LabelsJson(kFound, s)),
            (std::vector<std::string>{"Dog", "Bicycle", "Person", "Car"}));
  s.max_labels = 2;
  EXPECT_EQ(Names(LabelsJson(kFound, s)), (std::vector<std::string>{"Dog", "Bicycle"}));
  s.max_labels = 1000;
  s.filters.label_inclusion = {"Vehicle"};
  EXPECT_EQ(Names(LabelsJson(kFound, s)), (std::vector<std::string>{"Bicycle", "Car"}));
  s.filters.label_exclusion = {"Car"};
  EXPECT_EQ(Names(LabelsJson(kFound, s)), (std::vector<std::string>{"Bicycle"}));
  LabelSettings c = At55();
  c.filters.category_exclusion = {"Animals and Pets"};
  EXPECT_EQ(Names(LabelsJson(kFound, c)), (std::vector<std::string>{"Bicycle", "Person"}));
  c.max_labels = 0;
  EXPECT_TRUE(LabelsJson(kFound, c).empty());
}

TEST(DetectLabelsAnswerTest, ALabelScoredFromItsInstancesKeepsItsBestBoxAtAnyThreshold) {
  // Three horses at 60, 45 and 44 make a Horse label of 90 (label_score.h); one cow at 61 stays
  // a Cow of 61.
  std::vector<FoundObject> herd = {
      Obj("cow", 61, cv::Rect2f(0.5f, 0.4f, 0.2f, 0.3f)),
      Obj("horse", 60, cv::Rect2f(0.0f, 0.4f, 0.4f, 0.4f)),
      Obj("horse", 45, cv::Rect2f(0.0f, 0.4f, 0.2f, 0.2f)),
      Obj("horse", 44, cv::Rect2f(0.3f, 0.3f, 0.3f, 0.4f)),
  };
  for (size_t i = 1; i < herd.size(); ++i) herd[i].label_confidence = 90;
  herd[0].label_confidence = 61;
  nlohmann::json labels = LabelsJson(herd, At55());
  EXPECT_EQ(Names(labels), (std::vector<std::string>{"Horse", "Cow"}));
  EXPECT_DOUBLE_EQ(labels[0]["Confidence"].get<double>(), 90);
  ASSERT_EQ(labels[0]["Instances"].size(), 1u) << "instances under MinConfidence 55 left out";
  EXPECT_DOUBLE_EQ(labels[0]["Instances"][0]["Confidence"].get<double>(), 60);
  LabelSettings seed;
  seed.min_confidence = 80;
  labels = LabelsJson(herd, seed);
  EXPECT_EQ(Names(labels), (std::vector<std::string>{"Horse"}));
  ASSERT_EQ(labels[0]["Instances"].size(), 1u) << "the best box, though under 80 itself";
  EXPECT_DOUBLE_EQ(labels[0]["Instances"][0]["Confidence"].get<double>(), 60);
}

TEST(DetectLabelsAnswerTest, ClassesWithoutBoxesAreLabelsWithoutInstances) {
  const nlohmann::json labels =
      LabelsJson({Obj("beach", 77), Obj("beach", 65), Obj("sky", 30)}, At55());
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0]["Name"], "Beach");
  EXPECT_DOUBLE_EQ(labels[0]["Confidence"].get<double>(), 77);
  EXPECT_TRUE(labels[0]["Instances"].empty());
  EXPECT_TRUE(labels[0]["Parents"].empty());
}

TEST(DetectLabelsAnswerTest, FitsTheBotocoreDetectLabelsResponseShape) {
  if (!imagemill::testing::RekognitionModel()) {
    GTEST_SKIP()
        << "python3-botocore is not installed (scripts/install-deps.sh --test installs it)";
  }
  cv::Mat img(64, 96, CV_8UC3, cv::Scalar(30, 120, 200));
  const ImageProperties props = ComputeImageProperties(img, {});
  LabelSettings s;
  const nlohmann::json answer = DetectLabelsAnswer(kFound, "nanodet-320", props, s);
  const auto errors = imagemill::testing::ShapeErrors(answer, "DetectLabelsResponse");
  EXPECT_TRUE(errors.empty()) << errors.front();
  // Every member the issue lists is there.
  for (const char* key : {"Labels", "LabelModelVersion", "ImageProperties"}) {
    EXPECT_TRUE(answer.contains(key)) << key;
  }
  for (const char* key : {"Name", "Confidence", "Instances", "Parents", "Aliases", "Categories"}) {
    EXPECT_TRUE(answer["Labels"][0].contains(key)) << key;
  }
  // Features narrow the answer.
  s.image_properties = false;
  EXPECT_FALSE(DetectLabelsAnswer(kFound, "m", props, s).contains("ImageProperties"));
  s.image_properties = true;
  s.general_labels = false;
  const nlohmann::json only_props = DetectLabelsAnswer(kFound, "m", props, s);
  EXPECT_FALSE(only_props.contains("Labels"));
  EXPECT_FALSE(only_props.contains("LabelModelVersion"));
  EXPECT_TRUE(imagemill::testing::ShapeErrors(only_props, "DetectLabelsResponse").empty());
}

}  // namespace
}  // namespace imagemill::vision
