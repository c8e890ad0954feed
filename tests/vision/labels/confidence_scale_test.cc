#include "vision/labels/confidence_scale.h"

#include <gtest/gtest.h>

namespace imagemill::vision {
namespace {

using Samples = std::vector<std::pair<double, bool>>;

void Add(Samples& s, double calibrated, int right, int wrong) {
  for (int i = 0; i < right; ++i) s.emplace_back(calibrated, true);
  for (int i = 0; i < wrong; ++i) s.emplace_back(calibrated, false);
}

TEST(ConfidenceScaleTest, TheEmptyScaleShowsTheCalibratedValue) {
  const ConfidenceScale identity;
  EXPECT_EQ(identity.Shown(63.2), 63.2);
  EXPECT_EQ(identity.Calibrated(80), 80);
  EXPECT_EQ(identity.Shown(120), 100);
}

TEST(ConfidenceScaleTest, TheBestF1ShowsAsEightyAndNineInTenAsNinety) {
  // 20 labels to find. Calibrated 95: 9 right of 9; 85: +9 right, 1 wrong (18 of 19, P 0.95);
  // 60: +2 right, 10 wrong (20 of 31); 30: 20 wrong.
  // F1 at 95: 18/29 = 0.62; at 85: 36/39 = 0.92; at 60: 40/51 = 0.78. So 85 is the balance point,
  // and the lowest threshold above it reaching precision 0.9 is 95.
  Samples s;
  Add(s, 95, 9, 0);
  Add(s, 85, 9, 1);
  Add(s, 60, 2, 10);
  Add(s, 30, 0, 20);
  const ConfidenceScale scale = FitConfidenceScale(s, 20);
  ASSERT_EQ(scale.knots.size(), 4u);
  // Halfway between the lowest value kept and the highest left out.
  EXPECT_DOUBLE_EQ(scale.knots[1].first, (85 + 60) / 2.0);
  EXPECT_DOUBLE_EQ(scale.knots[2].first, (95 + 85) / 2.0);
  EXPECT_DOUBLE_EQ(scale.Shown(72.5), 80);
  EXPECT_DOUBLE_EQ(scale.Shown(90), 90);
  EXPECT_GE(scale.Shown(85), 80);
  EXPECT_LT(scale.Shown(85), 90);
  EXPECT_GE(scale.Shown(95), 90);
  EXPECT_LT(scale.Shown(60), 80);
  EXPECT_DOUBLE_EQ(scale.Shown(0), 0);
  EXPECT_DOUBLE_EQ(scale.Shown(100), 100);
  // Increasing, and Calibrated inverts Shown.
  double last = -1;
  for (int c = 0; c <= 100; ++c) {
    const double shown = scale.Shown(c);
    EXPECT_GT(shown, last) << c;
    EXPECT_NEAR(scale.Calibrated(shown), c, 1e-9);
    last = shown;
  }
}

TEST(ConfidenceScaleTest, WhenNothingReachesNineInTenTheMostPreciseThresholdIsNinety) {
  // Calibrated 90: 3 right, 1 wrong (P 0.75); 70: +5 right, 3 wrong (8 of 12, P 0.67);
  // 40: +1 right, 9 wrong. 10 labels to find: F1 at 90 0.43, at 70 0.73, at 40 0.56.
  Samples s;
  Add(s, 90, 3, 1);
  Add(s, 70, 5, 3);
  Add(s, 40, 1, 9);
  const ConfidenceScale scale = FitConfidenceScale(s, 10);
  ASSERT_EQ(scale.knots.size(), 4u);
  EXPECT_DOUBLE_EQ(scale.knots[1].first, 55);
  EXPECT_DOUBLE_EQ(scale.knots[2].first, 80);
}

TEST(ConfidenceScaleTest, ABalancePointAtTheTopLeavesNinetyAboveEveryLabel) {
  Samples s;
  Add(s, 70, 5, 0);
  Add(s, 40, 0, 5);
  const ConfidenceScale scale = FitConfidenceScale(s, 5);
  ASSERT_EQ(scale.knots.size(), 4u);
  EXPECT_DOUBLE_EQ(scale.knots[1].first, 55);
  EXPECT_LT(scale.Shown(70), 90);
  EXPECT_GT(scale.Shown(70), 80);
}

TEST(ConfidenceScaleTest, NoRightLabelMeansNoScale) {
  Samples s;
  Add(s, 70, 0, 5);
  EXPECT_TRUE(FitConfidenceScale(s, 5).knots.empty());
  EXPECT_TRUE(FitConfidenceScale({}, 5).knots.empty());
}

}  // namespace
}  // namespace imagemill::vision
