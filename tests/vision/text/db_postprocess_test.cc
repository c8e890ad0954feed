#include "vision/text/db_postprocess.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace imagemill::vision {
namespace {

// A probability map with `value` inside `rect` and 0 elsewhere.
cv::Mat MapWith(const cv::Size& size, const std::vector<std::pair<cv::Rect, float>>& regions) {
  cv::Mat map = cv::Mat::zeros(size, CV_32FC1);
  for (const auto& [rect, value] : regions) map(rect).setTo(value);
  return map;
}

TEST(FindTextRegions, GrowsEachShrunkRegionBackByAreaTimesRatioOverPerimeter) {
  // A 100x10 kernel: grown by 100 * 10 * 1.5 / 220 = 6.8 on every side.
  const cv::Mat map = MapWith({200, 100}, {{cv::Rect(50, 40, 100, 10), 0.9f}});
  const std::vector<DbRegion> regions = FindTextRegions(map);
  ASSERT_EQ(regions.size(), 1u);
  const cv::RotatedRect& r = regions[0].rect;
  const float longer = std::max(r.size.width, r.size.height);
  const float shorter = std::min(r.size.width, r.size.height);
  // minAreaRect of the contour spans 99 x 9 pixel centres.
  EXPECT_NEAR(longer, 99 + 2 * 99 * 9 * 1.5 / 216, 0.5);
  EXPECT_NEAR(shorter, 9 + 2 * 99 * 9 * 1.5 / 216, 0.5);
  EXPECT_NEAR(r.center.x, 99.5, 0.5);
  EXPECT_NEAR(r.center.y, 44.5, 0.5);
  EXPECT_NEAR(regions[0].score, 0.9f, 0.01);
}

TEST(FindTextRegions, DropsFaintThinAndUnthresholdedRegions) {
  const cv::Mat map = MapWith({300, 200}, {{cv::Rect(10, 10, 80, 12), 0.4f},   // under 0.5
                                           {cv::Rect(10, 50, 80, 2), 0.95f},   // 2 pixels thin
                                           {cv::Rect(10, 90, 80, 12), 0.25f},  // not text
                                           {cv::Rect(10, 140, 80, 12), 0.8f}});
  const std::vector<DbRegion> regions = FindTextRegions(map);
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_NEAR(regions[0].rect.center.y, 145.5, 0.5);
}

TEST(FindTextRegions, FindsARotatedRegionWithItsAngle) {
  cv::Mat map = cv::Mat::zeros(200, 200, CV_32FC1);
  cv::Point2f corners[4];
  cv::RotatedRect(cv::Point2f(100, 100), cv::Size2f(120, 14), 20).points(corners);
  std::vector<cv::Point> polygon(corners, corners + 4);
  cv::fillConvexPoly(map, polygon, cv::Scalar(0.9));
  const std::vector<DbRegion> regions = FindTextRegions(map);
  ASSERT_EQ(regions.size(), 1u);
  const cv::RotatedRect& r = regions[0].rect;
  const float angle = r.size.width > r.size.height ? r.angle : r.angle - 90;
  EXPECT_NEAR(std::fmod(angle + 180, 180), 20, 2);
}

TEST(FindTextRegions, AnEmptyMapHasNone) {
  EXPECT_TRUE(FindTextRegions(cv::Mat::zeros(64, 64, CV_32FC1)).empty());
  EXPECT_TRUE(FindTextRegions(cv::Mat(0, 0, CV_32FC1)).empty());
}

}  // namespace
}  // namespace imagemill::vision
