#include "service/result_summary.h"

#include <gtest/gtest.h>

namespace imagemill::service {
namespace {

StoredResult Answer(const std::string& kind, nlohmann::json response) {
  StoredResult r;
  r.id = "photos/dog.jpg";
  r.kind = kind;
  r.response = std::move(response);
  return r;
}

TEST(ResultSummaryTest, LabelsInTheirOrderWithOneDecimal) {
  const auto r = Answer(
      "labels",
      {{"Labels",
        {{{"Name", "Dog"}, {"Confidence", 92.14}}, {{"Name", "Bicycle"}, {"Confidence", 85.0}}}}});
  EXPECT_EQ(ResultSummary(r), "Dog 92.1, Bicycle 85.0");
}

TEST(ResultSummaryTest, EachSimplifiedColourIsNamedOnceWithItsWholeShareLargestFirst) {
  const auto r = Answer("labels", {{"Labels", nlohmann::json::array()},
                                   {"ImageProperties",
                                    {{"Quality", {{"Brightness", 61.2}, {"Sharpness", 40.4}}},
                                     {"DominantColors",
                                      {{{"SimplifiedColor", "green"}, {"PixelPercent", 35.0}},
                                       {{"SimplifiedColor", "brown"}, {"PixelPercent", 30.4}},
                                       {{"SimplifiedColor", "brown"}, {"PixelPercent", 20.2}}}}}}});
  EXPECT_EQ(ResultSummary(r),
            "no labels; brightness 61, sharpness 40; colours: brown 51%, green 35%");
}

TEST(ResultSummaryTest, FacesTextAndInventory) {
  EXPECT_EQ(ResultSummary(Answer("faces", {{"FaceDetails", nlohmann::json::array()}})), "no face");
  EXPECT_EQ(ResultSummary(Answer(
                "faces", {{"FaceDetails", {{{"Confidence", 99.5}}, {{"Confidence", 97.25}}}}})),
            "2 faces, best 99.5");
  EXPECT_EQ(ResultSummary(Answer("text", {{"TextDetections",
                                           {{{"Type", "LINE"}, {"DetectedText", "STOP"}},
                                            {{"Type", "WORD"}, {"DetectedText", "STOP"}},
                                            {{"Type", "LINE"}, {"DetectedText", "Main St"}}}}})),
            "STOP | Main St");
  StoredResult inventory = Answer("inventory", nlohmann::json::object());
  inventory.size = 1234;
  inventory.etag = "\"abc\"";
  EXPECT_EQ(ResultSummary(inventory), "1234 bytes, ETag \"abc\"");
  EXPECT_EQ(ResultSummary(Answer("labels", {{"Labels", nlohmann::json::array()}})), "no labels");
}

}  // namespace
}  // namespace imagemill::service
