#include "util/status.h"

#include <gtest/gtest.h>

namespace imagemill {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "Ok");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = Status::Corrupt("photos/a.jpg: JPEG ends early");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kCorrupt);
  EXPECT_EQ(s.ToString(), "Corrupt: photos/a.jpg: JPEG ends early");
}

TEST(StatusTest, OnlyTransientCodesAreRetryable) {
  EXPECT_TRUE(Status::Io("x").retryable());
  EXPECT_TRUE(Status::Throttled("x").retryable());
  EXPECT_FALSE(Status::Corrupt("x").retryable());
  EXPECT_FALSE(Status::NotFound("x").retryable());
  EXPECT_FALSE(Status::TooLarge("x").retryable());
  EXPECT_FALSE(Status::NotAnImage("x").retryable());
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  EXPECT_TRUE(good.status().ok());

  Result<int> bad = Status::NotFound("bucket/key: no such key");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace imagemill
