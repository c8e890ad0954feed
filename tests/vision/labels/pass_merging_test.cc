#include "vision/labels/pass_merging.h"

#include <gtest/gtest.h>

namespace imagemill::vision {
namespace {

TEST(PassMergingTest, MeanAveragesMatchesAndHalvesWhatOnePassMissed) {
  const std::vector<std::vector<Detection>> passes = {
      {{16, 0.8f, {0.10f, 0.10f, 0.40f, 0.40f}}, {0, 0.6f, {0.6f, 0.1f, 0.2f, 0.8f}}},
      {{16, 0.6f, {0.12f, 0.10f, 0.40f, 0.40f}}, {16, 0.5f, {0.7f, 0.7f, 0.2f, 0.2f}}},
  };
  const std::vector<Detection> m = MergePasses(passes, 0.5f, MergeMode::kMean);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].class_index, 16);
  EXPECT_FLOAT_EQ(m[0].score, 0.7f);
  // Score-weighted box: x = (0.8·0.10 + 0.6·0.12) / 1.4.
  EXPECT_NEAR(m[0].box.x, (0.8 * 0.10 + 0.6 * 0.12) / 1.4, 1e-6);
  EXPECT_EQ(m[1].class_index, 0);
  EXPECT_FLOAT_EQ(m[1].score, 0.3f);
  EXPECT_EQ(m[2].class_index, 16);
  EXPECT_FLOAT_EQ(m[2].score, 0.25f);
}

TEST(PassMergingTest, MaxKeepsTheBestScoreAndClassesNeverMix) {
  const std::vector<std::vector<Detection>> passes = {
      {{1, 0.4f, {0.1f, 0.1f, 0.4f, 0.4f}}},
      {{1, 0.9f, {0.1f, 0.1f, 0.4f, 0.4f}}, {2, 0.8f, {0.1f, 0.1f, 0.4f, 0.4f}}},
  };
  const std::vector<Detection> m = MergePasses(passes, 0.5f, MergeMode::kMax);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_FLOAT_EQ(m[0].score, 0.9f);
  EXPECT_EQ(m[1].class_index, 2);
  EXPECT_FLOAT_EQ(m[1].score, 0.8f);
}

TEST(PassMergingTest, BoxlessDetectionsOfAClassMerge) {
  const std::vector<std::vector<Detection>> passes = {{{3, 0.6f, {}}}, {{3, 0.8f, {}}}};
  const std::vector<Detection> m = MergePasses(passes, 0.5f, MergeMode::kMean);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_FLOAT_EQ(m[0].score, 0.7f);
  EXPECT_EQ(m[0].box.width, 0);
}

TEST(PassMergingTest, OnePassIsReturnedAsItIsAndMirrorBoxesFlipBack) {
  const std::vector<Detection> one = {{5, 0.3f, {0.1f, 0.2f, 0.3f, 0.4f}}};
  const auto m = MergePasses({one}, 0.5f, MergeMode::kMean);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_FLOAT_EQ(m[0].score, 0.3f);
  const cv::Rect2f b = MirrorBox({0.1f, 0.2f, 0.3f, 0.4f});
  EXPECT_FLOAT_EQ(b.x, 0.6f);
  EXPECT_FLOAT_EQ(b.y, 0.2f);
  EXPECT_FLOAT_EQ(b.width, 0.3f);
}

}  // namespace
}  // namespace imagemill::vision
