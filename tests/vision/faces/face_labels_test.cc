#include "vision/faces/face_labels.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vision/labels/detect_labels_answer.h"

namespace imagemill::vision {
namespace {

FoundObject AFace(double confidence) {
  FoundObject o;
  o.class_name = "face";
  o.confidence = confidence;
  o.box = cv::Rect2f(0.1f, 0.1f, 0.2f, 0.3f);
  o.taxon = FaceTaxon();
  return o;
}

TEST(FaceLabelsTest, FaceIsAnsweredWithRekognitionsParentsAndCategory) {
  const nlohmann::json labels = LabelsJson({AFace(97.5), AFace(81)}, LabelSettings());
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0]["Name"], "Face");
  EXPECT_EQ(labels[0]["Confidence"], 97.5);
  EXPECT_EQ(labels[0]["Instances"].size(), 2u);
  EXPECT_EQ(labels[0]["Parents"],
            nlohmann::json::parse(R"([{"Name": "Head"}, {"Name": "Person"}])"));
  EXPECT_EQ(labels[0]["Categories"], nlohmann::json::parse(R"([{"Name": "Person Description"}])"));
}

TEST(FaceLabelsTest, FiltersSeeTheFaceTaxon) {
  LabelSettings settings;
  settings.filters.label_inclusion = {"Head"};
  EXPECT_EQ(LabelsJson({AFace(90)}, settings).size(), 1u);
  settings.filters.label_inclusion = {"Animal"};
  EXPECT_TRUE(LabelsJson({AFace(90)}, settings).empty());
}

TEST(FaceLabelsTest, TheSourceIsNamedFace) {
  EXPECT_EQ(FaceLabelSource(FaceDetectorOptions{}).Name(), "face");
}

}  // namespace
}  // namespace imagemill::vision
