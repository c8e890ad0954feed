#include "events/text_match.h"

#include <gtest/gtest.h>

#include "events/cidr.h"

namespace imagemill::events {
namespace {

bool Wild(const char* pattern, const char* s) {
  Result<Wildcard> w = Wildcard::Parse(pattern);
  EXPECT_TRUE(w.ok()) << pattern << ": " << w.status().ToString();
  return w.ok() && w->Matches(s);
}

TEST(TextMatchTest, WildcardsMatchTheWholeString) {
  EXPECT_TRUE(Wild("", ""));
  EXPECT_FALSE(Wild("", "a"));
  EXPECT_TRUE(Wild("abc", "abc"));
  EXPECT_FALSE(Wild("abc", "abcd"));
  EXPECT_TRUE(Wild("a*", "a"));
  EXPECT_TRUE(Wild("*a", "ba"));
  EXPECT_FALSE(Wild("*a", "ab"));
  EXPECT_TRUE(Wild("a*b*c", "abc"));
  EXPECT_TRUE(Wild("a*b*c", "a-b-b-c"));
  EXPECT_FALSE(Wild("a*b*c", "a-c-b"));
  EXPECT_FALSE(Wild("ab*ab", "aba"));  // the runs may not overlap
  EXPECT_TRUE(Wild("*.png", ".png"));
  EXPECT_TRUE(Wild("\\**", "*x"));
  EXPECT_FALSE(Wild("\\**", "x*"));
}

TEST(TextMatchTest, BadWildcardsNameThePosition) {
  Result<Wildcard> two = Wildcard::Parse("ab**c");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().message(), "Consecutive wildcard characters at pos 2");
  Result<Wildcard> escape = Wildcard::Parse("a\\b");
  ASSERT_FALSE(escape.ok());
  EXPECT_EQ(escape.status().message(), "Invalid escape character at pos 1");
  EXPECT_FALSE(Wildcard::Parse("a\\").ok());
}

TEST(TextMatchTest, FoldsLatinGreekAndCyrillicLetters) {
  EXPECT_EQ(FoldCase("ABC xyz"), "abc xyz");
  EXPECT_EQ(FoldCase("ÀÉÎÕÜ Ÿ Ł ×"), "àéîõü ÿ ł ×");
  EXPECT_EQ(FoldCase("ΣΟΦΊΑ"), "σοφία");
  EXPECT_EQ(FoldCase("ПРИВЕТ Ё"), "привет ё");
  EXPECT_EQ(FoldCase("日本"), "日本");
  EXPECT_EQ(FoldCase("\xff\xc3"), "\xff\xc3");  // not UTF-8: kept as is
}

TEST(CidrTest, RangesOfBothFamilies) {
  Result<IpRange> r = IpRange::Parse("192.168.0.0/16");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Contains("192.168.255.1"));
  EXPECT_FALSE(r->Contains("192.169.0.1"));
  EXPECT_FALSE(r->Contains("::1"));
  Result<IpRange> odd = IpRange::Parse("10.0.0.128/25");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->Contains("10.0.0.200"));
  EXPECT_FALSE(odd->Contains("10.0.0.127"));
  Result<IpRange> all = IpRange::Parse("0.0.0.0/0");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Contains("8.8.8.8"));
  Result<IpRange> v6 = IpRange::Parse("fe80::/10");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Contains("fe80::1"));
  EXPECT_TRUE(v6->Contains("febf::1"));
  EXPECT_FALSE(v6->Contains("fec0::1"));
  for (const char* bad : {"10.0.0.0", "10.0.0.0/x", "10.0.0.0/-1", "10.0.0.0/33", "::/129",
                          "10.0.0/8", "a/b/c", "/8"}) {
    EXPECT_FALSE(IpRange::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace imagemill::events
