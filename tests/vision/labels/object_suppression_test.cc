#include "vision/labels/object_suppression.h"

#include <gtest/gtest.h>

#include "support/vision_builders.h"

namespace imagemill::vision {
namespace {

TEST(ObjectSuppressionTest, OneObjectKeepsOnlyItsBestClass) {
  // darknet's horses.jpg as NanoDet sees it: the same horse as Cow (better) and Horse, and a
  // second horse found only as Horse.
  const std::vector<Detection> found = {
      {C("horse"), 0.57f, {0.10f, 0.20f, 0.30f, 0.50f}},
      {C("cow"), 0.61f, {0.11f, 0.21f, 0.29f, 0.50f}},
      {C("horse"), 0.55f, {0.60f, 0.25f, 0.30f, 0.45f}},
  };
  SuppressionOptions o;
  o.iou = 0.6f;
  const std::vector<Detection> kept = SuppressAcrossClasses(found, o);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].class_index, C("cow"));
  EXPECT_FLOAT_EQ(kept[0].score, 0.61f);
  EXPECT_EQ(kept[1].class_index, C("horse"));
  EXPECT_FLOAT_EQ(kept[1].box.x, 0.60f);
}

TEST(ObjectSuppressionTest, OverlappingObjectsOfDifferentClassesBothStay) {
  // A rider on a horse: the boxes overlap, but far less than one object's two boxes do.
  const std::vector<Detection> found = {
      {C("person"), 0.8f, {0.40f, 0.10f, 0.20f, 0.50f}},
      {C("horse"), 0.7f, {0.30f, 0.35f, 0.45f, 0.50f}},
  };
  SuppressionOptions o;
  o.iou = 0.6f;
  EXPECT_EQ(SuppressAcrossClasses(found, o).size(), 2u);
}

TEST(ObjectSuppressionTest, CoverCatchesASmallBoxInsideALargerOne) {
  const std::vector<Detection> found = {
      {C("truck"), 0.7f, {0.10f, 0.10f, 0.60f, 0.40f}},
      {C("car"), 0.5f, {0.15f, 0.20f, 0.30f, 0.25f}},  // inside the truck's box
  };
  SuppressionOptions o;
  o.iou = 0.6f;
  EXPECT_EQ(SuppressAcrossClasses(found, o).size(), 2u);
  o.cover = 0.9f;
  const auto kept = SuppressAcrossClasses(found, o);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].class_index, C("truck"));
}

TEST(ObjectSuppressionTest, ConfusableOnlyLeavesUnrelatedClassesAlone) {
  EXPECT_TRUE(Confusable(C("horse"), C("cow")));
  EXPECT_TRUE(Confusable(C("car"), C("truck")));
  EXPECT_FALSE(Confusable(C("person"), C("horse")));
  EXPECT_FALSE(Confusable(C("dog"), C("car")));
  const std::vector<Detection> found = {
      {C("dog"), 0.7f, {0.1f, 0.1f, 0.4f, 0.4f}},
      {C("cat"), 0.6f, {0.1f, 0.1f, 0.4f, 0.4f}},
      {C("teddy bear"), 0.5f, {0.1f, 0.1f, 0.4f, 0.4f}},
  };
  SuppressionOptions o;
  o.iou = 0.6f;
  o.confusable_only = true;
  const auto kept = SuppressAcrossClasses(found, o);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].class_index, C("dog"));
  EXPECT_EQ(kept[1].class_index, C("teddy bear"));
}

TEST(ObjectSuppressionTest, SameClassBoxlessAndTinyDetections) {
  const std::vector<Detection> found = {
      {C("dog"), 0.7f, {0.1f, 0.1f, 0.4f, 0.4f}},
      {C("dog"), 0.6f, {0.1f, 0.1f, 0.4f, 0.4f}},     // same class: per-class NMS's business
      {C("cat"), 0.5f, {}},                           // no box: never suppressed
      {C("bird"), 0.9f, {0.8f, 0.8f, 0.01f, 0.01f}},  // 0.01 % of the image
  };
  SuppressionOptions o;
  o.iou = 0.6f;
  EXPECT_EQ(SuppressAcrossClasses(found, o).size(), 4u);
  o.min_area = 0.001f;
  const auto kept = SuppressAcrossClasses(found, o);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].class_index, C("dog"));  // best first
  EXPECT_FALSE(SuppressionOptions().enabled());
  EXPECT_EQ(SuppressAcrossClasses(found, SuppressionOptions()).size(), 4u);
}

}  // namespace
}  // namespace imagemill::vision
