#include "server/console/query_params.h"

#include <gtest/gtest.h>

namespace imagemill::server::console {
namespace {

TEST(QueryParamsTest, DecodesFormEncodingAndKeepsTheFirstOfARepeatedName) {
  QueryParams q("label=Hot+Dog&id=%3Cscript%3E.jpg&id=second&empty=&bare&bad=%zz%4");
  EXPECT_EQ(q.Get("label"), "Hot Dog");
  EXPECT_EQ(q.Get("id"), "<script>.jpg");
  EXPECT_EQ(q.Get("empty", "x"), "");
  EXPECT_TRUE(q.Has("bare"));
  EXPECT_EQ(q.Get("bad"), "%zz%4") << "malformed escapes are kept as written";
  EXPECT_EQ(q.Get("missing", "fallback"), "fallback");
}

TEST(QueryParamsTest, AnEmptyQueryHasNoParameters) {
  QueryParams q("");
  EXPECT_FALSE(q.Has(""));
  EXPECT_EQ(FormDecode("a%2Fb%2e"), "a/b.");
}

}  // namespace
}  // namespace imagemill::server::console
