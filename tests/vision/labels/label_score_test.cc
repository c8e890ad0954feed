#include "vision/labels/label_score.h"

#include <gtest/gtest.h>

#include "support/vision_builders.h"

namespace imagemill::vision {
namespace {

TEST(LabelScoreTest, AHerdOfModestBoxesOutweighsOneBetterBoxOfAnotherClass) {
  // darknet's horses.jpg as NanoDet at 320 scores it (the boxes left out).
  const std::vector<Detection> horses = {
      {C("cow"), 0.61f, {}},   {C("horse"), 0.57f, {}}, {C("horse"), 0.44f, {}},
      {C("horse"), 0.43f, {}}, {C("cow"), 0.41f, {}},   {C("horse"), 0.34f, {}},
  };
  const std::map<int, float> s = LabelScores(horses, 0.4f);
  EXPECT_NEAR(s.at(C("horse")), 1 - 0.43 * 0.56 * 0.57, 1e-5);
  EXPECT_NEAR(s.at(C("cow")), 1 - 0.39 * 0.59, 1e-5);
  EXPECT_GT(s.at(C("horse")), s.at(C("cow")));
}

TEST(LabelScoreTest, InstancesUnderTheFloorDoNotCountAndTheBestAlwaysDoes) {
  const std::vector<Detection> faint = {
      {C("person"), 0.35f, {}},
      {C("person"), 0.3f, {}},
      {C("person"), 0.3f, {}},
      {C("kite"), 0.8f, {}},
  };
  const std::map<int, float> s = LabelScores(faint, 0.4f);
  EXPECT_FLOAT_EQ(s.at(C("person")), 0.35f) << "faint boxes never add up to a label";
  EXPECT_FLOAT_EQ(s.at(C("kite")), 0.8f) << "one instance: its own score";
  EXPECT_NEAR(LabelScores(faint, 0).at(C("person")), 1 - 0.65 * 0.7 * 0.7, 1e-5);
  EXPECT_TRUE(LabelScores({}, 0.4f).empty());
}

}  // namespace
}  // namespace imagemill::vision
