#include "vision/labels/second_opinion.h"

#include <gtest/gtest.h>

#include "support/vision_builders.h"

namespace imagemill::vision {
namespace {

constexpr UncertainBand kBand = {0.45f, 0.70f};

TEST(SecondOpinionTest, OnlyAClassWhoseBestScoreIsInTheBandAsksForOne) {
  EXPECT_FALSE(NeedsSecondOpinion({}, kBand));
  EXPECT_FALSE(NeedsSecondOpinion({{C("dog"), 0.9f, {}}, {C("cat"), 0.2f, {}}}, kBand));
  EXPECT_TRUE(NeedsSecondOpinion({{C("dog"), 0.9f, {}}, {C("cow"), 0.5f, {}}}, kBand));
  // A weak box of a class whose best box is sure does not make the class uncertain.
  EXPECT_FALSE(NeedsSecondOpinion({{C("dog"), 0.9f, {}}, {C("dog"), 0.5f, {}}}, kBand));
  EXPECT_TRUE(NeedsSecondOpinion({{C("dog"), 0.45f, {}}}, kBand));   // low end included
  EXPECT_FALSE(NeedsSecondOpinion({{C("dog"), 0.70f, {}}}, kBand));  // high end excluded
}

TEST(SecondOpinionTest, UncertainClassesScoreTheMeanOfBothModels) {
  std::vector<Detection> first = {
      {C("horse"), 0.60f, {0.1f, 0.1f, 0.3f, 0.3f}},
      {C("horse"), 0.30f, {0.5f, 0.1f, 0.3f, 0.3f}},   // same class: rescored with it
      {C("cow"), 0.50f, {0.1f, 0.5f, 0.3f, 0.3f}},     // the second model never sees a cow
      {C("person"), 0.90f, {0.6f, 0.5f, 0.2f, 0.4f}},  // sure: left alone
      {C("bird"), 0.20f, {0.0f, 0.0f, 0.1f, 0.1f}},    // dismissed: left alone
  };
  const std::vector<Detection> second = {
      {C("horse"), 0.80f, {0.1f, 0.1f, 0.3f, 0.3f}},
      {C("horse"), 0.40f, {0.5f, 0.1f, 0.3f, 0.3f}},
      {C("person"), 0.10f, {0.6f, 0.5f, 0.2f, 0.4f}},
      {C("dog"), 0.95f, {0.0f, 0.0f, 0.5f, 0.5f}},  // only the second model: not added
  };
  ApplySecondOpinion(first, second, kBand);
  ASSERT_EQ(first.size(), 5u);
  EXPECT_EQ(first[0].class_index, C("person"));
  EXPECT_FLOAT_EQ(first[0].score, 0.90f);
  EXPECT_EQ(first[1].class_index, C("horse"));
  EXPECT_FLOAT_EQ(first[1].score, (0.60f + 0.80f) / 2);  // its best against the other's best
  EXPECT_EQ(first[2].class_index, C("horse"));
  EXPECT_FLOAT_EQ(first[2].score, (0.30f + 0.80f) / 2);
  EXPECT_EQ(first[3].class_index, C("cow"));
  EXPECT_FLOAT_EQ(first[3].score, 0.25f);  // half: the second model did not find it
  EXPECT_EQ(first[4].class_index, C("bird"));
  EXPECT_FLOAT_EQ(first[4].score, 0.20f);
}

TEST(SecondOpinionTest, TheFirstNetworksWeightSharesTheScore) {
  std::vector<Detection> first = {{C("dog"), 0.60f, {}}};
  ApplySecondOpinion(first, {{C("dog"), 0.20f, {}}}, kBand, 0.75f);
  EXPECT_FLOAT_EQ(first[0].score, 0.75f * 0.60f + 0.25f * 0.20f);
}

TEST(SecondOpinionTest, AMainSubjectsBoxIsRaisedButNeverLowered) {
  // A dog covering 30 % of the image, a bird covering 1 %: neither seen by the second network.
  std::vector<Detection> first = {{C("dog"), 0.60f, {0.1f, 0.1f, 0.5f, 0.6f}},
                                  {C("bird"), 0.55f, {0.8f, 0.1f, 0.1f, 0.1f}},
                                  {C("cat"), 0.50f, {0.2f, 0.2f, 0.5f, 0.5f}}};
  ApplySecondOpinion(first, {{C("cat"), 0.90f, {0.2f, 0.2f, 0.5f, 0.5f}}}, kBand, 0.6f, 0.1f);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].class_index, C("cat"));
  EXPECT_FLOAT_EQ(first[0].score, 0.6f * 0.50f + 0.4f * 0.90f);  // raised by the agreement
  EXPECT_EQ(first[1].class_index, C("dog"));
  EXPECT_FLOAT_EQ(first[1].score, 0.60f);  // large: kept
  EXPECT_EQ(first[2].class_index, C("bird"));
  EXPECT_FLOAT_EQ(first[2].score, 0.6f * 0.55f);  // small: vetoed as before
}

}  // namespace
}  // namespace imagemill::vision
