// The "Text" label: Rekognition's taxon, one instance per line read, and the source run on
// images drawn at test time (a sign is labelled Text, a blank card is not).
#include "vision/text/text_labels.h"

#include <gtest/gtest.h>

#include "support/cached_assets.h"
#include "support/text_image.h"
#include "vision/labels/detect_labels_answer.h"

namespace imagemill::vision {
namespace {

nlohmann::json Line(int id, const std::string& text, double confidence, double top) {
  return {{"DetectedText", text},
          {"Type", "LINE"},
          {"Id", id},
          {"Confidence", confidence},
          {"Geometry",
           {{"BoundingBox", {{"Width", 0.5}, {"Height", 0.1}, {"Left", 0.2}, {"Top", top}}}}}};
}

nlohmann::json Word(int id, int parent, const std::string& text, double confidence) {
  nlohmann::json w = Line(id, text, confidence, 0.1);
  w["Type"] = "WORD";
  w["ParentId"] = parent;
  return w;
}

TEST(TextLabelsTest, EachLineReadIsAnInstanceOfText) {
  const nlohmann::json response = {
      {"TextDetections",
       {Line(0, "NO PARKING", 88, 0.1), Line(1, "AT ANY TIME", 62, 0.3), Word(2, 0, "NO", 87)}}};
  const std::vector<FoundObject> found = TextLabelObjects(response);
  ASSERT_EQ(found.size(), 2u) << "lines only, not their words";
  EXPECT_DOUBLE_EQ(found[0].confidence, 88);
  ASSERT_TRUE(found[1].box.has_value());
  EXPECT_FLOAT_EQ(found[1].box->y, 0.3f);
  EXPECT_FLOAT_EQ(found[1].box->width, 0.5f);
  EXPECT_TRUE(TextLabelObjects({{"TextDetections", nlohmann::json::array()}}).empty());
}

TEST(TextLabelsTest, TextIsAnsweredWithRekognitionsCategoryAndNoParents) {
  const nlohmann::json response = {
      {"TextDetections", {Line(0, "NO PARKING", 88, 0.1), Line(1, "AT ANY TIME", 50, 0.3)}}};
  const nlohmann::json labels = LabelsJson(TextLabelObjects(response), LabelSettings());
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(labels[0]["Name"], "Text");
  EXPECT_EQ(labels[0]["Confidence"], 88);
  EXPECT_EQ(labels[0]["Instances"].size(), 1u) << "a line under MinConfidence 55 is no instance";
  EXPECT_EQ(labels[0]["Parents"], nlohmann::json::array());
  EXPECT_EQ(labels[0]["Categories"], nlohmann::json::parse(R"([{"Name": "Text and Documents"}])"));
  LabelSettings settings;
  settings.filters.category_exclusion = {"Text and Documents"};
  EXPECT_TRUE(LabelsJson(TextLabelObjects(response), settings).empty());
}

TEST(TextLabelsTest, AnUnopenedSourceIsNamedTextAndAsksForNoLargerImage) {
  const TextLabelSource source(nullptr);
  EXPECT_EQ(source.Name(), "text");
  EXPECT_EQ(source.MinLongSide(), 0);
  EXPECT_FALSE(source.NewRunner().ok());
}

TEST(TextLabelsTest, ASignIsLabelledTextAndABlankCardIsNot) {
  const std::filesystem::path dir = imagemill::testing::TextModelDir();
  ASSERT_FALSE(dir.empty()) << "no text model; scripts/fetch-models.sh failed?";
  TextProcessorOptions o;
  o.detector.model = dir / kTextModelFile;
  Result<std::shared_ptr<const TextLabelSource>> source = TextLabelSource::Open(o);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ((*source)->MinLongSide(), 2 * o.detector.max_side);
  Result<std::unique_ptr<LabelSourceRunner>> runner = (*source)->NewRunner();
  ASSERT_TRUE(runner.ok()) << runner.status().ToString();

  const cv::Mat sign = imagemill::testing::TextImage({"NO PARKING", "AT ANY TIME"}, {560, 300});
  Result<std::vector<FoundObject>> found = (*runner)->Run((*source)->Prepare(sign));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 2u);
  for (const FoundObject& line : *found) {
    EXPECT_EQ(line.taxon->name, "Text");
    EXPECT_GT(line.confidence, 55);
  }
  EXPECT_LT((*found)[0].box->y, (*found)[1].box->y) << "in reading order";

  const cv::Mat blank(300, 560, CV_8UC3, cv::Scalar(200, 200, 200));
  found = (*runner)->Run((*source)->Prepare(blank));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_TRUE(found->empty());
}

}  // namespace
}  // namespace imagemill::vision
