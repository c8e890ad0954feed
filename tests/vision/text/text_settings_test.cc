#include "vision/text/text_settings.h"

#include <gtest/gtest.h>

#include <limits>

#include "support/vision_builders.h"

namespace imagemill::vision {
namespace {

TEST(TextSettings, ReadsARekognitionRequestAndWritesItBack) {
  TextSettings s;
  ASSERT_TRUE(s.MergeJson(nlohmann::json::parse(R"({
      "Image": {"S3Object": {"Bucket": "b", "Name": "k"}},
      "Filters": {"WordFilter": {"MinConfidence": 90, "MinBoundingBoxHeight": 0.05,
                                 "MinBoundingBoxWidth": 0.02},
                  "RegionsOfInterest": [
                    {"BoundingBox": {"Left": 0, "Top": 0.5, "Width": 1, "Height": 0.5}},
                    {"Polygon": [{"X": 0, "Y": 0}, {"X": 0.5, "Y": 0}, {"X": 0, "Y": 0.5}]}]}})"))
                  .ok());
  EXPECT_EQ(s.min_confidence, 90);
  EXPECT_FLOAT_EQ(s.min_box_height, 0.05f);
  EXPECT_FLOAT_EQ(s.min_box_width, 0.02f);
  ASSERT_EQ(s.regions.size(), 2u);
  ASSERT_TRUE(s.regions[0].box.has_value());
  EXPECT_FLOAT_EQ(s.regions[0].box->y, 0.5f);
  EXPECT_EQ(s.regions[1].polygon.size(), 3u);

  TextSettings again;
  ASSERT_TRUE(again.MergeJson(s.ToJson()).ok());
  EXPECT_EQ(again.ToJson(), s.ToJson());
  EXPECT_EQ(again.ShortId(), s.ShortId());
}

TEST(TextSettings, AWordFilterWithoutMinConfidenceHasTheDocumentedDefault) {
  TextSettings s;
  EXPECT_EQ(s.min_confidence, 0);
  ASSERT_TRUE(s.MergeJson({{"Filters", {{"WordFilter", {{"MinBoundingBoxWidth", 0.1}}}}}}).ok());
  EXPECT_EQ(s.min_confidence, 80);
}

TEST(TextSettings, RefusesWhatTheServiceModelRefusesNamingTheMember) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"Filters": {"WordFilter": {"MinConfidence": 101}}})", "MinConfidence"},
      {R"({"Filters": {"WordFilter": {"MinConfidence": "high"}}})", "MinConfidence"},
      {R"({"Filters": {"WordFilter": {"MinBoundingBoxHeight": 2}}})", "MinBoundingBoxHeight"},
      {R"({"Filters": {"WordFilter": {"MinWidth": 0.1}}})", "MinWidth"},
      {R"({"Filters": {"Words": {}}})", "Words"},
      {R"({"MinConfidence": 80})", "MinConfidence"},
      {R"({"Filters": {"RegionsOfInterest": [{}]}})", "RegionsOfInterest[0]"},
      {R"({"Filters": {"RegionsOfInterest": [{"BoundingBox": {"Left": 0, "Top": 0}}]}})",
       "RegionsOfInterest[0].BoundingBox"},
      {R"({"Filters": {"RegionsOfInterest": [{"Polygon": [{"X": 0, "Y": 0}, {"X": 1, "Y": 1}]}]}})",
       "Polygon"},
      {R"({"Filters": {"RegionsOfInterest": [{"Polygon": [{"X": 0, "Z": 0}]}]}})", "Z"},
      {R"([1, 2])", "object"}};
  for (const auto& [request, member] : bad) {
    TextSettings s;
    const Status st = s.MergeJson(nlohmann::json::parse(request));
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << request;
    EXPECT_NE(st.message().find(member), std::string::npos) << st.message();
  }
  nlohmann::json eleven = {{"Filters", {{"RegionsOfInterest", nlohmann::json::array()}}}};
  for (int k = 0; k < 11; ++k) {
    eleven["Filters"]["RegionsOfInterest"].push_back(
        {{"BoundingBox", {{"Left", 0}, {"Top", 0}, {"Width", 1}, {"Height", 1}}}});
  }
  TextSettings s;
  EXPECT_EQ(s.MergeJson(eleven).code(), Code::kInvalidArgument);
  // JSON text cannot spell an infinity, but a request built in memory can.
  nlohmann::json endless = {{"Filters",
                             {{"RegionsOfInterest",
                               {{{"BoundingBox",
                                  {{"Left", 0},
                                   {"Top", 0},
                                   {"Width", std::numeric_limits<double>::infinity()},
                                   {"Height", 1}}}}}}}}};
  const Status st = s.MergeJson(endless);
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_NE(st.message().find("finite"), std::string::npos) << st.message();
}

TEST(TextSettings, TheDefaultsHaveNoIdAndEachChangeHasItsOwn) {
  EXPECT_EQ(TextSettings().ShortId(), "");
  TextSettings confident;
  confident.min_confidence = 80;
  EXPECT_EQ(confident.ShortId(), "c80");
  TextSettings top, bottom;
  top.regions.push_back({cv::Rect2f(0, 0, 1, 0.5f), {}});
  bottom.regions.push_back({cv::Rect2f(0, 0.5f, 1, 0.5f), {}});
  EXPECT_NE(top.ShortId(), bottom.ShortId());
  EXPECT_EQ(top.ShortId().substr(0, 2), "r1");
}

TEST(TextSettings, KeepsAWordByConfidenceSizeAndMoreThanHalfInsideARegion) {
  TextSettings s;
  s.min_confidence = 50;
  s.min_box_height = 0.05f;
  const auto word = Quad(0.1f, 0.1f, 0.2f, 0.1f);
  EXPECT_TRUE(s.Keeps(60, word));
  EXPECT_FALSE(s.Keeps(40, word));
  EXPECT_FALSE(s.Keeps(60, Quad(0.1f, 0.1f, 0.2f, 0.04f)));

  s.regions.push_back({cv::Rect2f(0, 0, 0.25f, 1), {}});     // the left 0.25 of the image
  EXPECT_TRUE(s.Keeps(60, Quad(0.05f, 0.1f, 0.3f, 0.1f)));   // two thirds inside
  EXPECT_FALSE(s.Keeps(60, Quad(0.15f, 0.1f, 0.3f, 0.1f)));  // a third inside
  // A second region keeps what the first does not.
  s.regions.push_back({std::nullopt, {{0.5f, 0}, {1, 0}, {1, 1}, {0.5f, 1}}});
  EXPECT_TRUE(s.Keeps(60, Quad(0.6f, 0.5f, 0.2f, 0.1f)));
  EXPECT_FALSE(s.Keeps(60, Quad(0.3f, 0.5f, 0.1f, 0.1f)));
}

TEST(RegionOfInterest, CoversTheShareOfAQuadrilateralInsideAConcavePolygon) {
  // An L: the left column and the bottom row of the unit square.
  RegionOfInterest l{std::nullopt, {{0, 0}, {0.5f, 0}, {0.5f, 0.5f}, {1, 0.5f}, {1, 1}, {0, 1}}};
  EXPECT_NEAR(l.Covers(Quad(0, 0, 1, 1)), 0.75, 0.01);
  EXPECT_NEAR(l.Covers(Quad(0.6f, 0.1f, 0.3f, 0.3f)), 0, 0.01);
  EXPECT_NEAR(l.Covers(Quad(0.1f, 0.1f, 0.3f, 0.3f)), 1, 0.01);
}

}  // namespace
}  // namespace imagemill::vision
