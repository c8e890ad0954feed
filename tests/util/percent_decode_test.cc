#include "util/percent_decode.h"

#include <gtest/gtest.h>

namespace imagemill {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndKeepsEverythingElse) {
  EXPECT_EQ(PercentDecode("a%2Fb%2e%2E"), "a/b..");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%2"), "%2");
  EXPECT_EQ(PercentDecode("%zz%41"), "%zzA");
  EXPECT_EQ(PercentDecode("%00").size(), 1u);
}

}  // namespace
}  // namespace imagemill
