#include "vision/labels/label_settings.h"

#include <gtest/gtest.h>

namespace imagemill::vision {
namespace {

TEST(LabelSettingsTest, ReadsADetectLabelsRequest) {
  LabelSettings s;
  ASSERT_TRUE(s.MergeJson(nlohmann::json::parse(R"({
      "Image": {"S3Object": {"Bucket": "b", "Name": "k"}},
      "MinConfidence": 90, "MaxLabels": 3, "Features": ["GENERAL_LABELS"],
      "Settings": {"GeneralLabels": {"LabelInclusionFilters": ["Animal"],
                                     "LabelCategoryExclusionFilters": ["Sports"]},
                   "ImageProperties": {"MaxDominantColors": 4}}})"))
                  .ok());
  EXPECT_EQ(s.min_confidence, 90);
  EXPECT_EQ(s.max_labels, 3);
  EXPECT_TRUE(s.general_labels);
  EXPECT_FALSE(s.image_properties);
  EXPECT_EQ(s.max_dominant_colors, 4);
  EXPECT_EQ(s.filters.label_inclusion, std::vector<std::string>{"Animal"});
  EXPECT_EQ(s.filters.category_exclusion, std::vector<std::string>{"Sports"});
  // Written back and read again: the same settings.
  LabelSettings again;
  ASSERT_TRUE(again.MergeJson(s.ToJson()).ok());
  EXPECT_EQ(again.ToJson(), s.ToJson());
  EXPECT_EQ(again.ShortId(), s.ShortId());
}

TEST(LabelSettingsTest, RefusesWhatTheServiceModelRefusesNamingTheMember) {
  auto error = [](const char* request) {
    LabelSettings s;
    Status st = s.MergeJson(nlohmann::json::parse(request));
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << request;
    return st.message();
  };
  EXPECT_NE(error(R"({"MinConfidence": 101})").find("MinConfidence"), std::string::npos);
  EXPECT_NE(error(R"({"MinConfidence": "high"})").find("MinConfidence"), std::string::npos);
  EXPECT_NE(error(R"({"MaxLabels": -1})").find("MaxLabels"), std::string::npos);
  EXPECT_NE(error(R"({"Features": ["FACES"]})").find("FACES"), std::string::npos);
  EXPECT_NE(error(R"({"Features": []})").find("Features"), std::string::npos);
  EXPECT_NE(error(R"({"MinConfidance": 5})").find("MinConfidance"), std::string::npos);
  EXPECT_NE(error(R"({"Settings": {"GeneralLabels": {"LabelFilters": []}}})").find("LabelFilters"),
            std::string::npos);
  EXPECT_NE(error(R"({"Settings": {"ImageProperties": {"MaxDominantColors": 21}}})")
                .find("MaxDominantColors"),
            std::string::npos);
  const std::string long_name(51, 'x');
  EXPECT_NE(error((R"({"Settings": {"GeneralLabels": {"LabelExclusionFilters": [")" + long_name +
                   "\"]}}}")
                      .c_str())
                .find("50 characters"),
            std::string::npos);
}

TEST(LabelSettingsTest, FeaturesFromTheFlag) {
  LabelSettings s;
  ASSERT_TRUE(ParseFeatures("IMAGE_PROPERTIES", s).ok());
  EXPECT_FALSE(s.general_labels);
  EXPECT_TRUE(s.image_properties);
  ASSERT_TRUE(ParseFeatures("IMAGE_PROPERTIES, GENERAL_LABELS", s).ok());
  EXPECT_TRUE(s.general_labels && s.image_properties);
  EXPECT_FALSE(ParseFeatures("GENERAL_LABELS,", s).ok());
  EXPECT_FALSE(ParseFeatures("", s).ok());
}

TEST(LabelSettingsTest, FiltersMatchNamesAliasesParentsAndCategories) {
  const LabelTaxon dog = TaxonForClass("dog");
  const LabelTaxon car = TaxonForClass("car");
  GeneralLabelsFilters f;
  EXPECT_TRUE(f.Keeps(dog) && f.Keeps(car));
  f.label_inclusion = {"animal"};  // a parent, any case
  EXPECT_TRUE(f.Keeps(dog));
  EXPECT_FALSE(f.Keeps(car));
  f.category_inclusion = {"Vehicles and Automotive"};  // inclusion filters add up
  EXPECT_TRUE(f.Keeps(dog) && f.Keeps(car));
  f.label_exclusion = {"Automobile"};  // an alias
  EXPECT_FALSE(f.Keeps(car));
  EXPECT_TRUE(f.Keeps(dog));
  GeneralLabelsFilters g;
  g.category_exclusion = {"Animals and Pets"};
  EXPECT_FALSE(g.Keeps(dog));
  EXPECT_TRUE(g.Keeps(car));
}

TEST(LabelSettingsTest, ShortIdNamesEverySettingThatChangesAnswers) {
  const LabelSettings defaults;
  EXPECT_EQ(defaults.ShortId(), "");
  LabelSettings s = defaults;
  s.min_confidence = 55;  // Rekognition's default is not imagemill's (80)
  EXPECT_EQ(s.ShortId(), "c55");
  s.max_labels = 5;
  EXPECT_EQ(s.ShortId(), "c55-n5");
  LabelSettings a = defaults, b = defaults;
  a.filters.label_inclusion = {"Dog"};
  b.filters.label_inclusion = {"Cat"};
  EXPECT_NE(a.ShortId(), "");
  EXPECT_NE(a.ShortId(), b.ShortId());
  LabelSettings c = defaults;
  c.image_properties = false;
  EXPECT_EQ(c.ShortId(), "labels-only");
  c.max_dominant_colors = 3;
  EXPECT_EQ(c.ShortId(), "labels-only-k3");
}

}  // namespace
}  // namespace imagemill::vision
